using LossKit.Tests.Infrastructure;
using LossKit.Torch;
using static LossKit.Torch.torch;

namespace LossKit.Tests.Classification;

/// <summary>Runs a golden case of tools/golden/gen_classification.py through the matching LossKit function.</summary>
internal static class GoldenClassification
{
    public const string Family = "classification";

    public static void Check(string name)
    {
        using var scope = NewDisposeScope();
        var c = Golden.Case(Family, name);
        var input = c.Input("input");
        var target = c.Input("target");
        var weight = c.HasInput("weight") ? c.Input("weight") : null;
        var ignoreIndex = c.Long("ignore_index");
        var kind = name[..name.IndexOf('_', StringComparison.Ordinal)];
        var loss = kind switch
        {
            "ce" => losses.cross_entropy(input, target, weight, ignoreIndex, c.Reduction, c.Double("label_smoothing")),
            "nll" => losses.nll_loss(input, target, weight, c.Reduction, ignoreIndex),
            "focal" => losses.focal_loss(input, target, c.Double("gamma"), weight, ignoreIndex, c.Reduction),
            "lsseed" => losses.label_smoothing_loss(input, target, c.Long("classes"), c.Double("smoothing"), weight, ignoreIndex, c.Reduction),
            _ => throw new ArgumentException(name),
        };
        var (expected, shape) = c.Output;
        // cross_entropy and nll_loss run the same libtorch kernels (LossKit sums the per-row losses itself, so only the
        // summation order differs). The composed cases (focal, confidence-convention smoothing) compute the same formula
        // another way (PyTorch: (1 - p)^γ on probabilities, an explicit target distribution; LossKit: log space), and
        // still agree within the default float32 / float64 tolerances.
        TensorAssert.Close(loss, expected, shape, because: $"(golden case {name})");
        loss.sum().backward();
        var (grad, gradShape) = c.Grad("input");
        TensorAssert.Close(input.grad!, grad, gradShape, because: $"(gradient, golden case {name})");
    }
}
