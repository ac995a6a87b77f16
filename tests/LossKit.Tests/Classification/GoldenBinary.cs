using LossKit.Tests.Infrastructure;
using LossKit.Torch;
using static LossKit.Torch.torch;

namespace LossKit.Tests.Classification;

/// <summary>Runs a golden case of tools/golden/gen_binary.py through the matching LossKit function.</summary>
internal static class GoldenBinary
{
    public static TheoryData<string> Names(string prefix) => Golden.Names("binary", prefix);

    public static void Check(string name)
    {
        using var scope = NewDisposeScope();
        var c = Golden.Case("binary", name);
        var input = c.Input("input");
        var target = c.Input("target");
        var weight = c.HasInput("weight") ? c.Input("weight") : null;
        var posWeight = c.HasInput("pos_weight") ? c.Input("pos_weight") : null;
        var loss = c.Loss switch
        {
            "binary_cross_entropy" => losses.binary_cross_entropy(input, target, weight, c.Reduction),
            "binary_cross_entropy_with_logits" => losses.binary_cross_entropy_with_logits(input, target, weight, c.Reduction, posWeight),
            "sigmoid_focal_loss (composed in PyTorch)" =>
                losses.sigmoid_focal_loss(input, target, c.HasOption("alpha") ? c.Double("alpha") : null, c.Double("gamma"), c.Reduction),
            "kl_div" => losses.kl_div(input, target, c.Reduction, c.Bool("log_target")),
            var other => throw new InvalidDataException($"golden case {name}: unknown loss '{other}'"),
        };
        loss.dtype.Should().Be(input.dtype, "the loss keeps the input's dtype");
        var (expected, shape) = c.Output;
        // Same libtorch kernels (BCE, BCE with logits, KL) or the same formula in log space instead of torchvision's
        // probability space (focal; its float32 references are float64): summation order and rounding only.
        TensorAssert.Close(loss, expected, shape, because: $"(golden case {name})");
        loss.sum().backward();
        var (grad, gradShape) = c.Grad("input");
        TensorAssert.Close(input.grad!, grad, gradShape, because: $"(input gradient, golden case {name})");
        if (c.HasGrad("target"))
        {
            var (tgrad, tgradShape) = c.Grad("target");
            TensorAssert.Close(target.grad!, tgrad, tgradShape, because: $"(target gradient, golden case {name})");
        }
    }
}
