using LossKit.Tests.Infrastructure;
using LossKit.Torch;
using static LossKit.Torch.torch;
using static LossKit.Torch.torch.nn;

namespace LossKit.Tests.Overlap;

public sealed class DiceLossTests : OverlapLossContract
{
    protected override string Name => "DiceLoss";

    protected override Tensor Function(Tensor input, Tensor target, OverlapMode mode = OverlapMode.Multiclass, bool from_logits = true,
        OverlapAverage average = OverlapAverage.Macro, double epsilon = 1e-7, long ignore_index = -100, Reduction reduction = Reduction.Mean) =>
        losses.dice_loss(input, target, mode, from_logits, average, epsilon, ignore_index, reduction);

    protected override Loss<Tensor, Tensor, Tensor> Module(OverlapMode mode, bool from_logits, OverlapAverage average, double epsilon,
        long ignore_index, Reduction reduction) => losses.DiceLoss(mode, from_logits, average, epsilon, ignore_index, reduction);

    [Fact]
    public void Hand_computed_segmentation_case()
    {
        using var scope = NewDisposeScope();
        // One binary 2×2 mask, probabilities given: p = [[0.9, 0.6], [0.1, 0.3]], y = [[1, 1], [0, 0]].
        // Σ p·y = 0.9 + 0.6 = 1.5, Σ p = 1.9, Σ y = 2 -> Dice = 3.0 / 3.9 = 10/13, loss 3/13.
        // With ε = 1: (3 + 1) / (3.9 + 1) = 4/4.9, loss 0.9/4.9.
        var p = tensor(new[] { 0.9, 0.6, 0.1, 0.3 }, [1, 1, 2, 2], requires_grad: true);
        var y = tensor(new double[] { 1, 1, 0, 0 }, [1, 1, 2, 2]);
        var loss = losses.dice_loss(p, y, OverlapMode.Binary, from_logits: false, epsilon: 0);
        loss.ToDouble().Should().BeApproximately(3.0 / 13, 1e-15);
        losses.dice_loss(p, y, OverlapMode.Binary, from_logits: false, epsilon: 1).ToDouble().Should().BeApproximately(0.9 / 4.9, 1e-15);
        // ∂Dice/∂p = (2yD - N)/D² with N = 3, D = 3.9: y = 1: (7.8 - 3)/15.21 = 4.8/15.21; y = 0: -3/15.21; loss = 1 - Dice.
        loss.backward();
        TensorAssert.Close(p.grad!, [-4.8 / 15.21, -4.8 / 15.21, 3 / 15.21, 3 / 15.21]);
    }

    [Fact]
    public void Hand_computed_multiclass_segmentation_case()
    {
        using var scope = NewDisposeScope();
        // Input (N = 1, C = 2, 1, 2) of probabilities: pixel 0 p = [0.6, 0.4] (target 1), pixel 1 p = [0.3, 0.7] (target 1).
        // Class 0 never occurs: left out. Class 1: Σ p·y = 0.4 + 0.7 = 1.1, Σ p = 1.1, Σ y = 2 -> Dice = 2.2 / 3.1, loss 0.9/3.1.
        var p = tensor(new[] { 0.6, 0.3, 0.4, 0.7 }, [1, 2, 1, 2]);
        var t = tensor(new long[] { 1, 1 }, [1, 1, 2]);
        losses.dice_loss(p, t, from_logits: false, epsilon: 0).ToDouble().Should().BeApproximately(0.9 / 3.1, 1e-15);
        TensorAssert.Close(losses.dice_loss(p, t, from_logits: false, epsilon: 0, reduction: Reduction.None), [0, 0.9 / 3.1]);
    }

    [Theory]
    [MemberData(nameof(GoldenCases))]
    public void Matches_the_composed_PyTorch_implementation(string name) => GoldenOverlap.Check(name, dice: true);

    public static TheoryData<string> GoldenCases => Golden.Names("overlap", "dice_");
}
