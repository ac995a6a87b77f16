using LossKit.Torch;
using static LossKit.Torch.torch;
using static LossKit.Torch.torch.nn;

namespace LossKit;

/// <summary>
/// LossKit's exp-linear "smooth loss": with e = x - y and u = clip(e / α, -1, 1),
/// ℓ = g(u) · e where g(u) = δ · exp(1 - |u|) · u.
/// </summary>
/// <remarks>
/// <para>Piece by piece: for |e| ≤ α, ℓ = (δ / α) · e² · exp(1 - |e| / α); for |e| &gt; α, ℓ = δ · |e|.
/// Value and first derivative are continuous at |e| = α (both sides give ℓ = δα and slope ±δ), and beyond α the loss is
/// linear with slope δ, so an outlier pulls no harder than δ: L1/Huber's robustness with a smooth bowl, which near 0 is
/// MSE-shaped, ℓ ≈ (δ·ℯ / α) · e².</para>
/// <para><b>Not convex near α.</b> The inner piece's slope, (δ/α) · |e| · exp(1 - |e|/α) · (2 - |e|/α), rises from 0,
/// peaks at |e| = (2 - √2)α ≈ 0.586α with slope (2√2 - 2) · e^(√2 - 1) · δ ≈ 1.254δ, then falls back to δ at |e| = α:
/// the curvature is negative between the peak and α. Gradient descent copes, but unlike Huber the loss is not convex.</para>
/// <para>Shapes: input and target of the same shape, floating, same dtype and device. δ &gt; 0, α &gt; 0.</para>
/// <para>Reductions: <c>None</c> per element; <c>Sum</c>; <c>Mean</c> (default) over all elements (0 when empty).
/// NaN propagates.</para>
/// <para>No other library ships this loss; the definition above is the contract.</para>
/// </remarks>
public sealed class SmoothLoss : Loss<Tensor, Tensor, Tensor>
{
    /// <summary>Creates the loss.</summary>
    /// <param name="delta">Scale: the slope of the linear part and the loss at |e| = α is δα. Must be positive.</param>
    /// <param name="alpha">Where the loss turns linear. Must be positive.</param>
    /// <param name="reduction">How to reduce.</param>
    public SmoothLoss(double delta = 1.0, double alpha = 2.0, Reduction reduction = Reduction.Mean) : base(nameof(SmoothLoss), reduction)
    {
        Validate.Positive(nameof(SmoothLoss), delta, nameof(delta));
        Validate.Positive(nameof(SmoothLoss), alpha, nameof(alpha));
        this.delta = delta;
        this.alpha = alpha;
    }

    /// <summary>The scale δ (slope of the linear part).</summary>
    public double delta { get; }

    /// <summary>The error magnitude α where the loss turns linear.</summary>
    public double alpha { get; }

    /// <inheritdoc/>
    public override Tensor forward(Tensor input, Tensor target) => losses.smooth_loss(input, target, delta, alpha, reduction);
}

public static partial class losses
{
    /// <summary>Creates a <see cref="LossKit.SmoothLoss"/>.</summary>
    public static SmoothLoss SmoothLoss(double delta = 1.0, double alpha = 2.0, Reduction reduction = Reduction.Mean) => new(delta, alpha, reduction);

    /// <summary>The exp-linear smooth loss (see <see cref="LossKit.SmoothLoss"/>).</summary>
    public static Tensor smooth_loss(Tensor input, Tensor target, double delta = 1.0, double alpha = 2.0, Reduction reduction = Reduction.Mean) =>
        LossChecks.Active
            ? LossChecks.Checked(nameof(LossKit.SmoothLoss), input, (target, delta, alpha, reduction),
                static (x, a) => smooth_loss_unchecked(x, a.target, a.delta, a.alpha, a.reduction))
            : smooth_loss_unchecked(input, target, delta, alpha, reduction);

    private static Tensor smooth_loss_unchecked(Tensor input, Tensor target, double delta, double alpha, Reduction reduction)
    {
        const string name = nameof(LossKit.SmoothLoss);
        Validate.Positive(name, delta, nameof(delta));
        Validate.Positive(name, alpha, nameof(alpha));
        Validate.Elementwise(name, input, target);
        Validate.Reduction(name, reduction, allowBatchMean: false);
        if (FusedKernels.CanUse(input, target))
            return FusedKernels.elementwise_loss(FusedKernels.ElementwiseLoss.Smooth, input, target, reduction, delta, alpha);
        using var scope = NewDisposeScope();
        var e = input.sub(target);
        var u = e.div(alpha).clamp(-1.0, 1.0);
        var g = u.abs().neg().add(1.0).exp().mul(u).mul(delta);
        var loss = g.mul(e);
        return Reductions.Apply(loss, reduction).MoveToOuterDisposeScope();
    }
}
