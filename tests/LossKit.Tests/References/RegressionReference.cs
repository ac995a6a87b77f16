using static LossKit.Torch.torch.nn;

namespace LossKit.Tests.References;

/// <summary>
/// Independent float64 references for the element-wise regression losses, written with plain loops over arrays
/// (no LossKit or libtorch calls): the per-element value ℓ(e) and derivative dℓ/dx of e = x - y, and the reduction.
/// </summary>
public static class RegressionReference
{
    public static double Mse(double e) => e * e;
    public static double MseGrad(double e) => 2 * e;

    public static double L1(double e) => Math.Abs(e);
    public static double L1Grad(double e) => Math.Sign(e);

    public static double Huber(double e, double delta) =>
        Math.Abs(e) < delta ? 0.5 * e * e : delta * (Math.Abs(e) - 0.5 * delta);
    public static double HuberGrad(double e, double delta) =>
        Math.Abs(e) < delta ? e : delta * Math.Sign(e);

    public static double SmoothL1(double e, double beta) =>
        beta == 0 ? Math.Abs(e) : Math.Abs(e) < beta ? 0.5 * e * e / beta : Math.Abs(e) - 0.5 * beta;
    public static double SmoothL1Grad(double e, double beta) =>
        beta == 0 ? Math.Sign(e) : Math.Abs(e) < beta ? e / beta : Math.Sign(e);

    /// <summary>The exp-linear smooth loss, written piecewise (the implementation uses the clip form).</summary>
    public static double Smooth(double e, double delta, double alpha)
    {
        var a = Math.Abs(e);
        return a <= alpha ? delta / alpha * e * e * Math.Exp(1 - a / alpha) : delta * a;
    }

    /// <summary>d/de of the piecewise form: (δ/α) e exp(1 - |e|/α)(2 - |e|/α) inside, δ sign(e) outside.</summary>
    public static double SmoothGrad(double e, double delta, double alpha)
    {
        var a = Math.Abs(e);
        return a <= alpha ? delta / alpha * e * Math.Exp(1 - a / alpha) * (2 - a / alpha) : delta * Math.Sign(e);
    }

    /// <summary>Element losses and d(reduced)/dx for an element-wise loss.</summary>
    public static (double[] values, double[] grad) Evaluate(double[] x, double[] y, Func<double, double> loss,
        Func<double, double> derivative, Reduction reduction)
    {
        var n = x.Length;
        var values = new double[n];
        var grad = new double[n];
        for (var i = 0; i < n; i++)
        {
            values[i] = loss(x[i] - y[i]);
            grad[i] = derivative(x[i] - y[i]);
        }
        switch (reduction)
        {
            case Reduction.None:
                return (values, grad);
            case Reduction.Sum:
                return (new[] { values.Sum() }, grad);
            default:
                if (n == 0) return (new[] { 0.0 }, grad);
                for (var i = 0; i < n; i++) grad[i] /= n;
                return (new[] { values.Sum() / n }, grad);
        }
    }

    /// <summary>RMSE: √(reduce(e²) + ε) and its gradient.</summary>
    public static (double[] values, double[] grad) Rmse(double[] x, double[] y, Reduction reduction, double eps)
    {
        var n = x.Length;
        var values = new double[n];
        var grad = new double[n];
        if (reduction == Reduction.None)
        {
            for (var i = 0; i < n; i++)
            {
                var e = x[i] - y[i];
                values[i] = Math.Sqrt(e * e + eps);
                grad[i] = e / values[i];
            }
            return (values, grad);
        }
        if (n == 0) return (new[] { 0.0 }, grad);
        var s = 0.0;
        for (var i = 0; i < n; i++) s += (x[i] - y[i]) * (x[i] - y[i]);
        var m = reduction == Reduction.Mean ? s / n : s;
        var root = Math.Sqrt(m + eps);
        for (var i = 0; i < n; i++)
        {
            var dm = 2 * (x[i] - y[i]) / (reduction == Reduction.Mean ? n : 1);
            grad[i] = dm / (2 * root);
        }
        return (new[] { root }, grad);
    }
}
