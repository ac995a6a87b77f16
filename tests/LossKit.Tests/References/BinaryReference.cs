using static LossKit.Torch.torch.nn;

namespace LossKit.Tests.References;

/// <summary>
/// Independent float64 references for the binary / multi-label losses and KL divergence, written with plain loops over
/// row-major arrays (no LossKit or libtorch calls): per-element values and hand-derived derivatives, then the reduction.
/// Weights and pos_weight are given already broadcast to one value per element (see <see cref="PerClass"/>).
/// </summary>
public static class BinaryReference
{
    /// <summary>σ(x) = 1 / (1 + e^-x), evaluated without overflow.</summary>
    public static double Sigmoid(double x) => x >= 0 ? 1 / (1 + Math.Exp(-x)) : Math.Exp(x) / (1 + Math.Exp(x));

    /// <summary>softplus(x) = log(1 + e^x) = -log σ(-x), without overflow.</summary>
    public static double Softplus(double x) => Math.Max(x, 0) + Log1p(Math.Exp(-Math.Abs(x)));

    /// <summary>log(1 + u), accurate for small u (Goldberg's trick: the rounding of 1 + u cancels out).</summary>
    public static double Log1p(double u)
    {
        var w = 1 + u;
        return w == 1 ? u : Math.Log(w) * u / (w - 1);
    }

    /// <summary>Repeats a per-class vector (length C, the last dimension) over all n / C rows.</summary>
    public static double[] PerClass(double[] perClass, int n)
    {
        var result = new double[n];
        for (var i = 0; i < n; i++) result[i] = perClass[i % perClass.Length];
        return result;
    }

    /// <summary>
    /// BCE on probabilities: ℓ = -w (y max(log p, -100) + (1 - y) max(log(1 - p), -100)).
    /// d/dp = -w (y / p - (1 - y) / (1 - p)) = w (p - y) / (p (1 - p)), for p strictly inside (0, 1).
    /// </summary>
    public static (double[] loss, double[] dInput) Bce(double[] p, double[] y, double[]? w)
    {
        var n = p.Length;
        var loss = new double[n];
        var grad = new double[n];
        for (var i = 0; i < n; i++)
        {
            var wi = w?[i] ?? 1.0;
            var logP = Math.Max(Math.Log(p[i]), -100);
            var log1mP = Math.Max(Math.Log(1 - p[i]), -100);
            loss[i] = -wi * (y[i] * logP + (1 - y[i]) * log1mP);
            grad[i] = -wi * (y[i] / p[i] - (1 - y[i]) / (1 - p[i]));
        }
        return (loss, grad);
    }

    /// <summary>
    /// BCE on logits with pos_weight P: ℓ = w (P y softplus(-x) + (1 - y) softplus(x)), since -log σ(x) = softplus(-x) and
    /// -log(1 - σ(x)) = softplus(x). With d softplus(x)/dx = σ(x) and d softplus(-x)/dx = -σ(-x) = -(1 - σ(x)):
    /// d/dx = w ((1 - y) σ(x) - P y (1 - σ(x))); d/dy = w (P softplus(-x) - softplus(x)).
    /// </summary>
    public static (double[] loss, double[] dInput, double[] dTarget) BceWithLogits(double[] x, double[] y, double[]? w, double[]? posWeight)
    {
        var n = x.Length;
        var loss = new double[n];
        var dx = new double[n];
        var dy = new double[n];
        for (var i = 0; i < n; i++)
        {
            var wi = w?[i] ?? 1.0;
            var pw = posWeight?[i] ?? 1.0;
            loss[i] = wi * (pw * y[i] * Softplus(-x[i]) + (1 - y[i]) * Softplus(x[i]));
            dx[i] = wi * ((1 - y[i]) * Sigmoid(x[i]) - pw * y[i] * (1 - Sigmoid(x[i])));
            dy[i] = wi * (pw * Softplus(-x[i]) - Softplus(x[i]));
        }
        return (loss, dx, dy);
    }

    /// <summary>
    /// Sigmoid focal loss, torchvision's definition for y in [0, 1]: ce = y softplus(-x) + (1 - y) softplus(x),
    /// q = 1 - pₜ = y σ(-x) + (1 - y) σ(x), αₜ = α y + (1 - α)(1 - y) (1 without α), FL = αₜ ce q^γ.
    /// Derivatives: dce/dx = σ(x) - y, dq/dx = (1 - 2y) σ(x) σ(-x), dq^γ/dx = γ q^(γ-1) dq/dx (0 for γ = 0), so
    /// dFL/dx = αₜ (dce/dx q^γ + ce dq^γ/dx); and dce/dy = softplus(-x) - softplus(x) = -x, dq/dy = σ(-x) - σ(x),
    /// dαₜ/dy = 2α - 1, dFL/dy = dαₜ/dy ce q^γ + αₜ (dce/dy q^γ + ce γ q^(γ-1) dq/dy).
    /// </summary>
    public static (double[] loss, double[] dInput, double[] dTarget) Focal(double[] x, double[] y, double? alpha, double gamma)
    {
        var n = x.Length;
        var loss = new double[n];
        var dx = new double[n];
        var dy = new double[n];
        for (var i = 0; i < n; i++)
        {
            double xi = x[i], yi = y[i];
            double s = Sigmoid(xi), sNeg = Sigmoid(-xi);
            var ce = yi * Softplus(-xi) + (1 - yi) * Softplus(xi);
            var q = yi * sNeg + (1 - yi) * s;
            var m = gamma == 0 ? 1.0 : Math.Pow(q, gamma);
            var dmdq = gamma == 0 ? 0.0 : gamma * Math.Pow(q, gamma - 1);
            var at = alpha is { } a ? a * yi + (1 - a) * (1 - yi) : 1.0;
            var dat = alpha is { } b ? 2 * b - 1 : 0.0;
            loss[i] = at * ce * m;
            dx[i] = at * ((s - yi) * m + ce * dmdq * (1 - 2 * yi) * s * sNeg);
            dy[i] = dat * ce * m + at * (-xi * m + ce * dmdq * (sNeg - s));
        }
        return (loss, dx, dy);
    }

    /// <summary>
    /// KL divergence of log-probabilities x: ℓ = t (log t - x) (0 where t = 0), d/dx = -t, d/dt = log t + 1 - x;
    /// with log_target ℓ = e^t (t - x), d/dx = -e^t, d/dt = e^t (t - x + 1).
    /// </summary>
    public static (double[] loss, double[] dInput, double[] dTarget) KlDiv(double[] x, double[] t, bool logTarget)
    {
        var n = x.Length;
        var loss = new double[n];
        var dx = new double[n];
        var dt = new double[n];
        for (var i = 0; i < n; i++)
        {
            if (logTarget)
            {
                var e = Math.Exp(t[i]);
                loss[i] = e * (t[i] - x[i]);
                dx[i] = -e;
                dt[i] = e * (t[i] - x[i] + 1);
            }
            else
            {
                loss[i] = t[i] == 0 ? 0 : t[i] * (Math.Log(t[i]) - x[i]);
                dx[i] = -t[i];
                dt[i] = t[i] == 0 ? double.NaN : Math.Log(t[i]) + 1 - x[i];
            }
        }
        return (loss, dx, dt);
    }

    /// <summary>
    /// Reduces per-element losses and scales per-element derivatives accordingly: None keeps them, Sum adds, Mean
    /// divides by the element count (0 and zero gradient when empty), BatchMean divides by <paramref name="batch"/>.
    /// </summary>
    public static (double[] values, double[] grad) Reduce(double[] loss, double[] grad, Reduction reduction, int batch = 1)
    {
        var n = loss.Length;
        var divisor = reduction switch
        {
            Reduction.None or Reduction.Sum => 1.0,
            Reduction.Mean => Math.Max(n, 1),
            Reduction.BatchMean => Math.Max(batch, 1),
            _ => throw new ArgumentOutOfRangeException(nameof(reduction)),
        };
        var g = new double[n];
        for (var i = 0; i < n; i++) g[i] = grad[i] / divisor;
        if (reduction == Reduction.None) return (loss, g);
        var sum = 0.0;
        for (var i = 0; i < n; i++) sum += loss[i];
        return (new[] { sum / divisor }, g);
    }
}
