using LossKit.Tests.Infrastructure;
using LossKit.Tests.References;
using LossKit.Torch;
using static LossKit.Torch.torch;
using static LossKit.Torch.torch.nn;

namespace LossKit.Tests.Regression;

public sealed class RMSELossTests : ElementwiseLossContract
{
    private const double Eps = 1e-8;
    protected override string Name => "RMSELoss";
    protected override Tensor Function(Tensor input, Tensor target, Reduction reduction) => losses.rmse_loss(input, target, reduction, Eps);
    protected override Loss<Tensor, Tensor, Tensor> Module(Reduction reduction) => losses.RMSELoss(reduction, Eps);
    protected override (double[] values, double[] grad) Reference(double[] x, double[] y, Reduction reduction) =>
        RegressionReference.Rmse(x, y, reduction, Eps);

    [Fact]
    public void Hand_computed_case()
    {
        using var scope = NewDisposeScope();
        // e = [3, -4]; mean e² = (9 + 16) / 2 = 12.5; RMSE = √(12.5 + 0) = 3.5355339...
        // d/dx = (2e / n) / (2 RMSE) = e / (n RMSE) = [3, -4] / (2 · 3.5355339) = [0.42426407, -0.56568542].
        var x = tensor(new double[] { 3, -4 }, requires_grad: true);
        var y = zeros(2, ScalarType.Float64);
        var loss = losses.rmse_loss(x, y, eps: 0);
        loss.ToDouble().Should().BeApproximately(Math.Sqrt(12.5), 1e-15);
        loss.backward();
        TensorAssert.Close(x.grad!, [3 / (2 * Math.Sqrt(12.5)), -4 / (2 * Math.Sqrt(12.5))]);
        // Sum: √(9 + 16) = 5, the Euclidean norm of the error.
        losses.rmse_loss(x, y, Reduction.Sum, eps: 0).ToDouble().Should().Be(5);
    }

    [Fact]
    public void Gradient_is_finite_and_zero_at_zero_error_thanks_to_eps()
    {
        using var scope = NewDisposeScope();
        var x = tensor(new double[] { 1, 2, 3 }, requires_grad: true);
        var loss = losses.rmse_loss(x, x.detach());
        // √(0 + 1e-8) = 1e-4: the documented price of a finite gradient.
        loss.ToDouble().Should().BeApproximately(1e-4, 1e-18);
        loss.backward();
        x.grad!.ToArray<double>().Should().Equal(0, 0, 0);

        // Without eps the same point gives a NaN gradient (0/0): the reason eps exists.
        var z = tensor(new double[] { 1, 2, 3 }, requires_grad: true);
        var plain = losses.rmse_loss(z, z.detach(), eps: 0);
        plain.backward();
        z.grad!.ToArray<double>().Should().OnlyContain(v => double.IsNaN(v));
    }

    [Fact]
    public void Rejects_negative_eps() =>
        FluentActions.Invoking(() => losses.RMSELoss(eps: -1)).Should().Throw<LossArgumentOutOfRangeException>().Where(e => e.ParamName == "eps");
}
