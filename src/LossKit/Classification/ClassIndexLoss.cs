using LossKit.Torch;
using static LossKit.Torch.torch;
using static LossKit.Torch.torch.nn;

namespace LossKit;

/// <summary>
/// What the class-index losses (cross-entropy, NLL, label smoothing, focal) share: the class dimension, the per-target
/// weights w[yₙ] and the reduction whose mean divides by Σₙ w[yₙ] over the rows that are not ignored.
/// </summary>
internal static class ClassIndexLoss
{
    /// <summary>The class dimension: 0 for input (C), 1 for (N, C, d1, ...).</summary>
    internal static long ClassDim(Tensor input) => input.dim() == 1 ? 0 : 1;

    /// <summary>The class weights detached (no gradient flows into them) and in the input's dtype, or null.</summary>
    internal static Tensor? PrepareWeight(Tensor? weight, Tensor input) =>
        weight is null ? null : weight.dtype == input.dtype ? weight.detach() : weight.detach().to(input.dtype);

    /// <summary>
    /// w[yₙ] for every target position (1 without weights), 0 where the target is ignore_index; the target's shape, the
    /// input's dtype. <paramref name="target"/> is int64 with every value in [0, C) or equal to ignore_index.
    /// </summary>
    internal static Tensor TargetWeights(Tensor? weight, Tensor target, long ignoreIndex, Tensor input)
    {
        using var scope = NewDisposeScope();
        var ignored = target.eq(ignoreIndex);
        Tensor result;
        if (weight is null)
        {
            result = ignored.logical_not().to(input.dtype);
        }
        else
        {
            var safe = target.masked_fill(ignored, 0);
            result = weight.index_select(0, safe.flatten()).reshape(target.shape).masked_fill(ignored, 0);
        }
        return result.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The input with the rows whose target is ignore_index set to 0 (the input itself when no row is ignored), for the
    /// composed path: an ignored row gives 0 anyway, but a NaN or ±∞ in it (padding positions often hold garbage) would
    /// still reach that row's gradient through the softmax's backward (0 · NaN), and from there the model's weights.
    /// The fused kernels skip ignored rows altogether, so both paths give 0 value and 0 gradient there.
    /// </summary>
    internal static Tensor ZeroIgnoredRows(Tensor input, Tensor target, long ignoreIndex)
    {
        using var scope = NewDisposeScope();
        var ignored = target.eq(ignoreIndex);
        if (!ignored.any().item<bool>()) return input;
        return input.masked_fill(ignored.unsqueeze(ClassDim(input)), 0).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The target with ignored positions replaced by class 0 (so it can index), and the mask of ignored positions.
    /// </summary>
    internal static (Tensor safe, Tensor ignored) SafeTarget(Tensor target, long ignoreIndex)
    {
        var ignored = target.eq(ignoreIndex);
        return (target.masked_fill(ignored, 0), ignored);
    }

    /// <summary>
    /// LossKit's reduction of per-row losses (ignored rows already 0): <c>None</c> keeps them; <c>Sum</c> adds them;
    /// <c>Mean</c> divides the sum by <paramref name="denominator"/> (Σₙ w[yₙ] over the rows not ignored), and is 0
    /// with zero gradient when that is 0 (every row ignored, an empty batch, or every counted weight 0), where
    /// PyTorch gives NaN.
    /// </summary>
    internal static Tensor Reduce(Tensor rows, Func<Tensor> denominator, Reduction reduction)
    {
        switch (reduction)
        {
            case Reduction.None:
                return rows.alias();
            case Reduction.Sum:
                return rows.sum();
            default:
            {
                using var scope = NewDisposeScope();
                var sum = rows.sum();
                var d = denominator();
                // SafeDivide divides by 1 where d is 0, keeping the gradient finite; masked_fill then zeroes value and
                // gradient there (needed because label smoothing's term makes the sum non-zero even when every counted
                // weight w[yₙ] is 0).
                return Reductions.SafeDivide(sum, d).masked_fill(d.eq(0), 0).MoveToOuterDisposeScope();
            }
        }
    }
}
