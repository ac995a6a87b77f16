using LossKit.Tests.Infrastructure;
using LossKit.Tests.References;
using LossKit.Torch;
using static LossKit.Torch.torch;
using static LossKit.Torch.torch.nn;

namespace LossKit.Tests.Regression;

public sealed class MSELossTests : ElementwiseLossContract
{
    protected override string Name => "MSELoss";
    protected override Tensor Function(Tensor input, Tensor target, Reduction reduction) => losses.mse_loss(input, target, reduction);
    protected override Loss<Tensor, Tensor, Tensor> Module(Reduction reduction) => losses.MSELoss(reduction);
    protected override (double[] values, double[] grad) Reference(double[] x, double[] y, Reduction reduction) =>
        RegressionReference.Evaluate(x, y, RegressionReference.Mse, RegressionReference.MseGrad, reduction);

    [Fact]
    public void Hand_computed_case()
    {
        using var scope = NewDisposeScope();
        // e = x - y = [1 - 0, 2 - 4, -1 - 2] = [1, -2, -3]; e² = [1, 4, 9]; sum = 14; mean = 14 / 3.
        // d mean / dx = 2e / 3 = [2/3, -4/3, -2].
        var x = tensor(new double[] { 1, 2, -1 }, requires_grad: true);
        var y = tensor(new double[] { 0, 4, 2 });
        var loss = losses.mse_loss(x, y);
        loss.ToDouble().Should().BeApproximately(14.0 / 3, 1e-15);
        losses.mse_loss(x, y, Reduction.Sum).ToDouble().Should().Be(14);
        losses.mse_loss(x, y, Reduction.None).ToArray<double>().Should().Equal(1, 4, 9);
        loss.backward();
        TensorAssert.Close(x.grad!, [2.0 / 3, -4.0 / 3, -2.0]);
    }

    [Theory]
    [MemberData(nameof(GoldenCases))]
    public void Matches_PyTorch(string name) => GoldenRegression.Check("mse", name);

    public static TheoryData<string> GoldenCases => Golden.Names("regression", "mse_");
}
