using LossKit.Tests.Infrastructure;
using LossKit.Tests.References;
using LossKit.Torch;
using static LossKit.Torch.torch;
using static LossKit.Torch.torch.nn;

namespace LossKit.Tests.Regression;

public sealed class SmoothLossTests : ElementwiseLossContract
{
    private const double Delta = 1.3, Alpha = 1.7;
    protected override string Name => "SmoothLoss";
    protected override Tensor Function(Tensor input, Tensor target, Reduction reduction) => losses.smooth_loss(input, target, Delta, Alpha, reduction);
    protected override Loss<Tensor, Tensor, Tensor> Module(Reduction reduction) => losses.SmoothLoss(Delta, Alpha, reduction);
    protected override (double[] values, double[] grad) Reference(double[] x, double[] y, Reduction reduction) =>
        RegressionReference.Evaluate(x, y, e => RegressionReference.Smooth(e, Delta, Alpha), e => RegressionReference.SmoothGrad(e, Delta, Alpha), reduction);

    [Fact]
    public void Hand_computed_case()
    {
        using var scope = NewDisposeScope();
        // delta = 1, alpha = 2 (the defaults).
        // e = 1 (inside): (1/2)·1²·exp(1 - 1/2) = 0.5·e^0.5 = 0.82436063535...
        //   slope (1/2)·1·e^0.5·(2 - 0.5) = 0.75·e^0.5 = 1.23654095...
        // e = -4 (outside): 1·|-4| = 4, slope -1.
        // e = 0: 0, slope 0.
        var x = tensor(new double[] { 1, -4, 0 }, requires_grad: true);
        var l = losses.smooth_loss(x, zeros(3, ScalarType.Float64), reduction: Reduction.None);
        TensorAssert.Close(l, [0.5 * Math.Exp(0.5), 4, 0]);
        l.sum().backward();
        TensorAssert.Close(x.grad!, [0.75 * Math.Exp(0.5), -1, 0]);
    }

    [Fact]
    public void Value_and_slope_are_continuous_at_alpha_and_linear_beyond()
    {
        using var scope = NewDisposeScope();
        const double delta = 0.7, alpha = 3.0;
        // At |e| = α both pieces give δα = 2.1 and slope ±δ = ±0.7.
        var x = tensor(new double[] { alpha - 1e-9, alpha + 1e-9, -alpha + 1e-9, -alpha - 1e-9, 10, 20, -50 }, requires_grad: true);
        var l = losses.smooth_loss(x, zeros(7, ScalarType.Float64), delta, alpha, Reduction.None);
        var v = l.ToArray<double>();
        v[0].Should().BeApproximately(delta * alpha, 1e-8);
        v[1].Should().BeApproximately(delta * alpha, 1e-8);
        v[2].Should().BeApproximately(delta * alpha, 1e-8);
        v[3].Should().BeApproximately(delta * alpha, 1e-8);
        // Linear beyond α: δ|e|, so equal steps in e give equal steps in the loss.
        v[4].Should().BeApproximately(7, 1e-12);
        v[5].Should().BeApproximately(14, 1e-12);
        v[6].Should().BeApproximately(35, 1e-12);
        l.sum().backward();
        var g = x.grad!.ToArray<double>();
        g[0].Should().BeApproximately(delta, 1e-7);
        g[1].Should().BeApproximately(delta, 1e-12);
        g[2].Should().BeApproximately(-delta, 1e-7);
        g[3].Should().BeApproximately(-delta, 1e-12);
        g[4..].Should().Equal(delta, delta, -delta);
    }

    [Fact]
    public void Slope_peaks_at_two_minus_root_two_alpha()
    {
        using var scope = NewDisposeScope();
        // The documented non-convexity: slope (δ/α)|e|e^(1-|e|/α)(2-|e|/α) peaks at |e| = (2-√2)α with value
        // (2√2-2)e^(√2-1)δ ≈ 1.2536δ, above the linear part's δ.
        const double alpha = 2.0;
        var peak = (2 - Math.Sqrt(2)) * alpha;
        var x = tensor(new double[] { peak - 0.01, peak, peak + 0.01 }, requires_grad: true);
        losses.smooth_loss(x, zeros(3, ScalarType.Float64), 1.0, alpha, Reduction.Sum).backward();
        var g = x.grad!.ToArray<double>();
        g[1].Should().BeApproximately((2 * Math.Sqrt(2) - 2) * Math.Exp(Math.Sqrt(2) - 1), 1e-12);
        g[1].Should().BeGreaterThan(g[0]).And.BeGreaterThan(g[2]);
    }

    [Fact]
    public void Rejects_non_positive_delta_and_alpha()
    {
        FluentActions.Invoking(() => losses.SmoothLoss(delta: 0)).Should().Throw<LossArgumentOutOfRangeException>().Where(e => e.ParamName == "delta");
        FluentActions.Invoking(() => losses.SmoothLoss(alpha: -2)).Should().Throw<LossArgumentOutOfRangeException>().Where(e => e.ParamName == "alpha");
        FluentActions.Invoking(() => losses.smooth_loss(zeros(2), zeros(2), alpha: double.NaN)).Should().Throw<LossArgumentOutOfRangeException>();
    }
}
