using LossKit.Tests.Infrastructure;
using LossKit.Tests.References;
using LossKit.Torch;
using static LossKit.Torch.torch;
using static LossKit.Torch.torch.nn;

namespace LossKit.Tests.Regression;

public sealed class SmoothL1LossTests : ElementwiseLossContract
{
    private const double Beta = 0.8;
    protected override string Name => "SmoothL1Loss";
    protected override Tensor Function(Tensor input, Tensor target, Reduction reduction) => losses.smooth_l1_loss(input, target, reduction, Beta);
    protected override Loss<Tensor, Tensor, Tensor> Module(Reduction reduction) => losses.SmoothL1Loss(reduction, Beta);
    protected override (double[] values, double[] grad) Reference(double[] x, double[] y, Reduction reduction) =>
        RegressionReference.Evaluate(x, y, e => RegressionReference.SmoothL1(e, Beta), e => RegressionReference.SmoothL1Grad(e, Beta), reduction);

    [Fact]
    public void Hand_computed_case()
    {
        using var scope = NewDisposeScope();
        // beta = 2: e = [1, -4]; 0.5·1²/2 = 0.25; 4 - 0.5·2 = 3. Gradient of the sum: [1/2, -1].
        var x = tensor(new double[] { 1, -4 }, requires_grad: true);
        var y = zeros(2, ScalarType.Float64);
        var l = losses.smooth_l1_loss(x, y, Reduction.None, beta: 2);
        l.ToArray<double>().Should().Equal(0.25, 3);
        l.sum().backward();
        x.grad!.ToArray<double>().Should().Equal(0.5, -1);
    }

    [Fact]
    public void Equals_huber_divided_by_beta_and_l1_at_beta_zero()
    {
        using var scope = NewDisposeScope();
        var rng = new Rng(21);
        var x = Rng.Tensor(rng.Normal(30, 3), [30]);
        var y = Rng.Tensor(rng.Normal(30, 3), [30]);
        foreach (var beta in new[] { 0.25, 1.0, 4.0 })
            TensorAssert.Close(losses.smooth_l1_loss(x, y, Reduction.None, beta), losses.huber_loss(x, y, beta, Reduction.None).div(beta));
        TensorAssert.Close(losses.smooth_l1_loss(x, y, Reduction.None, 0), losses.l1_loss(x, y, Reduction.None));
    }

    [Theory]
    [MemberData(nameof(GoldenCases))]
    public void Matches_PyTorch(string name) => GoldenRegression.Check("smoothl1", name);

    public static TheoryData<string> GoldenCases => Golden.Names("regression", "smoothl1_");
}
