using static LossKit.Torch.torch.nn;

namespace LossKit.Tests.References;

/// <summary>
/// Independent float64 reference for the soft F1 / Dice losses, written with plain loops over arrays (no LossKit or
/// libtorch calls). Data is laid out as (N, C, L) row-major, L the product of the spatial sizes (1 for (N, C));
/// Binary mode is (1, 1, numel). Counts: tp = Σ y·p, fp = Σ (1 - y)·p, fn = Σ y·(1 - p) over the counted entries;
/// F1_c = (2tp + ε) / (2tp + fp + fn + ε); classes with Σ y = 0 are left out of the macro mean.
/// </summary>
public static class OverlapReference
{
    public sealed record Result(double[] Values, double[] Grad, double[] PerClass, bool[] Present);

    /// <summary>
    /// The loss (reduced as asked: None gives the C per-class losses) and d(sum of the output)/dx.
    /// </summary>
    /// <param name="x">Input (logits, or probabilities when <paramref name="fromLogits"/> is false), (N, C, L).</param>
    /// <param name="classTarget">Multiclass: class indices (N, L); otherwise null.</param>
    /// <param name="floatTarget">Binary / Multilabel: targets (N, C, L); otherwise null.</param>
    public static Result Evaluate(double[] x, int n, int c, int l, long[]? classTarget, double[]? floatTarget, bool multiclass,
        bool fromLogits, bool micro, double eps, long ignoreIndex, Reduction reduction)
    {
        int At(int i, int k, int j) => (i * c + k) * l + j;
        var p = new double[x.Length];
        var y = new double[x.Length];
        var m = new double[x.Length];

        // Probabilities.
        for (var i = 0; i < n; i++)
            for (var j = 0; j < l; j++)
            {
                if (multiclass && fromLogits)
                {
                    var max = double.NegativeInfinity;
                    for (var k = 0; k < c; k++) max = Math.Max(max, x[At(i, k, j)]);
                    var z = 0.0;
                    for (var k = 0; k < c; k++) z += Math.Exp(x[At(i, k, j)] - max);
                    for (var k = 0; k < c; k++) p[At(i, k, j)] = Math.Exp(x[At(i, k, j)] - max) / z;
                }
                else
                {
                    for (var k = 0; k < c; k++)
                    {
                        var v = x[At(i, k, j)];
                        p[At(i, k, j)] = !fromLogits ? v : v >= 0 ? 1 / (1 + Math.Exp(-v)) : Math.Exp(v) / (1 + Math.Exp(v));
                    }
                }
            }

        // Targets and counted entries.
        for (var i = 0; i < n; i++)
            for (var j = 0; j < l; j++)
                for (var k = 0; k < c; k++)
                {
                    var e = At(i, k, j);
                    if (multiclass)
                    {
                        var t = classTarget![i * l + j];
                        m[e] = t == ignoreIndex ? 0 : 1;
                        y[e] = t == k ? 1 : 0;
                    }
                    else
                    {
                        var t = floatTarget![e];
                        m[e] = t == ignoreIndex ? 0 : 1;
                        y[e] = t == ignoreIndex ? 0 : t;
                    }
                }

        var tp = new double[c];
        var fp = new double[c];
        var fn = new double[c];
        var ySum = new double[c];
        for (var e = 0; e < x.Length; e++)
        {
            var k = e / l % c;
            if (m[e] == 0) continue;
            tp[k] += y[e] * p[e];
            fp[k] += (1 - y[e]) * p[e];
            fn[k] += y[e] * (1 - p[e]);
            ySum[k] += y[e];
        }
        var present = ySum.Select(s => s > 0).ToArray();
        var presentCount = present.Count(b => b);

        var perClass = new double[c];
        var gp = new double[x.Length]; // d(output sum)/dp
        double[] values;
        if (!micro)
        {
            var scale = reduction == Reduction.Mean ? (presentCount == 0 ? 0 : 1.0 / presentCount) : 1.0;
            for (var k = 0; k < c; k++)
            {
                if (!present[k]) continue;
                var num = 2 * tp[k] + eps;
                var den = 2 * tp[k] + fp[k] + fn[k] + eps;
                perClass[k] = 1 - num / den;
                for (var e = 0; e < x.Length; e++)
                    if (e / l % c == k && m[e] != 0)
                        gp[e] = -scale * (2 * y[e] * den - num) / (den * den);
            }
            var sum = perClass.Sum();
            values = reduction switch
            {
                Reduction.None => perClass,
                Reduction.Sum => [sum],
                _ => [presentCount == 0 ? 0 : sum / presentCount],
            };
        }
        else
        {
            double num = eps, den = eps;
            for (var k = 0; k < c; k++)
            {
                num += 2 * tp[k];
                den += 2 * tp[k] + fp[k] + fn[k];
            }
            var loss = 0.0;
            if (presentCount > 0)
            {
                loss = 1 - num / den;
                for (var e = 0; e < x.Length; e++)
                    if (m[e] != 0) gp[e] = -(2 * y[e] * den - num) / (den * den);
            }
            values = [loss];
        }

        // Chain rule through softmax / sigmoid.
        var grad = new double[x.Length];
        for (var i = 0; i < n; i++)
            for (var j = 0; j < l; j++)
            {
                if (multiclass && fromLogits)
                {
                    var dot = 0.0;
                    for (var k = 0; k < c; k++) dot += p[At(i, k, j)] * gp[At(i, k, j)];
                    for (var k = 0; k < c; k++) grad[At(i, k, j)] = p[At(i, k, j)] * (gp[At(i, k, j)] - dot);
                }
                else
                {
                    for (var k = 0; k < c; k++)
                    {
                        var e = At(i, k, j);
                        grad[e] = fromLogits ? gp[e] * p[e] * (1 - p[e]) : gp[e];
                    }
                }
            }
        return new Result(values, grad, perClass, present);
    }
}
