using LossKit.Torch;
using static LossKit.Torch.torch;
using static LossKit.Torch.torch.nn;

namespace LossKit;

/// <summary>
/// Huber loss: with e = x - y, ℓ = ½e² if |e| &lt; δ, else δ(|e| - ½δ).
/// </summary>
/// <remarks>
/// <para>Quadratic near zero, linear (slope ±δ) beyond δ: MSE's smooth optimum with L1's robustness to outliers.
/// Value and slope are continuous at |e| = δ.</para>
/// <para>Shapes: input and target of the same shape, floating, same dtype and device. <c>delta</c> &gt; 0.</para>
/// <para>Reductions: <c>None</c> per element; <c>Sum</c>; <c>Mean</c> (default) over all elements (0 when empty).</para>
/// <para>Gradient: e if |e| &lt; δ, else δ·sign(e). NaN propagates.</para>
/// <para>Relation: <see cref="SmoothL1Loss"/>(β) = Huber(β) / β.</para>
/// </remarks>
public sealed class HuberLoss : Loss<Tensor, Tensor, Tensor>
{
    /// <summary>Creates the loss.</summary>
    /// <param name="delta">Where the loss turns from quadratic to linear; must be positive.</param>
    /// <param name="reduction">How to reduce.</param>
    public HuberLoss(double delta = 1.0, Reduction reduction = Reduction.Mean) : base(nameof(HuberLoss), reduction)
    {
        Validate.Positive(nameof(HuberLoss), delta, nameof(delta));
        this.delta = delta;
    }

    /// <summary>The threshold between the quadratic and linear parts.</summary>
    public double delta { get; }

    /// <inheritdoc/>
    public override Tensor forward(Tensor input, Tensor target) => losses.huber_loss(input, target, delta, reduction);
}

public static partial class losses
{
    /// <summary>Creates a <see cref="LossKit.HuberLoss"/>.</summary>
    public static HuberLoss HuberLoss(double delta = 1.0, Reduction reduction = Reduction.Mean) => new(delta, reduction);

    /// <summary>Huber loss (see <see cref="LossKit.HuberLoss"/>).</summary>
    public static Tensor huber_loss(Tensor input, Tensor target, double delta = 1.0, Reduction reduction = Reduction.Mean) =>
        LossChecks.Active
            ? LossChecks.Checked(nameof(LossKit.HuberLoss), input, (target, delta, reduction),
                static (x, a) => huber_loss_unchecked(x, a.target, a.delta, a.reduction))
            : huber_loss_unchecked(input, target, delta, reduction);

    private static Tensor huber_loss_unchecked(Tensor input, Tensor target, double delta, Reduction reduction)
    {
        Validate.Positive(nameof(LossKit.HuberLoss), delta, nameof(delta));
        Validate.Elementwise(nameof(LossKit.HuberLoss), input, target);
        Validate.Reduction(nameof(LossKit.HuberLoss), reduction, allowBatchMean: false);
        if (reduction == Reduction.Mean && input.numel() == 0) return input.sum();
        if (FusedKernels.CanUse(input, target))
            return FusedKernels.elementwise_loss(FusedKernels.ElementwiseLoss.Huber, input, target, reduction, delta);
        return nn.functional.huber_loss(input, target, delta, reduction);
    }
}
