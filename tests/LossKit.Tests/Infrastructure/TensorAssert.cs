using System.Globalization;
using LossKit.Torch;
using static LossKit.Torch.torch;

namespace LossKit.Tests.Infrastructure;

/// <summary>Assertions on tensor values with explicit tolerances: |actual - expected| ≤ atol + rtol · |expected|.</summary>
public static class TensorAssert
{
    /// <summary>Tolerances for comparing a float32 computation against a float64 reference.</summary>
    public const double Float32Rtol = 1e-5, Float32Atol = 1e-6;

    /// <summary>Tolerances for comparing float64 computations done in a different order.</summary>
    public const double Float64Rtol = 1e-10, Float64Atol = 1e-12;

    public static (double rtol, double atol) TolerancesFor(Tensor t) =>
        t.dtype == ScalarType.Float64 ? (Float64Rtol, Float64Atol) : (Float32Rtol, Float32Atol);

    /// <summary>All values of a floating tensor, as doubles.</summary>
    public static double[] Values(Tensor t)
    {
        if (t.dtype == ScalarType.Float64) return t.ToArray<double>();
        using var d = t.to(ScalarType.Float64);
        return d.ToArray<double>();
    }

    public static void Close(Tensor actual, double[] expected, long[]? shape = null, double? rtol = null, double? atol = null, string because = "")
    {
        if (shape is not null) actual.shape.Should().Equal(shape, "the shape must match {0}", because);
        var (r, a) = TolerancesFor(actual);
        Close(Values(actual), expected, rtol ?? r, atol ?? a, because);
    }

    public static void Close(Tensor actual, double expected, double? rtol = null, double? atol = null, string because = "")
    {
        actual.numel().Should().Be(1, "a single value is expected {0}", because);
        Close(actual, new[] { expected }, null, rtol, atol, because);
    }

    public static void Close(Tensor actual, Tensor expected, double? rtol = null, double? atol = null, string because = "")
    {
        actual.shape.Should().Equal(expected.shape, "the shapes must match {0}", because);
        Close(actual, Values(expected), null, rtol, atol, because);
    }

    public static void Close(IReadOnlyList<double> actual, IReadOnlyList<double> expected, double rtol, double atol, string because = "")
    {
        actual.Count.Should().Be(expected.Count, "the element counts must match {0}", because);
        for (var i = 0; i < actual.Count; i++)
        {
            var e = expected[i];
            var x = actual[i];
            if (double.IsNaN(e))
            {
                double.IsNaN(x).Should().BeTrue($"element {i} should be NaN {because}");
                continue;
            }
            if (double.IsInfinity(e))
            {
                x.Should().Be(e, $"element {i} should be {e} {because}");
                continue;
            }
            var tol = atol + rtol * Math.Abs(e);
            Math.Abs(x - e).Should().BeLessThanOrEqualTo(tol,
                string.Create(CultureInfo.InvariantCulture, $"element {i} is {x:R}, expected {e:R} (tolerance {tol:G3}) {because}"));
        }
    }
}
