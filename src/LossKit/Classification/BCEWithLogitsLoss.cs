using LossKit.Torch;
using static LossKit.Torch.torch;
using static LossKit.Torch.torch.nn;

namespace LossKit;

/// <summary>
/// Binary cross-entropy on logits: ℓᵢ = -wᵢ (P yᵢ log σ(xᵢ) + (1 - yᵢ) log(1 - σ(xᵢ))), with σ the sigmoid and P the
/// positive-class weight (<c>pos_weights</c>, 1 when absent), computed stably without forming σ(x).
/// </summary>
/// <remarks>
/// <para>Computation: libtorch's kernel (PyTorch's <c>binary_cross_entropy_with_logits</c>) writes the loss in log-sum-exp
/// form, ℓ = w ((1 - y) x + (1 + (P - 1) y) (log(e^-m + e^(-x-m)) + m)) with m = max(-x, 0), so every logit, ±10⁴
/// included, gives a finite loss and gradient; there is no clamp and no loss of precision for confident predictions.</para>
/// <para>Shapes: input x (logits, any shape) and target y of the same shape, floating, same dtype and device; y in
/// [0, 1] (hard 0/1 labels or soft labels; outside throws <see cref="LossArgumentOutOfRangeException"/>). Binary:
/// (N) or (N, 1); multi-label: (N, C), one independent sigmoid per class.</para>
/// <para>Weights: <c>weight</c> rescales each element's loss and must broadcast to the input without enlarging it (the
/// input's shape, (C) for input (..., C), or one value). <c>pos_weights</c> multiplies the positive term only and
/// broadcasts along the last (class) dimension: shape (C) for input (..., C), a single value (shape () or (1)), or any
/// shape broadcastable to the input. P &gt; 1 raises recall (use #negatives / #positives of each class for imbalanced
/// data), P &lt; 1 raises precision. Both are converted to the input's dtype and carry no gradient through the module.</para>
/// <para>Reductions: <c>None</c> gives ℓ with the input's shape; <c>Sum</c>; <c>Mean</c> (default) is the plain mean over
/// all elements of w·loss, not divided by Σ w (0 for an empty input, with zero gradient; PyTorch gives NaN).</para>
/// <para>Gradient: ∂ℓ/∂x = w ((1 - y) σ(x) - P y (1 - σ(x))) = w ((1 + (P - 1) y) σ(x) - P y); without pos_weights
/// w (σ(x) - y).</para>
/// <para>NaN or ±∞ in input or target propagate (NaN loss), as in PyTorch.</para>
/// <para>Use it for binary and multi-label classification whenever the model outputs logits (preferred over a sigmoid
/// followed by <see cref="BCELoss"/>). For heavy class imbalance or many easy negatives (dense detection) consider
/// <see cref="SigmoidFocalLoss"/>.</para>
/// </remarks>
public sealed class BCEWithLogitsLoss : WeightedLoss<Tensor, Tensor, Tensor>
{
    /// <summary>Creates the loss (TorchSharp's parameter names and order).</summary>
    /// <param name="weight">Optional weights broadcastable to the input; null for none.</param>
    /// <param name="reduction">How to reduce.</param>
    /// <param name="pos_weights">Optional weight of the positive term, one per class along the last dimension (C) or a
    /// single value; null for none (P = 1).</param>
    public BCEWithLogitsLoss(Tensor? weight = null, Reduction reduction = Reduction.Mean, Tensor? pos_weights = null)
        : base(nameof(BCEWithLogitsLoss), CheckWeight(weight, nameof(weight)), reduction)
    {
        if (pos_weights is not null)
        {
            CheckWeight(pos_weights, nameof(pos_weights));
            // Like weight: a detached alias owned by the module (the caller may dispose its own).
            this.pos_weights = pos_weights.detach().DetachFromDisposeScope();
            register_buffer(nameof(pos_weights), this.pos_weights);
        }
    }

    private static Tensor? CheckWeight(Tensor? weight, string argument)
    {
        if (weight is not null) Validate.Floating(nameof(BCEWithLogitsLoss), weight, argument);
        return weight;
    }

    /// <summary>The weight of the positive term (PyTorch's <c>pos_weight</c>), or null.</summary>
    public Tensor? pos_weights { get; }

    /// <inheritdoc/>
    public override Tensor forward(Tensor input, Tensor target) =>
        losses.binary_cross_entropy_with_logits(input, target, weight, reduction, pos_weights);
}

public static partial class losses
{
    /// <summary>Creates a <see cref="LossKit.BCEWithLogitsLoss"/>: binary cross-entropy on logits.</summary>
    /// <param name="weight">Optional weights broadcastable to the input; null for none.</param>
    /// <param name="reduction">How to reduce.</param>
    /// <param name="pos_weights">Optional positive-term weight, (C) or a single value; null for none.</param>
    public static BCEWithLogitsLoss BCEWithLogitsLoss(Tensor? weight = null, Reduction reduction = Reduction.Mean, Tensor? pos_weights = null) =>
        new(weight, reduction, pos_weights);

    /// <summary>
    /// Binary cross-entropy of logits <paramref name="input"/> against targets in [0, 1], computed stably, with optional
    /// element/class weights and positive-class weights (see <see cref="LossKit.BCEWithLogitsLoss"/>).
    /// </summary>
    /// <param name="input">Logits, any shape.</param>
    /// <param name="target">Targets in [0, 1], the input's shape.</param>
    /// <param name="weight">Optional weights broadcastable to the input; null for none.</param>
    /// <param name="reduction">None, Mean (over all elements) or Sum.</param>
    /// <param name="pos_weights">Optional positive-term weight broadcast along the last dimension; null for none.</param>
    public static Tensor binary_cross_entropy_with_logits(Tensor input, Tensor target, Tensor? weight = null,
        Reduction reduction = Reduction.Mean, Tensor? pos_weights = null) =>
        LossChecks.Active
            ? LossChecks.Checked(nameof(LossKit.BCEWithLogitsLoss), input, (target, weight, reduction, pos_weights),
                static (x, a) => binary_cross_entropy_with_logits_unchecked(x, a.target, a.weight, a.reduction, a.pos_weights))
            : binary_cross_entropy_with_logits_unchecked(input, target, weight, reduction, pos_weights);

    private static Tensor binary_cross_entropy_with_logits_unchecked(Tensor input, Tensor target, Tensor? weight,
        Reduction reduction, Tensor? pos_weights)
    {
        const string name = nameof(LossKit.BCEWithLogitsLoss);
        Validate.Elementwise(name, input, target);
        Validate.Reduction(name, reduction, allowBatchMean: false);
        Validate.BroadcastableTo(name, weight, input, nameof(weight));
        Validate.BroadcastableTo(name, pos_weights, input, nameof(pos_weights));
        if (reduction == Reduction.Mean && input.numel() == 0) return input.sum();
        if (Fused.Elementwise(FusedKernels.ElementwiseLoss.BCEWithLogits, input, target, reduction, weight: weight, posWeight: pos_weights,
                checks: FusedKernels.ValueChecks.TargetInUnitInterval,
                reportFailure: () => Validate.ValuesInRange(name, target, "target", 0, 1)) is { } fused)
            return fused;
        Validate.ValuesInRange(name, target, "target", 0, 1);

        using var scope = NewDisposeScope();
        var elements = BinaryCrossEntropyWithLogitsElements(input, target, weight, pos_weights);
        return Reductions.Apply(elements, reduction).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The unreduced loss of validated arguments, by libtorch's stable kernel. <see cref="sigmoid_focal_loss"/> builds on
    /// the same per-element values and the same reduction, so with γ = 0 and no α it reproduces this loss bit for bit.
    /// </summary>
    internal static Tensor BinaryCrossEntropyWithLogitsElements(Tensor input, Tensor target, Tensor? weight, Tensor? posWeight)
    {
        var w = weight?.to(input.dtype).expand(input.shape);
        var p = posWeight?.to(input.dtype);
        return nn.functional.binary_cross_entropy_with_logits(input, target, w, Reduction.None, p);
    }
}
