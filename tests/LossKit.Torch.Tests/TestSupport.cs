using static LossKit.Torch.torch;

namespace LossKit.Torch.Tests;

/// <summary>
/// Tests that touch process-wide state (the global random generator, the intra-op thread count, the resident set
/// size) run in this collection: xunit runs it alone, after every parallel collection has finished, so no other
/// test draws random numbers between a manual_seed and the draws it is meant to fix, and nothing else allocates
/// while memory is measured.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SerialCollection
{
    public const string Name = "Process-wide state";
}

/// <summary>Helpers for reading tensors back and comparing them with references computed in plain C#.</summary>
internal static class TestSupport
{
    /// <summary>The values of any numeric tensor, converted to double, in row-major order.</summary>
    public static double[] Values(this Tensor t)
    {
        using var detached = t.detach();
        using var asDouble = detached.to(ScalarType.Float64);
        return asDouble.ToArray<double>();
    }

    /// <summary>Asserts element-wise |actual - expected| &lt;= tolerance · max(1, |expected|); NaN and infinities must match exactly.</summary>
    public static void ShouldBeClose(this double[] actual, double[] expected, double tolerance = 1e-6, string what = "values")
    {
        actual.Should().HaveCount(expected.Length, $"{what} should have {expected.Length} elements");
        for (var i = 0; i < expected.Length; i++)
        {
            var e = expected[i];
            var a = actual[i];
            if (double.IsNaN(e))
            {
                double.IsNaN(a).Should().BeTrue($"{what}[{i}] should be NaN, got {a}");
                continue;
            }
            if (double.IsInfinity(e))
            {
                a.Should().Be(e, $"{what}[{i}] should be {e}");
                continue;
            }
            Math.Abs(a - e).Should().BeLessThanOrEqualTo(tolerance * Math.Max(1, Math.Abs(e)),
                $"{what}[{i}] should be {e:R} (within {tolerance:G3}), got {a:R}");
        }
    }

    /// <summary>Asserts the tensor's values (any numeric dtype) against <paramref name="expected"/>.</summary>
    public static void ShouldBeClose(this Tensor actual, double[] expected, double tolerance = 1e-6, string what = "values") =>
        actual.Values().ShouldBeClose(expected, tolerance, what);

    /// <summary>Asserts shape, dtype and values in one go.</summary>
    public static void ShouldBe(this Tensor actual, long[] shape, ScalarType dtype, double[] values, double tolerance = 1e-6)
    {
        actual.shape.Should().Equal(shape);
        actual.dtype.Should().Be(dtype);
        actual.ShouldBeClose(values, tolerance);
    }

    /// <summary>Row-major flattening of a rectangular C# array.</summary>
    public static double[] Flat(double[,] a)
    {
        var r = new double[a.Length];
        var k = 0;
        foreach (var v in a) r[k++] = v;
        return r;
    }
}
