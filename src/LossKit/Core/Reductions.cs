using LossKit.Torch;
using static LossKit.Torch.torch;
using static LossKit.Torch.torch.nn;

namespace LossKit;

/// <summary>Applies a reduction to per-element losses, with LossKit's one rule for empty means.</summary>
internal static class Reductions
{
    /// <summary>
    /// None returns the losses as they are; Sum adds them; Mean divides the sum by the element count. The mean of zero
    /// elements is 0 (with zero gradient), not PyTorch's NaN: an empty batch contributes nothing to training.
    /// </summary>
    internal static Tensor Apply(Tensor values, Reduction reduction)
    {
        switch (reduction)
        {
            case Reduction.None: return values.alias();
            case Reduction.Sum: return values.sum();
            default:
                return values.numel() == 0 ? values.sum() : values.mean();
        }
    }

    /// <summary>
    /// sum / denominator, where the denominator may be 0 only when the sum is 0 too (every element ignored or
    /// weighted 0): then the result is 0 with zero gradient instead of NaN.
    /// </summary>
    internal static Tensor SafeDivide(Tensor sum, Tensor denominator)
    {
        using var scope = NewDisposeScope();
        var zero = denominator.eq(0);
        var safe = denominator.masked_fill(zero, 1);
        return sum.div(safe).MoveToOuterDisposeScope();
    }
}
