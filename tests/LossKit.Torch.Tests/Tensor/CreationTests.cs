using static LossKit.Torch.torch;

namespace LossKit.Torch.Tests.Tensors;

public class CreationTests
{
    [Fact]
    public void zeros_ones_and_empty_have_the_requested_shape_dtype_and_values()
    {
        using var scope = NewDisposeScope();

        zeros(2, 3).ShouldBe([2, 3], ScalarType.Float32, [0, 0, 0, 0, 0, 0]);
        ones([2, 1, 2], ScalarType.Float64).ShouldBe([2, 1, 2], ScalarType.Float64, [1, 1, 1, 1]);
        zeros(3, ScalarType.Int64).ToArray<long>().Should().Equal(0L, 0L, 0L);
        ones(2, ScalarType.Bool).ToArray<bool>().Should().Equal(true, true);
        ones(2, 2, 2).numel().Should().Be(8);

        var e = empty(4, 5, ScalarType.Float64);
        e.shape.Should().Equal(4, 5);
        e.dtype.Should().Be(ScalarType.Float64);
        e.requires_grad.Should().BeFalse();
    }

    [Fact]
    public void factories_default_to_float32_on_the_cpu_and_honour_requires_grad()
    {
        using var scope = NewDisposeScope();
        var z = zeros(3);
        z.dtype.Should().Be(get_default_dtype()).And.Be(ScalarType.Float32);
        z.device.Should().Be(CPU);
        z.device_type.Should().Be(DeviceType.CPU);
        z.is_cpu().Should().BeTrue();
        z.requires_grad.Should().BeFalse();

        var w = ones(3, requires_grad: true);
        w.requires_grad.Should().BeTrue();
        w.is_leaf.Should().BeTrue();
        rand(2, requires_grad: true).requires_grad.Should().BeTrue();
    }

    [Fact]
    public void full_infers_its_dtype_from_the_value_as_pytorch_does()
    {
        using var scope = NewDisposeScope();
        full(2, 7).ShouldBe([2], ScalarType.Int64, [7, 7]);                    // an integer fills int64
        full(2, 2.5).ShouldBe([2], ScalarType.Float32, [2.5, 2.5]);            // a floating value, the default float dtype
        full(2, true).ShouldBe([2], ScalarType.Bool, [1, 1]);                  // a bool, bool
        full(2, 7, ScalarType.Float64).ShouldBe([2], ScalarType.Float64, [7, 7]);
        full(2, 3, -1.5).ShouldBe([2, 3], ScalarType.Float32, [-1.5, -1.5, -1.5, -1.5, -1.5, -1.5]);
        full([1, 2, 1], 4L).ShouldBe([1, 2, 1], ScalarType.Int64, [4, 4]);
    }

    [Fact]
    public void empty_shapes_zero_dimensional_tensors_and_many_dimensions()
    {
        using var scope = NewDisposeScope();

        var none = zeros([0]);
        none.shape.Should().Equal(0);
        none.numel().Should().Be(0);
        none.ToArray<float>().Should().BeEmpty();

        var hollow = empty([2, 0, 3]);
        hollow.shape.Should().Equal(2, 0, 3);
        hollow.numel().Should().Be(0);

        // A shape with no dimensions is a 0-D tensor holding one element.
        var scalar = full(Array.Empty<long>(), 5.0);
        scalar.dim().Should().Be(0);
        scalar.shape.Should().BeEmpty();
        scalar.numel().Should().Be(1);
        scalar.item<float>().Should().Be(5f);

        // More dimensions than the 8 the binding reads on the stack: 1·2·1·2·1·2·1·2·3 = 48 elements.
        var deep = zeros([1, 2, 1, 2, 1, 2, 1, 2, 3]);
        deep.shape.Should().Equal(1, 2, 1, 2, 1, 2, 1, 2, 3);
        deep.dim().Should().Be(9);
        deep.numel().Should().Be(48);
        deep.size(8).Should().Be(3);
        deep.size(-9).Should().Be(1);
    }

    [Fact]
    public void arange_gives_int64_for_integral_arguments()
    {
        using var scope = NewDisposeScope();
        var a = arange(5);
        a.dtype.Should().Be(ScalarType.Int64);
        a.ToArray<long>().Should().Equal(0L, 1L, 2L, 3L, 4L);
        arange(2, 8, 2).ToArray<long>().Should().Equal(2L, 4L, 6L);      // 2, 4, 6 (8 excluded)
        arange(5, 0, -2).ToArray<long>().Should().Equal(5L, 3L, 1L);     // counting down, 0 excluded
        arange(3, 3).numel().Should().Be(0);
    }

    [Fact]
    public void arange_gives_float32_when_any_argument_is_floating()
    {
        using var scope = NewDisposeScope();
        arange(0, 1, 0.25).ShouldBe([4], ScalarType.Float32, [0, 0.25, 0.5, 0.75]);
        arange(1.5).ShouldBe([2], ScalarType.Float32, [0, 1]);                  // ceil(1.5 / 1) = 2 values
        arange(0.5, 2.5).ShouldBe([2], ScalarType.Float32, [0.5, 1.5]);
        arange(0, 3, ScalarType.Float64).ShouldBe([3], ScalarType.Float64, [0, 1, 2]);
    }

    [Fact]
    public void linspace_includes_both_ends()
    {
        using var scope = NewDisposeScope();
        linspace(0, 1, 5).ShouldBe([5], ScalarType.Float32, [0, 0.25, 0.5, 0.75, 1]);
        linspace(-1, 1, 3, ScalarType.Float64).ShouldBe([3], ScalarType.Float64, [-1, 0, 1]);
        linspace(2, 2, 1).ShouldBe([1], ScalarType.Float32, [2]);
        // Step (10 - 1) / 9 = 1.
        linspace(1, 10, 10, ScalarType.Float64).ShouldBeClose([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 1e-12);
    }

    [Fact]
    public void rand_draws_from_the_half_open_unit_interval()
    {
        using var scope = NewDisposeScope();
        const int n = 20000;
        var r = rand(n);
        r.dtype.Should().Be(ScalarType.Float32);
        var v = r.ToArray<float>();
        v.Min().Should().BeGreaterThanOrEqualTo(0f);
        v.Max().Should().BeLessThan(1f);
        // U[0,1): mean 1/2 with standard error sqrt(1/12 / n) ≈ 0.002; P(x < 1/4) = 1/4 with s.e. ≈ 0.003.
        v.Average(x => (double)x).Should().BeApproximately(0.5, 0.02);
        v.Count(x => x < 0.25f).Should().BeCloseTo(n / 4, n / 50);

        var d = rand(3, 4, ScalarType.Float64);
        d.dtype.Should().Be(ScalarType.Float64);
        d.shape.Should().Equal(3, 4);
        d.ToArray<double>().Should().OnlyContain(x => x >= 0 && x < 1);
    }

    [Fact]
    public void randn_has_roughly_zero_mean_and_unit_variance()
    {
        using var scope = NewDisposeScope();
        const int n = 20000;
        var v = randn(n, ScalarType.Float64).ToArray<double>();
        var mean = v.Average();
        var variance = v.Sum(x => (x - mean) * (x - mean)) / (n - 1);
        // Standard errors: mean 1/sqrt(n) ≈ 0.007, variance sqrt(2/n) ≈ 0.01; the bounds are ~5 of them.
        mean.Should().BeApproximately(0, 0.05);
        variance.Should().BeApproximately(1, 0.06);
        // P(|x| < 1) = 0.6827 for N(0, 1).
        ((double)v.Count(x => Math.Abs(x) < 1) / n).Should().BeApproximately(0.6827, 0.02);

        randn(2, 3).shape.Should().Equal(2, 3);
        randn(2, 3).dtype.Should().Be(ScalarType.Float32);
    }

    [Fact]
    public void randint_draws_integers_in_the_half_open_range()
    {
        using var scope = NewDisposeScope();
        const int n = 20000;
        var r = randint(3, 7, [n]);
        r.dtype.Should().Be(ScalarType.Int64);
        var v = r.ToArray<long>();
        v.Should().OnlyContain(x => x >= 3 && x < 7);
        // Each of 3, 4, 5, 6 has probability 1/4 (s.e. of a count ≈ 61).
        foreach (var k in new long[] { 3, 4, 5, 6 })
            v.Count(x => x == k).Should().BeCloseTo(n / 4, 500, $"value {k} should come up about a quarter of the time");

        randint(5, [100]).ToArray<long>().Should().OnlyContain(x => x >= 0 && x < 5);
        var i32 = randint(-2, 2, [2, 50], ScalarType.Int32);
        i32.dtype.Should().Be(ScalarType.Int32);
        i32.ToArray<int>().Should().OnlyContain(x => x >= -2 && x < 2);
    }

    [Fact]
    public void like_functions_copy_shape_and_dtype_unless_told_otherwise()
    {
        using var scope = NewDisposeScope();
        var x = tensor(new double[,] { { 1, 2, 3 }, { 4, 5, 6 } });

        zeros_like(x).ShouldBe([2, 3], ScalarType.Float64, [0, 0, 0, 0, 0, 0]);
        x.ones_like().ShouldBe([2, 3], ScalarType.Float64, [1, 1, 1, 1, 1, 1]);
        ones_like(x, ScalarType.Int64).ShouldBe([2, 3], ScalarType.Int64, [1, 1, 1, 1, 1, 1]);
        full_like(x, 4).ShouldBe([2, 3], ScalarType.Float64, [4, 4, 4, 4, 4, 4]);
        x.full_like(0.5, ScalarType.Float32).ShouldBe([2, 3], ScalarType.Float32, [0.5, 0.5, 0.5, 0.5, 0.5, 0.5]);

        var e = empty_like(x);
        e.shape.Should().Equal(2, 3);
        e.dtype.Should().Be(ScalarType.Float64);

        var r = rand_like(x);
        r.dtype.Should().Be(ScalarType.Float64);
        r.ToArray<double>().Should().OnlyContain(v => v >= 0 && v < 1);

        randn_like(x).shape.Should().Equal(2, 3);
        x.randn_like(ScalarType.Float32).dtype.Should().Be(ScalarType.Float32);
        zeros_like(x, requires_grad: true).requires_grad.Should().BeTrue();

        // randint_like keeps the float64 dtype of x but holds integers from [0, 3).
        var ri = randint_like(x, 0, 3);
        ri.dtype.Should().Be(ScalarType.Float64);
        ri.ToArray<double>().Should().OnlyContain(v => v == 0 || v == 1 || v == 2);
    }

    [Fact]
    public void tensor_from_dotnet_arrays_keeps_values_and_picks_the_matching_dtype()
    {
        using var scope = NewDisposeScope();
        tensor(new[] { 1.5f, -2f }).ShouldBe([2], ScalarType.Float32, [1.5, -2]);
        tensor(new[] { 1.5, -2.0 }).ShouldBe([2], ScalarType.Float64, [1.5, -2]);
        tensor(new long[] { 1, long.MaxValue }).ToArray<long>().Should().Equal(1L, long.MaxValue);
        tensor(new[] { 1, -2 }).dtype.Should().Be(ScalarType.Int32);
        tensor(new[] { true, false }).ToArray<bool>().Should().Equal(true, false);

        // Rectangular arrays are row-major: element [i, j] is at i * 3 + j.
        tensor(new float[,] { { 1, 2, 3 }, { 4, 5, 6 } }).ShouldBe([2, 3], ScalarType.Float32, [1, 2, 3, 4, 5, 6]);
        tensor(new long[,] { { 1, 2 }, { 3, 4 } }).ShouldBe([2, 2], ScalarType.Int64, [1, 2, 3, 4]);
        tensor(new float[] { 1, 2, 3, 4, 5, 6 }, [3, 2]).ShouldBe([3, 2], ScalarType.Float32, [1, 2, 3, 4, 5, 6]);
        tensor(new double[] { 1, 2, 3, 4 }.AsSpan(), [2, 1, 2]).shape.Should().Equal(2, 1, 2);

        // Scalars give 0-D tensors of their own type.
        tensor(3.5).ShouldBe([], ScalarType.Float64, [3.5]);
        tensor(3.5f).ShouldBe([], ScalarType.Float32, [3.5]);
        tensor(7L).ShouldBe([], ScalarType.Int64, [7]);
        tensor(7).ShouldBe([], ScalarType.Int32, [7]);
        tensor(true).ShouldBe([], ScalarType.Bool, [1]);
    }

    [Fact]
    public void tensor_converts_to_a_requested_dtype_and_can_require_grad()
    {
        using var scope = NewDisposeScope();
        // 0.1 is not exactly representable in float32: the stored value is (float)0.1.
        var f = tensor(new[] { 0.1, 2.0 }, ScalarType.Float32);
        f.dtype.Should().Be(ScalarType.Float32);
        f.ToArray<float>().Should().Equal(0.1f, 2f);

        var i = tensor(new[] { 1.9, -1.9 }, ScalarType.Int64);
        i.ToArray<long>().Should().Equal(1L, -1L);                 // conversion truncates toward zero

        var g = tensor(new[] { 1.0, 2.0 }, ScalarType.Float32, requires_grad: true);
        g.requires_grad.Should().BeTrue();
        g.is_leaf.Should().BeTrue("a tensor created from data is a leaf even when it was converted");

        var h = tensor(new[] { 1f, 2f }, requires_grad: true);
        h.requires_grad.Should().BeTrue();
        h.is_leaf.Should().BeTrue();
    }

    [Fact]
    public void tensor_from_an_empty_rectangular_array_has_a_zero_sized_dimension()
    {
        using var scope = NewDisposeScope();
        var f = tensor(new float[0, 3]);
        f.shape.Should().Equal(0, 3);
        f.dtype.Should().Be(ScalarType.Float32);
        tensor(new double[2, 0]).shape.Should().Equal(2, 0);
        tensor(new long[0, 0]).shape.Should().Equal(0, 0);
    }

    [Fact]
    public void tensor_rejects_data_that_does_not_fit_the_shape()
    {
        var tooFew = () => tensor(new float[] { 1, 2, 3 }, [2, 2]);
        tooFew.Should().Throw<ArgumentException>().WithMessage("tensor: 3 values given for shape [2, 2], which holds 4*");
        var negative = () => tensor(new float[] { 1, 2 }, [-1, 2]);
        negative.Should().Throw<ArgumentException>().WithMessage("tensor: negative dimension*");
    }

    [Fact]
    public void zeros_like_on_a_view_gives_a_fresh_tensor()
    {
        using var scope = NewDisposeScope();
        var x = arange(6, ScalarType.Float32).reshape(2, 3);
        var z = zeros_like(x.t());
        z.shape.Should().Equal(3, 2);
        z.add_(1);
        x.ToArray<float>().Should().Equal(0f, 1f, 2f, 3f, 4f, 5f);
    }
}

[Collection(SerialCollection.Name)]
public class SeededCreationTests
{
    [Fact]
    public void manual_seed_makes_every_random_factory_reproducible()
    {
        using var scope = NewDisposeScope();
        manual_seed(123);
        var a = rand(5).ToArray<float>();
        var b = randn(5, ScalarType.Float64).ToArray<double>();
        var c = randint(0, 1000, [5]).ToArray<long>();
        var d = empty(5).uniform_(-2, 2).ToArray<float>();

        manual_seed(123);
        rand(5).ToArray<float>().Should().Equal(a);
        randn(5, ScalarType.Float64).ToArray<double>().Should().Equal(b);
        randint(0, 1000, [5]).ToArray<long>().Should().Equal(c);
        empty(5).uniform_(-2, 2).ToArray<float>().Should().Equal(d);

        manual_seed(124);
        rand(5).ToArray<float>().Should().NotEqual(a);
    }

    [Fact]
    public void manual_seed_gives_the_same_numbers_as_pytorch()
    {
        using var scope = NewDisposeScope();
        manual_seed(0);
        // PyTorch 1.13: torch.manual_seed(0); torch.rand(3).tolist() (printed by /usr/bin/python3 on Debian 12).
        rand(3).ShouldBeClose([0.49625658988952637, 0.7682217955589294, 0.08847743272781372], 1e-7);
    }
}
