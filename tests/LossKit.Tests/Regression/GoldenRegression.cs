using LossKit.Tests.Infrastructure;
using LossKit.Torch;
using static LossKit.Torch.torch;

namespace LossKit.Tests.Regression;

/// <summary>Runs a golden case of tools/golden/gen_regression.py through the matching LossKit function.</summary>
internal static class GoldenRegression
{
    public static void Check(string kind, string name)
    {
        using var scope = NewDisposeScope();
        var c = Golden.Case("regression", name);
        var input = c.Input("input");
        var target = c.Input("target");
        var loss = kind switch
        {
            "mse" => losses.mse_loss(input, target, c.Reduction),
            "l1" => losses.l1_loss(input, target, c.Reduction),
            "huber" => losses.huber_loss(input, target, c.Double("delta"), c.Reduction),
            "smoothl1" => losses.smooth_l1_loss(input, target, c.Reduction, c.Double("beta")),
            _ => throw new ArgumentException(kind),
        };
        var (expected, shape) = c.Output;
        // PyTorch and LossKit run the same libtorch kernels here; allow for summation order only.
        TensorAssert.Close(loss, expected, shape, because: $"(golden case {name})");
        loss.sum().backward();
        var (grad, gradShape) = c.Grad("input");
        TensorAssert.Close(input.grad!, grad, gradShape, because: $"(gradient, golden case {name})");
    }
}
