using LossKit.Tests.Infrastructure;
using LossKit.Tests.References;
using LossKit.Torch;
using static LossKit.Torch.torch;
using static LossKit.Torch.torch.nn;

namespace LossKit.Tests.Classification;

public sealed class NLLLossTests : ClassIndexLossContract
{
    protected override string Name => "NLLLoss";

    protected override Tensor Function(Tensor input, Tensor target, Tensor? weight, long ignoreIndex, Reduction reduction) =>
        losses.nll_loss(input, target, weight, reduction, ignoreIndex);

    protected override Loss<Tensor, Tensor, Tensor> Module(Tensor? weight, long ignoreIndex, Reduction reduction) =>
        losses.NLLLoss(weight, ignoreIndex, reduction);

    protected override ClassificationReference.Row[] Reference(double[][] x, long[] y, double[]? w, long ignoreIndex) =>
        ClassificationReference.Nll(x, y, w, ignoreIndex);

    [Fact]
    public void Hand_computed_case()
    {
        using var scope = NewDisposeScope();
        // Log-probabilities ln [0.2, 0.7, 0.1] and ln [0.5, 0.25, 0.25], targets [1, 0], weights [2, 1, 3]:
        // ℓ = [-1·ln 0.7, -2·ln 0.5] = [0.356675, 1.386294]; Mean = (0.356675 + 1.386294) / (1 + 2) = 0.580990.
        // dMean/dx: -w[y]/3 at the target, 0 elsewhere: [[0, -1/3, 0], [-2/3, 0, 0]].
        var x = tensor(new[] { Math.Log(0.2), Math.Log(0.7), Math.Log(0.1), Math.Log(0.5), Math.Log(0.25), Math.Log(0.25) }, [2, 3], requires_grad: true);
        var y = tensor(new long[] { 1, 0 });
        var w = tensor(new[] { 2.0, 1.0, 3.0 });
        losses.nll_loss(x.detach()[0], tensor(1L)).ToDouble().Should().BeApproximately(-Math.Log(0.7), 1e-15);
        TensorAssert.Close(losses.nll_loss(x, y, w, Reduction.None), [-Math.Log(0.7), 2 * Math.Log(2)]);
        var mean = losses.nll_loss(x, y, w);
        mean.ToDouble().Should().BeApproximately((-Math.Log(0.7) + 2 * Math.Log(2)) / 3, 1e-15);
        mean.backward();
        TensorAssert.Close(x.grad!, [0, -1.0 / 3, 0, -2.0 / 3, 0, 0]);
    }

    [Theory]
    [MemberData(nameof(Reductions))]
    public void Nll_of_log_softmax_equals_cross_entropy(Reduction reduction)
    {
        using var scope = NewDisposeScope();
        var rng = new Rng(51);
        var x = rng.Normal(4 * C * 3, 2.0);
        var target = Indices(Targets(rng, 12, 2, ignoreSome: true), 4, 3);
        var weight = tensor(Weights());
        var a = Rng.Tensor(x, [4, C, 3], requiresGrad: true);
        var b = Rng.Tensor(x, [4, C, 3], requiresGrad: true);
        var nll = losses.nll_loss(a.log_softmax(1), target, weight, reduction, 2);
        var ce = losses.cross_entropy(b, target, weight, 2, reduction);
        TensorAssert.Close(nll, ce);
        nll.sum().backward();
        ce.sum().backward();
        TensorAssert.Close(a.grad!, b.grad!);
    }

    [Fact]
    public void Only_the_target_entry_enters_the_loss()
    {
        using var scope = NewDisposeScope();
        // NaN or ∞ away from the target class does not reach the loss (NLL reads one entry per row).
        var x = tensor(new[] { double.NaN, -0.5, double.NegativeInfinity, -1.0, -2.0 }, [1, C]);
        losses.nll_loss(x, tensor(new long[] { 1 })).ToDouble().Should().Be(0.5);
    }

    [Fact]
    public void Rejects_probability_targets_and_points_to_cross_entropy()
    {
        using var scope = NewDisposeScope();
        var act = () => losses.nll_loss(zeros(3, C), full(new long[] { 3, C }, 0.2f));
        act.Should().Throw<LossArgumentException>().Where(e => e.Loss == Name && e.ParamName == "target")
            .WithMessage("NLLLoss: NLLLoss takes class indices*got a floating target of the input's shape [3, 5]*use CrossEntropyLoss*");
    }

    [Fact]
    public void Module_holds_its_options()
    {
        using var scope = NewDisposeScope();
        using var module = losses.NLLLoss(tensor(Weights()), ignore_index: 0, reduction: Reduction.Sum);
        module.ignore_index.Should().Be(0);
        module.reduction.Should().Be(Reduction.Sum);
        module.weight!.ToArray<double>().Should().Equal(Weights());
        using var plain = new NLLLoss();
        plain.ignore_index.Should().Be(-100);
        plain.weight.Should().BeNull();
        plain.reduction.Should().Be(Reduction.Mean);
    }

    [Theory]
    [MemberData(nameof(GoldenCases))]
    public void Matches_PyTorch(string name) => GoldenClassification.Check(name);

    public static TheoryData<string> GoldenCases => Golden.Names(GoldenClassification.Family, "nll_");
}
