using static LossKit.Torch.torch.nn;

namespace LossKit.Tests.References;

/// <summary>
/// Independent float64 references for the softmax classification losses, written with plain loops over arrays (no
/// LossKit or libtorch calls). Inputs are rows: x[n] holds the C scores of row n (for (N, C, d1, ...) tensors every
/// position is a row, see <see cref="ToRows"/>). Each loss returns the per-row losses, the per-row gradients
/// d ℓₙ / d x[n, c] derived by hand, and the weight w[yₙ] each row adds to the mean's denominator; <see cref="Reduce"/>
/// then applies a reduction to values and gradients.
/// </summary>
public static class ClassificationReference
{
    /// <summary>A per-row result: loss, gradient of that loss with respect to the row's scores, and the row's weight in the mean.</summary>
    public readonly record struct Row(double Loss, double[] Grad, double Denominator);

    /// <summary>log softmax of one row, shifted by the row maximum.</summary>
    public static double[] LogSoftmax(double[] row)
    {
        var max = double.NegativeInfinity;
        foreach (var v in row) max = Math.Max(max, v);
        var sum = 0.0;
        foreach (var v in row) sum += Math.Exp(v - max);
        var lse = max + Math.Log(sum);
        var result = new double[row.Length];
        for (var c = 0; c < row.Length; c++) result[c] = row[c] - lse;
        return result;
    }

    /// <summary>softmax of one row.</summary>
    public static double[] Softmax(double[] row)
    {
        var logp = LogSoftmax(row);
        var p = new double[row.Length];
        for (var c = 0; c < row.Length; c++) p[c] = Math.Exp(logp[c]);
        return p;
    }

    private static double W(double[]? w, long c) => w is null ? 1.0 : w[c];

    /// <summary>
    /// Cross-entropy of logits with a target distribution t (already smoothed): ℓ = -Σ_k w[k] t[k] log p[k],
    /// dℓ/dx[c] = p[c] Σ_k w[k] t[k] - w[c] t[c].
    /// </summary>
    public static (double loss, double[] grad) DistributionLoss(double[] x, double[] t, double[]? w)
    {
        var logp = LogSoftmax(x);
        var c = x.Length;
        var loss = 0.0;
        var mass = 0.0;
        for (var k = 0; k < c; k++)
        {
            loss -= W(w, k) * t[k] * logp[k];
            mass += W(w, k) * t[k];
        }
        var grad = new double[c];
        for (var k = 0; k < c; k++) grad[k] = Math.Exp(logp[k]) * mass - W(w, k) * t[k];
        return (loss, grad);
    }

    /// <summary>PyTorch's label smoothing of a class index: (1 - ε) on y plus ε / C everywhere.</summary>
    public static double[] PyTorchSmoothedTarget(long y, int classes, double eps)
    {
        var t = new double[classes];
        for (var k = 0; k < classes; k++) t[k] = eps / classes + (k == y ? 1 - eps : 0);
        return t;
    }

    /// <summary>The seed's ("confidence") label smoothing: 1 - ε on y, ε / (C - 1) on every other class.</summary>
    public static double[] SeedSmoothedTarget(long y, int classes, double eps)
    {
        var t = new double[classes];
        for (var k = 0; k < classes; k++) t[k] = k == y ? 1 - eps : eps / (classes - 1);
        return t;
    }

    /// <summary>Cross-entropy with class indices, weights, ignore_index and PyTorch's label smoothing ε.</summary>
    public static Row[] CrossEntropy(double[][] x, long[] y, double[]? w, long ignoreIndex, double eps = 0)
    {
        var rows = new Row[x.Length];
        for (var n = 0; n < x.Length; n++)
        {
            var c = x[n].Length;
            if (y[n] == ignoreIndex) { rows[n] = new Row(0, new double[c], 0); continue; }
            var (loss, grad) = DistributionLoss(x[n], PyTorchSmoothedTarget(y[n], c, eps), w);
            rows[n] = new Row(loss, grad, W(w, y[n]));
        }
        return rows;
    }

    /// <summary>Cross-entropy with probability targets t (smoothed to (1 - ε) t + ε / C); every row counts 1 in the mean.</summary>
    public static Row[] CrossEntropySoft(double[][] x, double[][] t, double[]? w, double eps = 0)
    {
        var rows = new Row[x.Length];
        for (var n = 0; n < x.Length; n++)
        {
            var c = x[n].Length;
            var smoothed = new double[c];
            for (var k = 0; k < c; k++) smoothed[k] = (1 - eps) * t[n][k] + eps / c;
            var (loss, grad) = DistributionLoss(x[n], smoothed, w);
            rows[n] = new Row(loss, grad, 1);
        }
        return rows;
    }

    /// <summary>The seed's label smoothing with the weights as in PyTorch's weighted smoothing.</summary>
    public static Row[] SeedLabelSmoothing(double[][] x, long[] y, double[]? w, long ignoreIndex, double eps)
    {
        var rows = new Row[x.Length];
        for (var n = 0; n < x.Length; n++)
        {
            var c = x[n].Length;
            if (y[n] == ignoreIndex) { rows[n] = new Row(0, new double[c], 0); continue; }
            var (loss, grad) = DistributionLoss(x[n], SeedSmoothedTarget(y[n], c, eps), w);
            rows[n] = new Row(loss, grad, W(w, y[n]));
        }
        return rows;
    }

    /// <summary>NLL of log-probabilities: ℓ = -w[y] x[y], dℓ/dx[c] = -w[y] if c = y else 0.</summary>
    public static Row[] Nll(double[][] x, long[] y, double[]? w, long ignoreIndex)
    {
        var rows = new Row[x.Length];
        for (var n = 0; n < x.Length; n++)
        {
            var grad = new double[x[n].Length];
            if (y[n] == ignoreIndex) { rows[n] = new Row(0, grad, 0); continue; }
            grad[y[n]] = -W(w, y[n]);
            rows[n] = new Row(-W(w, y[n]) * x[n][y[n]], grad, W(w, y[n]));
        }
        return rows;
    }

    /// <summary>
    /// Softmax focal loss ℓ = -w[y] (1 - p)^γ log p with p = softmax(x)[y];
    /// dℓ/dx[c] = w[y] g (p[c] - [c = y]) with g = q^γ - γ q^(γ-1) p log p, q = 1 - p.
    /// </summary>
    public static Row[] Focal(double[][] x, long[] y, double[]? w, long ignoreIndex, double gamma)
    {
        var rows = new Row[x.Length];
        for (var n = 0; n < x.Length; n++)
        {
            var c = x[n].Length;
            if (y[n] == ignoreIndex) { rows[n] = new Row(0, new double[c], 0); continue; }
            var logp = LogSoftmax(x[n]);
            var lp = logp[y[n]];
            var p = Math.Exp(lp);
            var q = 1 - p;
            var wy = W(w, y[n]);
            var loss = -wy * Math.Pow(q, gamma) * lp;
            var g = gamma == 0 ? 1.0 : Math.Pow(q, gamma) - gamma * Math.Pow(q, gamma - 1) * p * lp;
            var grad = new double[c];
            for (var k = 0; k < c; k++) grad[k] = wy * g * (Math.Exp(logp[k]) - (k == y[n] ? 1 : 0));
            rows[n] = new Row(loss, grad, wy);
        }
        return rows;
    }

    /// <summary>
    /// Reduces per-row results. Values: the per-row losses (None) or one number (Sum; Mean = Σ ℓ / Σ denominators,
    /// 0 when that is 0). Gradient: d(sum of the result)/dx per row, [row][class].
    /// </summary>
    public static (double[] values, double[][] grad) Reduce(Row[] rows, Reduction reduction)
    {
        var grad = rows.Select(r => (double[])r.Grad.Clone()).ToArray();
        switch (reduction)
        {
            case Reduction.None:
                return (rows.Select(r => r.Loss).ToArray(), grad);
            case Reduction.Sum:
                return (new[] { rows.Sum(r => r.Loss) }, grad);
            default:
                var d = rows.Sum(r => r.Denominator);
                if (d == 0) return (new[] { 0.0 }, grad.Select(g => new double[g.Length]).ToArray());
                foreach (var g in grad)
                    for (var k = 0; k < g.Length; k++) g[k] /= d;
                return (new[] { rows.Sum(r => r.Loss) / d }, grad);
        }
    }

    /// <summary>
    /// Rows of a row-major (N, C, S) array (S = d1·d2·..., 1 without extra dimensions): row n·S + s holds
    /// x[n, :, s], in the order of the target's positions.
    /// </summary>
    public static double[][] ToRows(double[] flat, int n, int c, int s = 1)
    {
        var rows = new double[n * s][];
        for (var i = 0; i < n; i++)
            for (var j = 0; j < s; j++)
            {
                var row = new double[c];
                for (var k = 0; k < c; k++) row[k] = flat[(i * c + k) * s + j];
                rows[i * s + j] = row;
            }
        return rows;
    }

    /// <summary>The inverse of <see cref="ToRows"/>: per-row values back into a row-major (N, C, S) array.</summary>
    public static double[] FromRows(double[][] rows, int n, int c, int s = 1)
    {
        var flat = new double[n * c * s];
        for (var i = 0; i < n; i++)
            for (var j = 0; j < s; j++)
                for (var k = 0; k < c; k++) flat[(i * c + k) * s + j] = rows[i * s + j][k];
        return flat;
    }
}
