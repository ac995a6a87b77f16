using LossKit.Torch.Modules;
using static LossKit.Torch.torch;

namespace LossKit.Torch.Tests.Optim;

/// <summary>The parameters of <see cref="OptimProblem"/> as LossKit parameters, with the loss's backward pass.</summary>
internal sealed class ProblemParameters : IDisposable
{
    public ProblemParameters(ScalarType dtype = ScalarType.Float64)
    {
        DType = dtype;
        Parameters = OptimProblem.Shapes.Select((shape, i) =>
        {
            using var data = tensor(OptimProblem.Init[i], shape, dtype);
            return new Parameter(data);
        }).ToArray();
    }

    public ScalarType DType { get; }

    public Parameter[] Parameters { get; }

    /// <summary>Sets the gradients: backward of Σ a·p·p + b·p over p0 and p1, built as the golden generator builds it.</summary>
    public void Backward(IList<bool>? inLoss = null)
    {
        using var scope = NewDisposeScope();
        Tensor? loss = null;
        for (var i = 0; i < OptimProblem.A.Length; i++)
        {
            if (inLoss is not null && !inLoss[i]) continue;
            var a = tensor(OptimProblem.A[i], OptimProblem.Shapes[i], DType);
            var b = tensor(OptimProblem.B[i], OptimProblem.Shapes[i], DType);
            var p = Parameters[i];
            var term = (a * p * p).sum() + (b * p).sum();
            loss = loss is null ? term : loss + term;
        }
        loss!.backward();
    }

    /// <summary>The values of parameter <paramref name="i"/> as doubles.</summary>
    public double[] Values(int i) => Read(Parameters[i]);

    public static double[] Read(Tensor t) => t.dtype == ScalarType.Float64
        ? t.ToArray<double>()
        : t.ToArray<float>().Select(x => (double)x).ToArray();

    public void Dispose()
    {
        foreach (var p in Parameters) p.Dispose();
    }
}

internal static class Close
{
    /// <summary>Largest |actual − expected| / max(|expected|, floor) over the elements.</summary>
    public static double RelativeError(double[] actual, double[] expected, double floor = 1e-3)
    {
        actual.Length.Should().Be(expected.Length);
        var worst = 0.0;
        for (var i = 0; i < actual.Length; i++)
            worst = Math.Max(worst, Math.Abs(actual[i] - expected[i]) / Math.Max(Math.Abs(expected[i]), floor));
        return worst;
    }

    /// <summary>Asserts |actual − expected| ≤ rel·max(|expected|, floor) element by element.</summary>
    public static void Assert(double[] actual, double[] expected, double rel, string because, double floor = 1e-3)
    {
        actual.Length.Should().Be(expected.Length, because);
        for (var i = 0; i < actual.Length; i++)
        {
            var tolerance = rel * Math.Max(Math.Abs(expected[i]), floor);
            actual[i].Should().BeApproximately(expected[i], tolerance, $"{because}, element {i}");
        }
    }
}
