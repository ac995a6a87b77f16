using LossKit.Tests.Infrastructure;
using LossKit.Torch;
using static LossKit.Torch.torch;
using static LossKit.Torch.torch.nn;

namespace LossKit.Tests.Overlap;

public sealed class F1LossTests : OverlapLossContract
{
    protected override string Name => "F1Loss";

    protected override Tensor Function(Tensor input, Tensor target, OverlapMode mode = OverlapMode.Multiclass, bool from_logits = true,
        OverlapAverage average = OverlapAverage.Macro, double epsilon = 1e-7, long ignore_index = -100, Reduction reduction = Reduction.Mean) =>
        losses.f1_loss(input, target, mode, from_logits, average, epsilon, ignore_index, reduction);

    protected override Loss<Tensor, Tensor, Tensor> Module(OverlapMode mode, bool from_logits, OverlapAverage average, double epsilon,
        long ignore_index, Reduction reduction) => losses.F1Loss(mode, from_logits, average, epsilon, ignore_index, reduction);

    [Fact]
    public void Hand_computed_multiclass_case()
    {
        using var scope = NewDisposeScope();
        // Logits ln([0.8, 0.2]) (target 0) and ln([0.4, 0.6]) (target 1): softmax gives back those probabilities.
        // class 0: tp = 0.8, fp = 0.4, fn = 0.2 -> F1 = 1.6 / (1.6 + 0.4 + 0.2) = 8/11
        // class 1: tp = 0.6, fp = 0.2, fn = 0.4 -> F1 = 1.2 / (1.2 + 0.2 + 0.4) = 2/3
        // macro: 1 - (8/11 + 2/3) / 2 = 10/33; None: [3/11, 1/3]; Sum: 20/33
        // micro: TP = 1.4, FP = FN = 0.6 -> 1 - 2.8 / 4.0 = 0.3 (= 1 - mean probability of the true class)
        var x = tensor(new[] { Math.Log(0.8), Math.Log(0.2), Math.Log(0.4), Math.Log(0.6) }, [2, 2]);
        var t = tensor(new long[] { 0, 1 });
        losses.f1_loss(x, t, epsilon: 0).ToDouble().Should().BeApproximately(10.0 / 33, 1e-15);
        TensorAssert.Close(losses.f1_loss(x, t, epsilon: 0, reduction: Reduction.None), [3.0 / 11, 1.0 / 3]);
        losses.f1_loss(x, t, epsilon: 0, reduction: Reduction.Sum).ToDouble().Should().BeApproximately(20.0 / 33, 1e-15);
        losses.f1_loss(x, t, average: OverlapAverage.Micro, epsilon: 0).ToDouble().Should().BeApproximately(0.3, 1e-15);
        // ε = 0.1 in numerator and denominator: class 0: 1.7 / 2.3, class 1: 1.3 / 1.9.
        losses.f1_loss(x, t, epsilon: 0.1).ToDouble().Should().BeApproximately(1 - (1.7 / 2.3 + 1.3 / 1.9) / 2, 1e-15);
    }

    [Fact]
    public void Hand_computed_gradient_on_probabilities()
    {
        using var scope = NewDisposeScope();
        // The same probabilities given directly (from_logits false). ∂F1_c/∂p = (2yD - N) / D², loss = 1 - mean, so
        // ∂loss/∂p = -(1/2)(2yD - N)/D².  class 0: N = 1.6, D = 2.2; class 1: N = 1.2, D = 1.8.
        // row 0: p0 (y = 1): -(4.4 - 1.6)/(2 · 4.84) = -1.4/4.84;  p1 (y = 0): -(0 - 1.2)/(2 · 3.24) = 0.6/3.24
        // row 1: p0 (y = 0): 0.8/4.84;                            p1 (y = 1): -(3.6 - 1.2)/(2 · 3.24) = -1.2/3.24
        var p = tensor(new[] { 0.8, 0.2, 0.4, 0.6 }, [2, 2], requires_grad: true);
        var loss = losses.f1_loss(p, tensor(new long[] { 0, 1 }), from_logits: false, epsilon: 0);
        loss.ToDouble().Should().BeApproximately(10.0 / 33, 1e-15);
        loss.backward();
        TensorAssert.Close(p.grad!, [-1.4 / 4.84, 0.6 / 3.24, 0.8 / 4.84, -1.2 / 3.24]);
    }

    [Fact]
    public void Hand_computed_binary_case_with_an_ignored_element()
    {
        using var scope = NewDisposeScope();
        // Logits [ln 3, 0, -ln 3, 5] -> p = [0.75, 0.5, 0.25, (ignored)], target [1, 0, 1, -100]:
        // tp = 0.75 + 0.25 = 1, fp = 0.5, fn = 0.25 + 0.75 = 1 -> F1 = 2 / 3.5 = 4/7, loss 3/7.
        var x = tensor(new[] { Math.Log(3), 0, -Math.Log(3), 5 });
        var y = tensor(new double[] { 1, 0, 1, -100 });
        losses.f1_loss(x, y, OverlapMode.Binary, epsilon: 0).ToDouble().Should().BeApproximately(3.0 / 7, 1e-15);
        losses.f1_loss(x, y, OverlapMode.Binary, average: OverlapAverage.Micro, epsilon: 0).ToDouble().Should().BeApproximately(3.0 / 7, 1e-15);
        losses.f1_loss(x, y, OverlapMode.Binary, epsilon: 0, reduction: Reduction.None).shape.Should().Equal(1);
    }

    [Fact]
    public void Hand_computed_multilabel_case()
    {
        using var scope = NewDisposeScope();
        // Probabilities (N = 2, C = 2): [[0.9, 0.4], [0.2, 0.7]], targets [[1, 0], [0, 1]] (from_logits false).
        // class 0: tp = 0.9, fp = 0.2, fn = 0.1 -> F1 = 1.8 / 2.1 = 6/7
        // class 1: tp = 0.7, fp = 0.4, fn = 0.3 -> F1 = 1.4 / 2.1 = 2/3
        // macro 1 - (6/7 + 2/3)/2 = 1 - 32/42 = 5/21; micro: TP = 1.6, FP = 0.6, FN = 0.4 -> 1 - 3.2/4.2 = 1/4.2 = 5/21 too.
        var p = tensor(new[] { 0.9, 0.4, 0.2, 0.7 }, [2, 2]);
        var y = tensor(new double[] { 1, 0, 0, 1 }, [2, 2]);
        losses.f1_loss(p, y, OverlapMode.Multilabel, from_logits: false, epsilon: 0).ToDouble().Should().BeApproximately(5.0 / 21, 1e-15);
        losses.f1_loss(p, y, OverlapMode.Multilabel, from_logits: false, average: OverlapAverage.Micro, epsilon: 0).ToDouble()
            .Should().BeApproximately(1 / 4.2, 1e-15);
        TensorAssert.Close(losses.f1_loss(p, y, OverlapMode.Multilabel, from_logits: false, epsilon: 0, reduction: Reduction.None), [1.0 / 7, 1.0 / 3]);
    }

    public static TheoryData<string, OverlapAverage, Reduction, double> Equivalences()
    {
        var data = new TheoryData<string, OverlapAverage, Reduction, double>();
        foreach (var name in OverlapData.Names)
        {
            data.Add(name, OverlapAverage.Macro, Reduction.None, 1e-7);
            data.Add(name, OverlapAverage.Macro, Reduction.Mean, 0.0);
            data.Add(name, OverlapAverage.Micro, Reduction.Mean, 0.3);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Equivalences))]
    public void F1_equals_Dice_for_the_same_options(string name, OverlapAverage average, Reduction reduction, double eps)
    {
        // F1Loss counts tp/fp/fn, DiceLoss intersections and sizes: 2tp + fp + fn = Σp + Σy makes them equal.
        using var scope = NewDisposeScope();
        var d = OverlapData.Make(name, seed: 99);
        var a = d.Input(requiresGrad: true);
        var b = d.Input(requiresGrad: true);
        var f1 = losses.f1_loss(a, d.Target(), d.Mode, d.FromLogits, average, eps, d.IgnoreIndex, reduction);
        var dice = losses.dice_loss(b, d.Target(), d.Mode, d.FromLogits, average, eps, d.IgnoreIndex, reduction);
        TensorAssert.Close(f1, dice);
        f1.sum().backward();
        dice.sum().backward();
        TensorAssert.Close(a.grad!, b.grad!);
    }

    [Theory]
    [MemberData(nameof(GoldenCases))]
    public void Matches_the_composed_PyTorch_implementation(string name) => GoldenOverlap.Check(name, dice: false);

    public static TheoryData<string> GoldenCases => Golden.Names("overlap", "f1_");

    [Fact]
    public void ToString_shows_the_options()
    {
        using var loss = losses.F1Loss(OverlapMode.Binary, average: OverlapAverage.Micro);
        loss.ToString().Should().Be("F1Loss(mode=Binary, from_logits=True, average=Micro, epsilon=1E-07, ignore_index=-100, reduction=Mean)");
    }
}
