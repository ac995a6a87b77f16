using LossKit.Torch;
using static LossKit.Torch.torch;

namespace LossKit.Tests.Infrastructure;

/// <summary>Seeded random test data, generated in .NET (independent of libtorch's generator).</summary>
public sealed class Rng
{
    private readonly Random _random;

    public Rng(int seed) => _random = new Random(seed);

    /// <summary>Standard normal samples (Box-Muller), scaled.</summary>
    public double[] Normal(int count, double scale = 1.0)
    {
        var result = new double[count];
        for (var i = 0; i < count; i++)
        {
            var u1 = 1.0 - _random.NextDouble();
            var u2 = _random.NextDouble();
            result[i] = scale * Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
        }
        return result;
    }

    /// <summary>Uniform samples in [low, high).</summary>
    public double[] Uniform(int count, double low, double high) =>
        Enumerable.Range(0, count).Select(_ => low + (high - low) * _random.NextDouble()).ToArray();

    /// <summary>Integers in [low, high).</summary>
    public long[] Integers(int count, long low, long high) =>
        Enumerable.Range(0, count).Select(_ => _random.NextInt64(low, high)).ToArray();

    /// <summary>Rows of probabilities (each row sums to 1) from a softmax of normal samples.</summary>
    public double[] ProbabilityRows(int rows, int classes)
    {
        var logits = Normal(rows * classes, 2.0);
        var result = new double[rows * classes];
        for (var r = 0; r < rows; r++)
        {
            var max = double.NegativeInfinity;
            for (var c = 0; c < classes; c++) max = Math.Max(max, logits[r * classes + c]);
            var sum = 0.0;
            for (var c = 0; c < classes; c++) sum += result[r * classes + c] = Math.Exp(logits[r * classes + c] - max);
            for (var c = 0; c < classes; c++) result[r * classes + c] /= sum;
        }
        return result;
    }

    public static Tensor Tensor(double[] values, long[] shape, ScalarType dtype = ScalarType.Float64, bool requiresGrad = false)
    {
        var t = dtype == ScalarType.Float64 ? tensor(values, shape) : tensor(values.Select(v => (float)v).ToArray(), shape);
        if (requiresGrad) t.requires_grad = true;
        return t;
    }
}
