using LossKit.Tests.Infrastructure;
using LossKit.Tests.References;
using LossKit.Torch;
using static LossKit.Torch.torch;
using static LossKit.Torch.torch.nn;

namespace LossKit.Tests.Regression;

public sealed class L1LossTests : ElementwiseLossContract
{
    protected override string Name => "L1Loss";
    protected override Tensor Function(Tensor input, Tensor target, Reduction reduction) => losses.l1_loss(input, target, reduction);
    protected override Loss<Tensor, Tensor, Tensor> Module(Reduction reduction) => losses.L1Loss(reduction);
    protected override (double[] values, double[] grad) Reference(double[] x, double[] y, Reduction reduction) =>
        RegressionReference.Evaluate(x, y, RegressionReference.L1, RegressionReference.L1Grad, reduction);

    [Fact]
    public void Hand_computed_case()
    {
        using var scope = NewDisposeScope();
        // e = [1 - 0, 2 - 4, -1 - 2, 5 - 5] = [1, -2, -3, 0]; |e| = [1, 2, 3, 0]; mean = 6 / 4 = 1.5.
        // d mean / dx = sign(e) / 4 = [0.25, -0.25, -0.25, 0] (0 at e = 0: libtorch's subgradient).
        var x = tensor(new double[] { 1, 2, -1, 5 }, requires_grad: true);
        var y = tensor(new double[] { 0, 4, 2, 5 });
        var loss = losses.l1_loss(x, y);
        loss.ToDouble().Should().Be(1.5);
        loss.backward();
        x.grad!.ToArray<double>().Should().Equal(0.25, -0.25, -0.25, 0);
        losses.MAELoss().call(x, y).ToDouble().Should().Be(1.5, "MAELoss is another name for L1Loss");
    }

    [Theory]
    [MemberData(nameof(GoldenCases))]
    public void Matches_PyTorch(string name) => GoldenRegression.Check("l1", name);

    public static TheoryData<string> GoldenCases => Golden.Names("regression", "l1_");
}
