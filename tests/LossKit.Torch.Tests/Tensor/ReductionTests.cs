using static LossKit.Torch.torch;

namespace LossKit.Torch.Tests.Tensors;

public class ReductionTests
{
    // x = [[1, 2, 3],
    //      [4, 5, 6]]
    private static Tensor X(ScalarType dtype = ScalarType.Float32) => tensor(new double[] { 1, 2, 3, 4, 5, 6 }, [2, 3], dtype);

    [Theory]
    [InlineData(ScalarType.Float32)]
    [InlineData(ScalarType.Float64)]
    public void sum_over_everything_and_over_dimensions(ScalarType dtype)
    {
        using var scope = NewDisposeScope();
        var x = X(dtype);
        x.sum().ShouldBe([], dtype, [21]);                              // 1+2+3+4+5+6
        x.sum(0L).ShouldBe([3], dtype, [5, 7, 9]);                      // column sums
        x.sum(1L).ShouldBe([2], dtype, [6, 15]);                        // row sums
        x.sum(-1L).ShouldBe([2], dtype, [6, 15]);
        x.sum(1L, keepdim: true).ShouldBe([2, 1], dtype, [6, 15]);
        x.sum(new long[] { 0, 1 }).ShouldBe([], dtype, [21]);
        x.sum(0L, 1L, keepdim: true).ShouldBe([1, 1], dtype, [21]);
        sum(x).ShouldBe([], dtype, [21]);
    }

    [Fact]
    public void sum_and_mean_with_a_literal_int_dimension_reduce_over_that_dimension()
    {
        // t.sum(0) and t.mean(0) are the most common reductions in TorchSharp code. The literal 0 also converts to
        // the ScalarType enum (ScalarType.Byte = 0), so without an int overload C# would pick sum(ScalarType? type)
        // and silently sum everything as uint8.
        using var scope = NewDisposeScope();
        var x = X();
        x.sum(0).ShouldBe([3], ScalarType.Float32, [5, 7, 9]);
        x.sum(1).ShouldBe([2], ScalarType.Float32, [6, 15]);
        x.sum(0, keepdim: true).ShouldBe([1, 3], ScalarType.Float32, [5, 7, 9]);
        x.mean(0).ShouldBe([3], ScalarType.Float32, [2.5, 3.5, 4.5]);
        x.mean(0, keepdim: true).shape.Should().Equal(1, 3);
        x.mean(1).ShouldBe([2], ScalarType.Float32, [2, 5]);
        sum(x, 0).ShouldBe([3], ScalarType.Float32, [5, 7, 9]);
        sum(x, 1L, keepdim: true).ShouldBe([2, 1], ScalarType.Float32, [6, 15]);
        // The dtype overloads still bind for an actual ScalarType.
        x.sum(ScalarType.Float64).ShouldBe([], ScalarType.Float64, [21]);
        x.mean(ScalarType.Float64).ShouldBe([], ScalarType.Float64, [3.5]);
    }

    [Fact]
    public void sum_of_integers_accumulates_in_int64_unless_a_dtype_is_given()
    {
        using var scope = NewDisposeScope();
        var i = tensor(new[] { 1, 2, 3 });                               // int32
        i.sum().dtype.Should().Be(ScalarType.Int64);
        i.sum().item<long>().Should().Be(6);
        i.sum(ScalarType.Float64).ShouldBe([], ScalarType.Float64, [6]);
        tensor(new[] { true, true, false }).sum().item<long>().Should().Be(2, "bools sum as 0/1 in int64");
        // float32 input summed in float64.
        X().sum(1L, type: ScalarType.Float64).ShouldBe([2], ScalarType.Float64, [6, 15]);
    }

    [Theory]
    [InlineData(ScalarType.Float32)]
    [InlineData(ScalarType.Float64)]
    public void mean_over_everything_and_over_dimensions(ScalarType dtype)
    {
        using var scope = NewDisposeScope();
        var x = X(dtype);
        x.mean().ShouldBe([], dtype, [3.5]);                             // 21 / 6
        x.mean(0L).ShouldBe([3], dtype, [2.5, 3.5, 4.5]);                // (1+4)/2, (2+5)/2, (3+6)/2
        x.mean(1L, keepdim: true).ShouldBe([2, 1], dtype, [2, 5]);       // 6/3, 15/3
        x.mean(new long[] { 0, 1 }).ShouldBe([], dtype, [3.5]);
        mean(x).ShouldBe([], dtype, [3.5]);
        tensor(new[] { 1, 2 }).mean(ScalarType.Float64).ShouldBe([], ScalarType.Float64, [1.5]);
    }

    [Fact]
    public void mean_of_an_empty_tensor_is_nan()
    {
        using var scope = NewDisposeScope();
        double.IsNaN(zeros(0).mean().item<float>()).Should().BeTrue();
    }

    [Fact]
    public void max_and_min_with_and_without_dimensions_return_values_and_indices()
    {
        using var scope = NewDisposeScope();
        // y = [[3, 9, 1],
        //      [7, 2, 8]]   (no ties, so every index is unambiguous)
        var y = tensor(new double[,] { { 3, 9, 1 }, { 7, 2, 8 } });
        y.max().ShouldBe([], ScalarType.Float64, [9]);
        y.min().ShouldBe([], ScalarType.Float64, [1]);

        var (rowMax, rowArg) = y.max(1);
        rowMax.ShouldBe([2], ScalarType.Float64, [9, 8]);
        rowArg.dtype.Should().Be(ScalarType.Int64);
        rowArg.ToArray<long>().Should().Equal(1L, 2L);

        var (colMax, colArg) = y.max(0);
        colMax.ShouldBeClose([7, 9, 8]);
        colArg.ToArray<long>().Should().Equal(1L, 0L, 1L);

        var (rowMin, rowMinArg) = y.min(1, keepdim: true);
        rowMin.ShouldBe([2, 1], ScalarType.Float64, [1, 2]);
        rowMinArg.shape.Should().Equal(2, 1);
        rowMinArg.ToArray<long>().Should().Equal(2L, 1L);

        var (colMin, colMinArg) = y.min(-2);
        colMin.ShouldBeClose([3, 2, 1]);
        colMinArg.ToArray<long>().Should().Equal(0L, 1L, 0L);
    }

    [Fact]
    public void argmax_and_argmin_flat_and_along_dimensions()
    {
        using var scope = NewDisposeScope();
        var y = tensor(new double[,] { { 3, 9, 1 }, { 7, 2, 8 } });
        y.argmax().ShouldBe([], ScalarType.Int64, [1]);                 // 9 is at flat position 1
        y.argmin().ShouldBe([], ScalarType.Int64, [2]);                 // 1 is at flat position 2
        y.argmax(0).ToArray<long>().Should().Equal(1L, 0L, 1L);
        y.argmax(1).ToArray<long>().Should().Equal(1L, 2L);
        argmax(y, 1, keepdim: true).shape.Should().Equal(2, 1);
        y.argmin(1, keepdim: true).ShouldBe([2, 1], ScalarType.Int64, [2, 1]);
    }

    [Fact]
    public void logsumexp_matches_the_stable_hand_formula_even_for_huge_values()
    {
        using var scope = NewDisposeScope();
        double[,] v = { { 1000, 1000, 999 }, { -1, 0, 1 } };
        // Stable form: lse(x) = m + log(sum(exp(x - m))) with m = max(x). exp(1000) overflows, so the naive form
        // would give inf for the first row.
        double Lse(params double[] xs)
        {
            var m = xs.Max();
            return m + Math.Log(xs.Sum(x => Math.Exp(x - m)));
        }
        var expected = new[] { Lse(1000, 1000, 999), Lse(-1, 0, 1) };   // 1000 + log(2 + e^-1), 1 + log(e^-2 + e^-1 + 1)
        expected[0].Should().BeApproximately(1000 + Math.Log(2 + Math.Exp(-1)), 1e-12);

        var x = tensor(v);
        x.logsumexp(1).ShouldBe([2], ScalarType.Float64, expected, 1e-14);
        logsumexp(x, 1, keepdim: true).shape.Should().Equal(2, 1);
        x.logsumexp(new long[] { 0, 1 }).ShouldBe([], ScalarType.Float64, [Lse(1000, 1000, 999, -1, 0, 1)], 1e-14);

        // Column-wise: lse(1000, -1) etc.
        x.logsumexp(0).ShouldBeClose([Lse(1000, -1), Lse(1000, 0), Lse(999, 1)], 1e-14);

        // float32 as well: still finite.
        var f = tensor(v, ScalarType.Float32).logsumexp(1);
        f.dtype.Should().Be(ScalarType.Float32);
        f.ShouldBeClose(expected, 1e-6);
    }

    [Theory]
    [InlineData(ScalarType.Float32, 1e-6)]
    [InlineData(ScalarType.Float64, 1e-14)]
    public void softmax_and_log_softmax_match_loop_references(ScalarType dtype, double tolerance)
    {
        using var scope = NewDisposeScope();
        double[,] v = { { 1, 2, 3 }, { -1, 0, 500 } };
        var x = tensor(v, dtype);

        // Reference along dim 1: softmax_j = exp(x_j - m) / sum_k exp(x_k - m), log_softmax_j = x_j - lse(x).
        var sm = new double[6];
        var lsm = new double[6];
        for (var i = 0; i < 2; i++)
        {
            var m = Math.Max(v[i, 0], Math.Max(v[i, 1], v[i, 2]));
            double z = 0;
            for (var j = 0; j < 3; j++) z += Math.Exp(v[i, j] - m);
            for (var j = 0; j < 3; j++)
            {
                sm[i * 3 + j] = Math.Exp(v[i, j] - m) / z;
                lsm[i * 3 + j] = v[i, j] - m - Math.Log(z);
            }
        }

        var s = x.softmax(1);
        s.ShouldBe([2, 3], dtype, sm, tolerance);
        softmax(x, -1).ShouldBeClose(sm, tolerance);
        s.sum(1L).ShouldBeClose([1, 1], tolerance, "rows of a softmax");

        var ls = x.log_softmax(1);
        ls.ShouldBe([2, 3], dtype, lsm, tolerance);
        log_softmax(x, 1).ShouldBeClose(lsm, tolerance);
        ls.exp().ShouldBeClose(sm, tolerance * 10);
        ls.Values().Should().OnlyContain(e => !double.IsInfinity(e) && !double.IsNaN(e), "log_softmax is computed stably");

        // Along dim 0 every column sums to 1.
        x.softmax(0).sum(0L).ShouldBeClose([1, 1, 1], tolerance);
    }

    [Fact]
    public void softmax_can_compute_in_another_dtype()
    {
        using var scope = NewDisposeScope();
        var x = tensor(new float[] { 0, 1 });
        // softmax([0, 1]) = [1 / (1 + e), e / (1 + e)].
        var s = x.softmax(0, ScalarType.Float64);
        s.ShouldBe([2], ScalarType.Float64, [1 / (1 + Math.E), Math.E / (1 + Math.E)], 1e-15);
        x.log_softmax(0, ScalarType.Float64).dtype.Should().Be(ScalarType.Float64);
    }

    [Fact]
    public void cumsum_all_and_any()
    {
        using var scope = NewDisposeScope();
        tensor(new[] { 1.0, 2.0, 3.0, 4.0 }).cumsum(0).ShouldBeClose([1, 3, 6, 10]);
        X().cumsum(1).ShouldBe([2, 3], ScalarType.Float32, [1, 3, 6, 4, 9, 15]);
        X().cumsum(0).ShouldBeClose([1, 2, 3, 5, 7, 9]);
        tensor(new[] { 1, 2 }).cumsum(0, ScalarType.Float64).dtype.Should().Be(ScalarType.Float64);

        var all = tensor(new[] { 1.0, 2.0 }).all();
        all.dtype.Should().Be(ScalarType.Bool);
        all.item<bool>().Should().BeTrue();
        tensor(new[] { 1.0, 0.0 }).all().item<bool>().Should().BeFalse();
        tensor(new[] { 0.0, 0.0 }).any().item<bool>().Should().BeFalse();
        tensor(new[] { 0.0, -3.0 }).any().item<bool>().Should().BeTrue();
        tensor(new[] { true, true }).all().item<bool>().Should().BeTrue();
    }

    [Fact]
    public void reductions_propagate_nan()
    {
        using var scope = NewDisposeScope();
        var x = tensor(new[] { 1.0, double.NaN, 3.0 });
        double.IsNaN(x.sum().item<double>()).Should().BeTrue();
        double.IsNaN(x.max().item<double>()).Should().BeTrue();
        double.IsNaN(x.min().item<double>()).Should().BeTrue();
    }
}
