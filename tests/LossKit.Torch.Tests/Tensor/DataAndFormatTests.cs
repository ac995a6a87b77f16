using static LossKit.Torch.torch;

namespace LossKit.Torch.Tests.Tensors;

public class DataAndFormatTests
{
    [Fact]
    public void item_reads_the_single_element_in_its_own_type()
    {
        using var scope = NewDisposeScope();
        tensor(2.5f).item<float>().Should().Be(2.5f);
        tensor(2.5).item<double>().Should().Be(2.5);
        tensor(new long[] { -7 }).item<long>().Should().Be(-7);
        tensor(new[] { 42 }, [1, 1]).item<int>().Should().Be(42);
        tensor(true).item<bool>().Should().BeTrue();
        (tensor(new[] { 1.0, 2.0 }).sum()).item<double>().Should().Be(3);
    }

    [Fact]
    public void item_needs_exactly_one_element()
    {
        using var scope = NewDisposeScope();
        var two = () => tensor(new[] { 1f, 2f }).item<float>();
        two.Should().Throw<InvalidOperationException>().WithMessage("item<Single>() needs a tensor with exactly one element; this one has shape [2] (2 elements).");
        var none = () => zeros(0).item<float>();
        none.Should().Throw<InvalidOperationException>().WithMessage("*shape [0] (0 elements)*");
    }

    [Fact]
    public void reading_values_as_the_wrong_type_is_an_argument_error()
    {
        using var scope = NewDisposeScope();
        var d = tensor(2.5);
        var asFloat = () => d.item<float>();
        asFloat.Should().Throw<ArgumentException>().WithMessage("The tensor has dtype Float64, so its values cannot be read as Single (that needs dtype Float32)*");
        var toArray = () => tensor(new[] { 1, 2 }).ToArray<long>();
        toArray.Should().Throw<ArgumentException>().WithMessage("*dtype Int32*Int64*");
        var data = () => zeros(2).data<double>();
        data.Should().Throw<ArgumentException>().WithMessage("*dtype Float32*");
        var noDtype = () => zeros(2).ToArray<ulong>();
        noDtype.Should().Throw<NotSupportedException>().WithMessage("No tensor dtype corresponds to the .NET type UInt64.");
    }

    [Fact]
    public void ToArray_is_row_major_even_for_non_contiguous_tensors()
    {
        using var scope = NewDisposeScope();
        var m = tensor(new float[,] { { 1, 2, 3 }, { 4, 5, 6 } });
        m.ToArray<float>().Should().Equal(1f, 2f, 3f, 4f, 5f, 6f);
        m.t().ToArray<float>().Should().Equal(1f, 4f, 2f, 5f, 3f, 6f);
        m[.., 1..].ToArray<float>().Should().Equal(2f, 3f, 5f, 6f);
        m.expand(2, 2, 3).ToArray<float>().Should().Equal(1f, 2f, 3f, 4f, 5f, 6f, 1f, 2f, 3f, 4f, 5f, 6f);
    }

    [Fact]
    public void data_gives_an_indexable_snapshot()
    {
        using var scope = NewDisposeScope();
        var m = tensor(new double[,] { { 1, 2, 3 }, { 4, 5, 6 } });
        var a = m.data<double>();
        a.Count.Should().Be(6);
        a[1, 2].Should().Be(6);
        a[-1, -3].Should().Be(4);
        a[4].Should().Be(5, "one index is the flat row-major position");
        a.ToArray().Should().Equal(1.0, 2.0, 3.0, 4.0, 5.0, 6.0);
        a.Should().Equal(1.0, 2.0, 3.0, 4.0, 5.0, 6.0);
        var copy = new double[6];
        a.CopyTo(copy);
        copy.Should().Equal(1.0, 2.0, 3.0, 4.0, 5.0, 6.0);

        m.fill_(0);
        a[0, 0].Should().Be(1, "the accessor holds a copy taken when it was created");

        var outOfRange = () => a[2, 0];
        outOfRange.Should().Throw<IndexOutOfRangeException>().WithMessage("Index 2 is out of range for dimension 0 of size 2.");
        var wrongRank = () => a[0, 0, 0];
        wrongRank.Should().Throw<ArgumentException>().WithMessage("3 indices given for a tensor with 2 dimensions*");
    }

    [Fact]
    public void explicit_conversions_read_one_element_of_any_numeric_dtype()
    {
        using var scope = NewDisposeScope();
        ((float)tensor(2.5)).Should().Be(2.5f);
        ((double)tensor(new[] { 3 })).Should().Be(3.0);
        ((long)tensor(7L)).Should().Be(7L);
        ((long)tensor(7.9)).Should().Be(7L);
        ((bool)tensor(true)).Should().BeTrue();
        ((bool)tensor(0.0)).Should().BeFalse();
        tensor(new long[] { 5 }).ToDouble().Should().Be(5.0);
        tensor(1.25f).ToDouble().Should().Be(1.25);
        scope.DisposablesCount.Should().Be(8, "the 8 tensors made here remain; the conversions dispose the temporaries they make");
    }

    [Fact]
    public void metadata_accessors()
    {
        using var scope = NewDisposeScope();
        var x = zeros(2, 3, 4, ScalarType.Float64);
        x.dim().Should().Be(3);
        x.Dimensions.Should().Be(3);
        x.ndim.Should().Be(3);
        x.shape.Should().Equal(2, 3, 4);
        x.size().Should().Equal(2, 3, 4);
        x.size(1).Should().Be(3);
        x.size(-1).Should().Be(4);
        x.numel().Should().Be(24);
        x.NumberOfElements.Should().Be(24);
        x.element_size().Should().Be(8);
        x.ElementSize.Should().Be(8);
        x.is_floating_point().Should().BeTrue();
        x.is_integral().Should().BeFalse();
        x.is_cuda.Should().BeFalse();
        x.device_index.Should().Be(-1);
        zeros(1, ScalarType.Int32).element_size().Should().Be(4);
        zeros(1, ScalarType.Bool).is_integral().Should().BeTrue();
        var bad = () => x.size(3);
        bad.Should().Throw<ArgumentOutOfRangeException>().WithMessage("Dimension out of range for a tensor of shape [2, 3, 4].*");
    }

    [Fact]
    public void ToString_shows_shape_dtype_device_and_values_of_small_tensors()
    {
        using var scope = NewDisposeScope();
        tensor(new float[,] { { 1, 2 }, { 3, 4 } }).ToString()
            .Should().Be("[2x2], type = Float32, device = cpu\n[[1, 2],\n [3, 4]]");
        // Values are right-aligned to the widest one and printed with at most 4 decimals.
        tensor(new[] { 1.5, -20.0, 1.0 / 3 }).ToString()
            .Should().Be("[3], type = Float64, device = cpu\n[   1.5,    -20, 0.3333]");
        tensor(2.5).ToString().Should().Be("[], type = Float64, device = cpu\n2.5");
        tensor(new long[] { 10, -3 }).ToString().Should().Be("[2], type = Int64, device = cpu\n[10, -3]");
        tensor(new[] { true, false }).ToString().Should().Be("[2], type = Bool, device = cpu\n[ True, False]");
        tensor(new[] { double.NaN, double.PositiveInfinity, double.NegativeInfinity }).ToString()
            .Should().Be("[3], type = Float64, device = cpu\n[ nan,  inf, -inf]");
        zeros(0).ToString().Should().Be("[0], type = Float32, device = cpu\n[]");

        // A 3-D tensor separates its 2-D blocks with a blank line.
        arange(8).reshape(2, 2, 2).ToString()
            .Should().Be("[2x2x2], type = Int64, device = cpu\n[[[0, 1],\n  [2, 3]],\n\n [[4, 5],\n  [6, 7]]]");
    }

    [Fact]
    public void ToString_of_large_tensors_shows_only_metadata()
    {
        using var scope = NewDisposeScope();
        Tensor.MaxElementsInToString.Should().Be(64);
        zeros(8, 8).ToString().Should().StartWith("[8x8], type = Float32, device = cpu\n[[0, 0,");   // 64 elements: values
        zeros(5, 13).ToString().Should().Be("[5x13], type = Float32, device = cpu");                  // 65 elements: metadata only
        zeros(1000, 1000).ToString().Should().Be("[1000x1000], type = Float32, device = cpu");
        zeros(5, 13).ToString(TensorStringStyle.Numpy).Should().Contain("\n[[0, 0, 0,");
        tensor(new float[] { 1 }).ToString(TensorStringStyle.Metadata).Should().Be("[1], type = Float32, device = cpu");
    }

    [Fact]
    public void ToString_of_a_disposed_tensor_says_so()
    {
        var t = zeros(2);
        t.Dispose();
        t.ToString().Should().Be("Tensor (disposed)");
    }

    [Fact]
    public void ToString_of_a_tensor_that_requires_grad_shows_its_values()
    {
        using var scope = NewDisposeScope();
        var x = tensor(new[] { 1.0, 2.0 }, requires_grad: true);
        (x * 2).ToString().Should().Be("[2], type = Float64, device = cpu\n[2, 4]");
    }
}
