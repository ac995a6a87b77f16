using LossKit.Tests.Infrastructure;
using LossKit.Tests.References;
using LossKit.Torch;
using static LossKit.Torch.torch;
using static LossKit.Torch.torch.nn;

namespace LossKit.Tests.Sequence;

/// <summary>A seeded random CTC batch: log-probabilities (T, N, C), targets, lengths, blank.</summary>
public sealed class CtcData
{
    public required int T { get; init; }
    public required int N { get; init; }
    public required int C { get; init; }
    public required long Blank { get; init; }
    public required double[] Logits { get; init; }
    public required long[][] Targets { get; init; }
    public required long[] InputLengths { get; init; }

    public double[] LogProbs => CtcReference.LogSoftmax(Logits, C);
    public int S => Math.Max(1, Targets.Max(t => t.Length));

    public Tensor LogProbsTensor(ScalarType dtype = ScalarType.Float64, bool requiresGrad = false) => Rng.Tensor(LogProbs, [T, N, C], dtype, requiresGrad);
    public Tensor LogitsTensor(ScalarType dtype = ScalarType.Float64, bool requiresGrad = false) => Rng.Tensor(Logits, [T, N, C], dtype, requiresGrad);

    /// <summary>(N, S), padded with <paramref name="padding"/> (the loss must ignore whatever lies past each length).</summary>
    public Tensor Padded(long padding = 0)
    {
        var data = new long[N * S];
        for (var n = 0; n < N; n++)
            for (var j = 0; j < S; j++) data[n * S + j] = j < Targets[n].Length ? Targets[n][j] : padding;
        return tensor(data, [N, S]);
    }

    public Tensor Concatenated() => tensor(Targets.SelectMany(t => t).ToArray(), [Targets.Sum(t => (long)t.Length)]);
    public Tensor InputLengthsTensor() => tensor(InputLengths);
    public Tensor TargetLengthsTensor() => tensor(Targets.Select(t => (long)t.Length).ToArray());

    public CtcReference.Result Reference(Reduction reduction, bool zeroInfinity = false, bool bruteForce = true) =>
        CtcReference.Evaluate(LogProbs, T, N, C, Targets, InputLengths, Blank, reduction, zeroInfinity, bruteForce);

    /// <summary>
    /// Random targets whose alignments all exist: S_n labels (≠ blank) with T_n ≥ S_n + repeats_n.
    /// </summary>
    public static CtcData Make(int seed, int T, int N, int C, int maxS, long blank = 0, double scale = 1.5)
    {
        var rng = new Rng(seed);
        var labels = Enumerable.Range(0, C).Select(k => (long)k).Where(k => k != blank).ToArray();
        var targets = new long[N][];
        var inputLengths = new long[N];
        for (var n = 0; n < N; n++)
        {
            inputLengths[n] = n == 0 ? T : rng.Integers(1, Math.Max(1, T - 2), T + 1)[0];
            while (true)
            {
                var s = (int)rng.Integers(1, 0, maxS + 1)[0];
                var target = rng.Integers(s, 0, labels.Length).Select(i => labels[i]).ToArray();
                var repeats = target.Zip(target.Skip(1)).Count(p => p.First == p.Second);
                if (s + repeats > inputLengths[n]) continue;
                targets[n] = target;
                break;
            }
        }
        return new CtcData { T = T, N = N, C = C, Blank = blank, Logits = rng.Normal(T * N * C, scale), Targets = targets, InputLengths = inputLengths };
    }
}
