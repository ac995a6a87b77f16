using static LossKit.Torch.torch.nn;

namespace LossKit.Tests.References;

/// <summary>
/// Independent float64 references for the CTC loss, with plain loops over arrays (no LossKit or libtorch calls).
/// <see cref="BruteForce"/> enumerates every alignment (C^T of them: tiny cases only), collapses it and adds the
/// probabilities of those that give the target; <see cref="AlphaBeta"/> is Graves' forward-backward recursion in log space
/// for larger cases (checked against the brute force). Both return ℓ = -log P and the true derivative
/// ∂ℓ/∂log_probs[t, k] = -Σ_{π collapsing to the target, π_t = k} P(π) / P (minus the occupancy γ_t(k)).
/// </summary>
public static class CtcReference
{
    /// <summary>Merge repeats, then drop blanks.</summary>
    public static List<long> Collapse(IReadOnlyList<long> alignment, long blank)
    {
        var result = new List<long>();
        long previous = -1;
        foreach (var s in alignment)
        {
            if (s != previous && s != blank) result.Add(s);
            previous = s;
        }
        return result;
    }

    /// <param name="lp">Log-probabilities (frames, C) of one sample, row-major; only the first <paramref name="frames"/> rows are used.</param>
    public static (double loss, double[] grad) BruteForce(double[] lp, int frames, int c, IReadOnlyList<long> target, long blank)
    {
        var grad = new double[lp.Length];
        var mass = new double[lp.Length]; // Σ P(π) over valid π with π_t = k
        double total = 0;
        var alignment = new long[frames];
        var count = (long)Math.Pow(c, frames);
        for (long code = 0; code < count; code++)
        {
            var rest = code;
            for (var t = 0; t < frames; t++)
            {
                alignment[t] = rest % c;
                rest /= c;
            }
            if (!Collapse(alignment, blank).SequenceEqual(target)) continue;
            var logP = 0.0;
            for (var t = 0; t < frames; t++) logP += lp[t * c + alignment[t]];
            var p = Math.Exp(logP);
            total += p;
            for (var t = 0; t < frames; t++) mass[t * c + alignment[t]] += p;
        }
        if (total == 0) return (double.PositiveInfinity, grad);
        for (var i = 0; i < lp.Length; i++) grad[i] = -mass[i] / total;
        return (-Math.Log(total), grad);
    }

    private static double LogAdd(double a, double b)
    {
        if (double.IsNegativeInfinity(a)) return b;
        if (double.IsNegativeInfinity(b)) return a;
        var m = Math.Max(a, b);
        return m + Math.Log(Math.Exp(a - m) + Math.Exp(b - m));
    }

    /// <summary>Forward-backward (alpha-beta) in log space; same contract as <see cref="BruteForce"/>.</summary>
    public static (double loss, double[] grad) AlphaBeta(double[] lp, int frames, int c, IReadOnlyList<long> target, long blank)
    {
        var grad = new double[lp.Length];
        var s = target.Count;
        var length = 2 * s + 1;
        var ext = new long[length];
        for (var i = 0; i < length; i++) ext[i] = i % 2 == 0 ? blank : target[i / 2];
        if (frames == 0) return s == 0 ? (0.0, grad) : (double.PositiveInfinity, grad);

        double Lp(int t, long k) => lp[t * c + (int)k];
        var alpha = new double[frames, length];
        var beta = new double[frames, length];
        for (var t = 0; t < frames; t++)
            for (var i = 0; i < length; i++) alpha[t, i] = beta[t, i] = double.NegativeInfinity;
        alpha[0, 0] = Lp(0, blank);
        if (length > 1) alpha[0, 1] = Lp(0, ext[1]);
        for (var t = 1; t < frames; t++)
            for (var i = 0; i < length; i++)
            {
                var a = alpha[t - 1, i];
                if (i >= 1) a = LogAdd(a, alpha[t - 1, i - 1]);
                if (i >= 2 && ext[i] != blank && ext[i] != ext[i - 2]) a = LogAdd(a, alpha[t - 1, i - 2]);
                alpha[t, i] = double.IsNegativeInfinity(a) ? a : a + Lp(t, ext[i]);
            }
        var last = frames - 1;
        beta[last, length - 1] = Lp(last, blank);
        if (length > 1) beta[last, length - 2] = Lp(last, ext[length - 2]);
        for (var t = last - 1; t >= 0; t--)
            for (var i = 0; i < length; i++)
            {
                var b = beta[t + 1, i];
                if (i + 1 < length) b = LogAdd(b, beta[t + 1, i + 1]);
                if (i + 2 < length && ext[i] != blank && ext[i] != ext[i + 2]) b = LogAdd(b, beta[t + 1, i + 2]);
                beta[t, i] = double.IsNegativeInfinity(b) ? b : b + Lp(t, ext[i]);
            }
        var logP = alpha[last, length - 1];
        if (length > 1) logP = LogAdd(logP, alpha[last, length - 2]);
        if (double.IsNegativeInfinity(logP)) return (double.PositiveInfinity, grad);
        for (var t = 0; t < frames; t++)
            for (var i = 0; i < length; i++)
            {
                var both = alpha[t, i] + beta[t, i];
                if (double.IsNegativeInfinity(both)) continue;
                // α and β both include frame t's probability of ext[i]: divide it out once.
                grad[t * c + (int)ext[i]] -= Math.Exp(both - Lp(t, ext[i]) - logP);
            }
        return (-logP, grad);
    }

    public sealed record Result(double[] PerSample, double[] Values, double[] GradTrue, double[] GradTorch, bool[] Infinite);

    /// <summary>
    /// A batch: log_probs (T, N, C) row-major, the target of each sample, T_n; the reduced values (None: N values) and
    /// d(sum of the output)/d log_probs, both the true derivative and PyTorch's form (true + scale_n · exp(log_probs) on
    /// frames t &lt; T_n, the term log_softmax's backward cancels; 0 everywhere for a sample zeroed by zero_infinity).
    /// </summary>
    public static Result Evaluate(double[] lp, int T, int n, int c, long[][] targets, long[] inputLengths, long blank,
        Reduction reduction, bool zeroInfinity, bool bruteForce)
    {
        var perSample = new double[n];
        var infinite = new bool[n];
        var gradTrue = new double[lp.Length];
        var gradTorch = new double[lp.Length];
        for (var b = 0; b < n; b++)
        {
            var frames = (int)inputLengths[b];
            var sample = new double[frames * c];
            for (var t = 0; t < frames; t++)
                for (var k = 0; k < c; k++) sample[t * c + k] = lp[(t * n + b) * c + k];
            var (loss, grad) = bruteForce ? BruteForce(sample, frames, c, targets[b], blank) : AlphaBeta(sample, frames, c, targets[b], blank);
            infinite[b] = double.IsPositiveInfinity(loss);
            perSample[b] = infinite[b] && zeroInfinity ? 0 : loss;
            if (infinite[b]) continue; // zero_infinity: zero gradient; otherwise not compared (NaN in PyTorch)
            var scale = reduction == Reduction.Mean ? 1.0 / (n * Math.Max(targets[b].Length, 1)) : 1.0;
            for (var t = 0; t < frames; t++)
                for (var k = 0; k < c; k++)
                {
                    var e = (t * n + b) * c + k;
                    gradTrue[e] = scale * grad[t * c + k];
                    gradTorch[e] = scale * (grad[t * c + k] + Math.Exp(lp[e]));
                }
        }
        double[] values = reduction switch
        {
            Reduction.None => perSample,
            Reduction.Sum => [perSample.Sum()],
            _ => [n == 0 ? 0 : perSample.Select((v, b) => v / Math.Max(targets[b].Length, 1)).Sum() / n],
        };
        return new Result(perSample, values, gradTrue, gradTorch, infinite);
    }

    /// <summary>Chain rule through log_softmax over the last dimension: g_x = g - softmax(x) · Σ_k g.</summary>
    public static double[] ThroughLogSoftmax(double[] gradLogProbs, double[] logProbs, int c)
    {
        var result = new double[gradLogProbs.Length];
        for (var row = 0; row < gradLogProbs.Length / c; row++)
        {
            var total = 0.0;
            for (var k = 0; k < c; k++) total += gradLogProbs[row * c + k];
            for (var k = 0; k < c; k++) result[row * c + k] = gradLogProbs[row * c + k] - Math.Exp(logProbs[row * c + k]) * total;
        }
        return result;
    }

    /// <summary>Log-softmax of each row of (rows, C).</summary>
    public static double[] LogSoftmax(double[] x, int c)
    {
        var result = new double[x.Length];
        for (var row = 0; row < x.Length / c; row++)
        {
            var max = double.NegativeInfinity;
            for (var k = 0; k < c; k++) max = Math.Max(max, x[row * c + k]);
            var z = 0.0;
            for (var k = 0; k < c; k++) z += Math.Exp(x[row * c + k] - max);
            for (var k = 0; k < c; k++) result[row * c + k] = x[row * c + k] - max - Math.Log(z);
        }
        return result;
    }
}
