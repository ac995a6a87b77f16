using LossKit.Torch;
using static LossKit.Torch.torch;
using static LossKit.Torch.torch.nn;

namespace LossKit;

/// <summary>
/// Smooth L1 loss: with e = x - y, ℓ = ½e²/β if |e| &lt; β, else |e| - ½β. Equal to Huber(β) / β; β = 0 is L1.
/// </summary>
/// <remarks>
/// <para>Unlike Huber, the linear part has slope ±1 whatever β is, so β only sets the width of the quadratic zone.</para>
/// <para>Shapes: input and target of the same shape, floating, same dtype and device. <c>beta</c> ≥ 0.</para>
/// <para>Reductions: <c>None</c> per element; <c>Sum</c>; <c>Mean</c> (default) over all elements (0 when empty).</para>
/// <para>Gradient: e/β if |e| &lt; β, else sign(e). NaN propagates.</para>
/// </remarks>
public sealed class SmoothL1Loss : Loss<Tensor, Tensor, Tensor>
{
    /// <summary>Creates the loss. TorchSharp's parameter order (reduction first) is kept.</summary>
    /// <param name="reduction">How to reduce.</param>
    /// <param name="beta">Width of the quadratic zone; 0 gives L1.</param>
    public SmoothL1Loss(Reduction reduction = Reduction.Mean, double beta = 1.0) : base(nameof(SmoothL1Loss), reduction)
    {
        Validate.NonNegative(nameof(SmoothL1Loss), beta, nameof(beta));
        this.beta = beta;
    }

    /// <summary>Width of the quadratic zone.</summary>
    public double beta { get; }

    /// <inheritdoc/>
    public override Tensor forward(Tensor input, Tensor target) => losses.smooth_l1_loss(input, target, reduction, beta);
}

public static partial class losses
{
    /// <summary>Creates a <see cref="LossKit.SmoothL1Loss"/> (TorchSharp's parameter order: reduction, then beta).</summary>
    public static SmoothL1Loss SmoothL1Loss(Reduction reduction = Reduction.Mean, double beta = 1.0) => new(reduction, beta);

    /// <summary>Smooth L1 loss (see <see cref="LossKit.SmoothL1Loss"/>).</summary>
    public static Tensor smooth_l1_loss(Tensor input, Tensor target, Reduction reduction = Reduction.Mean, double beta = 1.0) =>
        LossChecks.Active
            ? LossChecks.Checked(nameof(LossKit.SmoothL1Loss), input, (target, reduction, beta),
                static (x, a) => smooth_l1_loss_unchecked(x, a.target, a.reduction, a.beta))
            : smooth_l1_loss_unchecked(input, target, reduction, beta);

    private static Tensor smooth_l1_loss_unchecked(Tensor input, Tensor target, Reduction reduction, double beta)
    {
        Validate.NonNegative(nameof(LossKit.SmoothL1Loss), beta, nameof(beta));
        Validate.Elementwise(nameof(LossKit.SmoothL1Loss), input, target);
        Validate.Reduction(nameof(LossKit.SmoothL1Loss), reduction, allowBatchMean: false);
        if (reduction == Reduction.Mean && input.numel() == 0) return input.sum();
        if (FusedKernels.CanUse(input, target))
            return beta == 0
                ? FusedKernels.elementwise_loss(FusedKernels.ElementwiseLoss.L1, input, target, reduction)
                : FusedKernels.elementwise_loss(FusedKernels.ElementwiseLoss.SmoothL1, input, target, reduction, beta);
        return nn.functional.smooth_l1_loss(input, target, reduction, beta);
    }
}
