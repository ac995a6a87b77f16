using LossKit.Torch;
using static LossKit.Torch.torch;
using static LossKit.Torch.torch.nn;

namespace LossKit;

/// <summary>
/// Sigmoid focal loss (Lin, Goyal, Girshick, He and Dollár, "Focal Loss for Dense Object Detection", ICCV 2017), for
/// binary and multi-label targets: FLᵢ = -αₜ (1 - pₜ)^γ log pₜ element-wise, with p = σ(x) and pₜ = p where y = 1,
/// 1 - p where y = 0.
/// </summary>
/// <remarks>
/// <para>Definition for any target y in [0, 1] (torchvision's <c>sigmoid_focal_loss</c>, which reduces to the above for
/// hard labels): ce = BCE-with-logits(x, y) element-wise, pₜ = p y + (1 - p)(1 - y), αₜ = α y + (1 - α)(1 - y), and
/// FL = αₜ · ce · (1 - pₜ)^γ. <c>alpha</c> = null drops αₜ (torchvision's α &lt; 0).</para>
/// <para>Computation in log space: ce comes from the stable BCE-with-logits kernel, and (1 - pₜ)^γ = exp(γ log(1 - pₜ))
/// with log(1 - pₜ) = log(y σ(-x) + (1 - y) σ(x)) evaluated as a log-sum-exp of log y + logσ(-x) and log(1 - y) + logσ(x)
/// (logσ from <c>log_sigmoid</c>, never log(sigmoid)). For a hard label this is exactly logσ(-x) (y = 1) or logσ(x)
/// (y = 0), so logits of ±10⁴ give finite losses and gradients, and confident correct predictions get a modulating
/// factor that underflows smoothly to 0 instead of a NaN gradient. γ = 0 with <c>alpha</c> = null reproduces
/// <see cref="losses.binary_cross_entropy_with_logits"/> bit for bit (values and gradients); γ = 0 with α = a is BCE with
/// logits weighted by αₜ, i.e. (1 - a) · BCE-with-logits with pos_weights a / (1 - a) for hard labels.</para>
/// <para>Unlike one of TorchSharp's overloads, the focal factor multiplies the per-element cross-entropy before any
/// reduction (TorchSharp reduces the inner BCE first, then multiplies the scalar by the element-wise factor).</para>
/// <para>Shapes: input x (logits) and target y of the same shape (any), floating, same dtype and device; y in [0, 1]
/// (outside throws <see cref="LossArgumentOutOfRangeException"/>). <c>alpha</c> in [0, 1] or null; <c>gamma</c> ≥ 0.</para>
/// <para>Reductions: <c>None</c> per element; <c>Sum</c>; <c>Mean</c> (default) over all elements (0 for an empty input,
/// with zero gradient), as torchvision.</para>
/// <para>Gradient with respect to x (hard labels, s = ±1 for y = 1 / 0, so pₜ = σ(s x)): dFL/dx = αₜ s (1 - pₜ)^γ
/// (γ pₜ log pₜ + pₜ - 1). A soft target that requires grad gets the exact derivative as well, also at y = 0 and 1
/// (dFL/dy through ce, αₜ and γ (1 - pₜ)^(γ-1) (σ(-x) - σ(x))); for γ &lt; 1 the latter grows without bound where
/// 1 - pₜ underflows and is clamped to the largest finite value of the dtype.</para>
/// <para>NaN or ±∞ in input or target propagate (NaN loss).</para>
/// <para>When to use it: dense detection and segmentation or any binary / multi-label task where easy negatives vastly
/// outnumber the informative examples: (1 - pₜ)^γ shrinks the loss of well-classified elements so training focuses on
/// hard ones. The paper's defaults are γ = 2, α = 0.25 (α weights the rare positive class; with γ &gt; 0 the best α
/// is below 0.5 because the focal term already down-weights the many easy negatives). For balanced data plain
/// <see cref="BCEWithLogitsLoss"/> is usually as good.</para>
/// </remarks>
public sealed class SigmoidFocalLoss : Loss<Tensor, Tensor, Tensor>
{
    /// <summary>Creates the loss.</summary>
    /// <param name="alpha">Weight of the positive class in [0, 1] (negatives get 1 - α); null for no α weighting.</param>
    /// <param name="gamma">Focusing parameter γ ≥ 0; 0 gives (α-weighted) BCE with logits.</param>
    /// <param name="reduction">How to reduce.</param>
    public SigmoidFocalLoss(double? alpha = 0.25, double gamma = 2.0, Reduction reduction = Reduction.Mean)
        : base(nameof(SigmoidFocalLoss), reduction)
    {
        losses.CheckFocalOptions(alpha, gamma);
        this.alpha = alpha;
        this.gamma = gamma;
    }

    /// <summary>The weight of the positive class, or null.</summary>
    public double? alpha { get; }

    /// <summary>The focusing parameter γ.</summary>
    public double gamma { get; }

    /// <inheritdoc/>
    public override Tensor forward(Tensor input, Tensor target) => losses.sigmoid_focal_loss(input, target, alpha, gamma, reduction);
}

public static partial class losses
{
    /// <summary>Creates a <see cref="LossKit.SigmoidFocalLoss"/> (Lin et al. 2017).</summary>
    /// <param name="alpha">Weight of the positive class in [0, 1], or null for none.</param>
    /// <param name="gamma">Focusing parameter γ ≥ 0.</param>
    /// <param name="reduction">How to reduce.</param>
    public static SigmoidFocalLoss SigmoidFocalLoss(double? alpha = 0.25, double gamma = 2.0, Reduction reduction = Reduction.Mean) =>
        new(alpha, gamma, reduction);

    /// <summary>
    /// Sigmoid focal loss -αₜ (1 - pₜ)^γ log pₜ of logits <paramref name="input"/> against binary or multi-label targets in
    /// [0, 1], computed in log space (see <see cref="LossKit.SigmoidFocalLoss"/>).
    /// </summary>
    /// <param name="input">Logits, any shape.</param>
    /// <param name="target">Targets in [0, 1], the input's shape.</param>
    /// <param name="alpha">Weight of the positive class in [0, 1], or null for none.</param>
    /// <param name="gamma">Focusing parameter γ ≥ 0.</param>
    /// <param name="reduction">None, Mean (over all elements) or Sum.</param>
    public static Tensor sigmoid_focal_loss(Tensor input, Tensor target, double? alpha = 0.25, double gamma = 2.0,
        Reduction reduction = Reduction.Mean) =>
        LossChecks.Active
            ? LossChecks.Checked(nameof(LossKit.SigmoidFocalLoss), input, (target, alpha, gamma, reduction),
                static (x, a) => sigmoid_focal_loss_unchecked(x, a.target, a.alpha, a.gamma, a.reduction))
            : sigmoid_focal_loss_unchecked(input, target, alpha, gamma, reduction);

    private static Tensor sigmoid_focal_loss_unchecked(Tensor input, Tensor target, double? alpha, double gamma,
        Reduction reduction)
    {
        const string name = nameof(LossKit.SigmoidFocalLoss);
        CheckFocalOptions(alpha, gamma);
        Validate.Elementwise(name, input, target);
        Validate.Reduction(name, reduction, allowBatchMean: false);
        if (reduction == Reduction.Mean && input.numel() == 0) return input.sum();
        if (Fused.Elementwise(FusedKernels.ElementwiseLoss.SigmoidFocal, input, target, reduction, alpha ?? -1.0, gamma,
                checks: FusedKernels.ValueChecks.TargetInUnitInterval,
                reportFailure: () => Validate.ValuesInRange(name, target, "target", 0, 1)) is { } fused)
            return fused;
        Validate.ValuesInRange(name, target, "target", 0, 1);

        using var scope = NewDisposeScope();
        var ce = BinaryCrossEntropyWithLogitsElements(input, target, null, null);

        // log(1 - pₜ) = log(y σ(-x) + (1 - y) σ(x)). The coefficients' logs use the target without its gradient: at y = 0
        // or 1 one of them is -∞ and its derivative would turn into 0·∞ = NaN. For hard labels one term is -∞ and the
        // log-sum-exp returns the other exactly (logσ(-x) or logσ(x)), with a finite gradient for any logit.
        var y = target.requires_grad ? target.detach() : target;
        var positive = y.log().add(input.neg().log_sigmoid());
        var negative = y.neg().log1p().add(input.log_sigmoid());
        var logOneMinusPt = stack([positive, negative]).logsumexp(0);
        var modulating = logOneMinusPt.mul(gamma).exp();
        if (target.requires_grad && gamma != 0)
            modulating = modulating.add(TargetGradient(input, target, y, logOneMinusPt, gamma));

        var loss = ce.mul(modulating);
        if (alpha is { } a)
        {
            var alphaT = target.mul(a).add(target.neg().add(1).mul(1 - a));
            loss = alphaT.mul(loss);
        }
        return Reductions.Apply(loss, reduction).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// A term that is exactly 0 but carries d(1 - pₜ)^γ/dy = γ (1 - pₜ)^(γ-1) (σ(-x) - σ(x)) to a target that requires
    /// grad (the log-space modulating factor sees the target detached). Its coefficient is detached from the graph, so
    /// it adds nothing to the input's gradient.
    /// </summary>
    private static Tensor TargetGradient(Tensor input, Tensor target, Tensor detachedTarget, Tensor logOneMinusPt, double gamma)
    {
        using var scope = NewDisposeScope();
        Tensor derivative;
        using (no_grad())
        {
            var x = input.detach();
            var largest = input.dtype == ScalarType.Float64 ? double.MaxValue : float.MaxValue;
            derivative = logOneMinusPt.detach().mul(gamma - 1).exp().mul(x.neg().sigmoid().sub(x.sigmoid())).mul(gamma)
                .clamp(-largest, largest);
        }
        // (y - y.detach()) · c is 0 in value, with derivative c with respect to y.
        return target.sub(detachedTarget).mul(derivative).MoveToOuterDisposeScope();
    }

    internal static void CheckFocalOptions(double? alpha, double gamma)
    {
        const string name = nameof(LossKit.SigmoidFocalLoss);
        if (alpha is { } a) Validate.InRange(name, a, nameof(alpha), 0, 1);
        Validate.NonNegative(name, gamma, nameof(gamma));
    }
}
