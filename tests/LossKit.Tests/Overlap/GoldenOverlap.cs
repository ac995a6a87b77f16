using LossKit.Tests.Infrastructure;
using LossKit.Torch;
using static LossKit.Torch.torch;

namespace LossKit.Tests.Overlap;

/// <summary>
/// Runs a case of tools/golden/gen_overlap.py (the definition composed from PyTorch ops, since PyTorch has no F1/Dice loss)
/// through f1_loss or dice_loss.
/// </summary>
internal static class GoldenOverlap
{
    public static void Check(string name, bool dice)
    {
        using var scope = NewDisposeScope();
        var c = Golden.Case("overlap", name);
        var input = c.Input("input");
        var target = c.Input("target");
        var mode = c.String("mode") switch
        {
            "multiclass" => OverlapMode.Multiclass,
            "binary" => OverlapMode.Binary,
            "multilabel" => OverlapMode.Multilabel,
            var m => throw new InvalidDataException(m),
        };
        var average = c.String("average") == "micro" ? OverlapAverage.Micro : OverlapAverage.Macro;
        var loss = dice
            ? losses.dice_loss(input, target, mode, c.Bool("from_logits"), average, c.Double("epsilon"), c.Long("ignore_index"), c.Reduction)
            : losses.f1_loss(input, target, mode, c.Bool("from_logits"), average, c.Double("epsilon"), c.Long("ignore_index"), c.Reduction);
        var (expected, shape) = c.Output;
        // Same definition, different order of operations: float32 needs float32 tolerances.
        var (rtol, atol) = input.dtype == ScalarType.Float64 ? (1e-10, 1e-12) : (1e-5, 1e-6);
        TensorAssert.Close(loss, expected, shape, rtol, atol, because: $"(golden case {name})");
        loss.sum().backward();
        var (grad, gradShape) = c.Grad("input");
        TensorAssert.Close(input.grad!, grad, gradShape, rtol, input.dtype == ScalarType.Float64 ? 1e-12 : 1e-5, because: $"(gradient, golden case {name})");
    }
}
