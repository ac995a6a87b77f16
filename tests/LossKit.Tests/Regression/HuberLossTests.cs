using LossKit.Tests.Infrastructure;
using LossKit.Tests.References;
using LossKit.Torch;
using static LossKit.Torch.torch;
using static LossKit.Torch.torch.nn;

namespace LossKit.Tests.Regression;

public sealed class HuberLossTests : ElementwiseLossContract
{
    private const double Delta = 1.5;
    protected override string Name => "HuberLoss";
    protected override Tensor Function(Tensor input, Tensor target, Reduction reduction) => losses.huber_loss(input, target, Delta, reduction);
    protected override Loss<Tensor, Tensor, Tensor> Module(Reduction reduction) => losses.HuberLoss(Delta, reduction);
    protected override (double[] values, double[] grad) Reference(double[] x, double[] y, Reduction reduction) =>
        RegressionReference.Evaluate(x, y, e => RegressionReference.Huber(e, Delta), e => RegressionReference.HuberGrad(e, Delta), reduction);

    [Fact]
    public void Hand_computed_case()
    {
        using var scope = NewDisposeScope();
        // delta = 1: e = [0.5, -2, 3]; 0.5·0.5² = 0.125; 1·(2 - 0.5) = 1.5; 1·(3 - 0.5) = 2.5; sum = 4.125; mean = 1.375.
        // Gradient of the sum: [0.5, -1, 1].
        var x = tensor(new double[] { 0.5, -2, 3 }, requires_grad: true);
        var y = zeros(3, ScalarType.Float64);
        losses.huber_loss(x, y, 1.0, Reduction.None).ToArray<double>().Should().Equal(0.125, 1.5, 2.5);
        var sum = losses.huber_loss(x, y, 1.0, Reduction.Sum);
        sum.ToDouble().Should().Be(4.125);
        losses.huber_loss(x, y).ToDouble().Should().Be(1.375);
        sum.backward();
        x.grad!.ToArray<double>().Should().Equal(0.5, -1, 1);
    }

    [Fact]
    public void Value_and_slope_are_continuous_at_delta()
    {
        using var scope = NewDisposeScope();
        // Just inside and just outside |e| = δ = 2: values 0.5·4 = 2 on both sides, slope 2.
        var x = tensor(new double[] { 2 - 1e-9, 2 + 1e-9 }, requires_grad: true);
        var l = losses.huber_loss(x, zeros(2, ScalarType.Float64), 2.0, Reduction.None);
        TensorAssert.Close(l, [2.0, 2.0], rtol: 1e-8);
        l.sum().backward();
        TensorAssert.Close(x.grad!, [2.0, 2.0], rtol: 1e-8);
    }

    [Fact]
    public void Rejects_a_non_positive_delta()
    {
        var act = () => losses.HuberLoss(0.0);
        act.Should().Throw<LossArgumentOutOfRangeException>().Where(e => e.ParamName == "delta").WithMessage("HuberLoss: delta must be a positive finite number, got 0*");
        var fn = () => losses.huber_loss(zeros(2), zeros(2), -1);
        fn.Should().Throw<LossArgumentOutOfRangeException>();
    }

    [Theory]
    [MemberData(nameof(GoldenCases))]
    public void Matches_PyTorch(string name) => GoldenRegression.Check("huber", name);

    public static TheoryData<string> GoldenCases => Golden.Names("regression", "huber_");
}
