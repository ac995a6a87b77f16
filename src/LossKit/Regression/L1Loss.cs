using LossKit.Torch;
using static LossKit.Torch.torch;
using static LossKit.Torch.torch.nn;

namespace LossKit;

/// <summary>
/// Mean absolute error (MAE, L1): ℓᵢ = |xᵢ - yᵢ|.
/// </summary>
/// <remarks>
/// <para>Shapes: input and target of the same shape (any), floating, same dtype and device.</para>
/// <para>Reductions: <c>None</c> gives ℓ with the input's shape; <c>Sum</c> gives Σᵢ ℓᵢ; <c>Mean</c> (default) gives
/// Σᵢ ℓᵢ / n (0 for an empty input).</para>
/// <para>Gradient: sign(xᵢ - yᵢ), 0 at xᵢ = yᵢ (libtorch's subgradient). NaN or ±∞ propagate.</para>
/// <para>Robust to outliers but its constant gradient makes convergence near the optimum slow; <see cref="HuberLoss"/>
/// combines both behaviours.</para>
/// </remarks>
public sealed class L1Loss : Loss<Tensor, Tensor, Tensor>
{
    /// <summary>Creates the loss.</summary>
    public L1Loss(Reduction reduction = Reduction.Mean) : base(nameof(L1Loss), reduction) { }

    /// <inheritdoc/>
    public override Tensor forward(Tensor input, Tensor target) => losses.l1_loss(input, target, reduction);
}

public static partial class losses
{
    /// <summary>Creates an <see cref="LossKit.L1Loss"/>: |x - y|.</summary>
    public static L1Loss L1Loss(Reduction reduction = Reduction.Mean) => new(reduction);

    /// <summary>Creates an <see cref="LossKit.L1Loss"/> (mean absolute error).</summary>
    public static L1Loss MAELoss(Reduction reduction = Reduction.Mean) => new(reduction);

    /// <summary>Mean absolute error |x - y|, reduced by <paramref name="reduction"/> (see <see cref="LossKit.L1Loss"/>).</summary>
    public static Tensor l1_loss(Tensor input, Tensor target, Reduction reduction = Reduction.Mean) =>
        LossChecks.Active
            ? LossChecks.Checked(nameof(LossKit.L1Loss), input, (target, reduction),
                static (x, a) => l1_loss_unchecked(x, a.target, a.reduction))
            : l1_loss_unchecked(input, target, reduction);

    private static Tensor l1_loss_unchecked(Tensor input, Tensor target, Reduction reduction)
    {
        Validate.Elementwise(nameof(LossKit.L1Loss), input, target);
        Validate.Reduction(nameof(LossKit.L1Loss), reduction, allowBatchMean: false);
        if (reduction == Reduction.Mean && input.numel() == 0) return input.sum();
        if (FusedKernels.CanUse(input, target))
            return FusedKernels.elementwise_loss(FusedKernels.ElementwiseLoss.L1, input, target, reduction);
        return nn.functional.l1_loss(input, target, reduction);
    }
}
