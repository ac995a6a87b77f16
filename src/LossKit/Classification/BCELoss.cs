using LossKit.Torch;
using static LossKit.Torch.torch;
using static LossKit.Torch.torch.nn;

namespace LossKit;

/// <summary>
/// Binary cross-entropy on probabilities: ℓᵢ = -wᵢ (yᵢ log pᵢ + (1 - yᵢ) log(1 - pᵢ)), each logarithm clamped to
/// ≥ -100 (as in PyTorch) so that p = 0 or p = 1 gives a finite loss (at most 100 per element).
/// </summary>
/// <remarks>
/// <para>Shapes: input p (probabilities, any shape) and target y of the same shape, floating, same dtype and device.
/// Every p must lie in [0, 1]; y may be a hard label (0 or 1) or a soft label anywhere in [0, 1]. Values outside
/// [0, 1] throw <see cref="LossArgumentOutOfRangeException"/> naming the first offending value and its flat position.</para>
/// <para>Weights: optional <c>weight</c> broadcastable to the input without enlarging it: the input's own shape
/// (per element), (C) for input (..., C) (per class along the last dimension, e.g. multi-label), or a single value.
/// They are converted to the input's dtype, are not normalised and carry no gradient through the module.</para>
/// <para>Reductions: <c>None</c> gives ℓ with the input's shape; <c>Sum</c> gives Σᵢ ℓᵢ; <c>Mean</c> (default) gives the
/// plain mean Σᵢ ℓᵢ / n over all n elements of w·loss, not divided by Σ w (0 for an empty input, with zero gradient;
/// PyTorch gives NaN).</para>
/// <para>Gradient (libtorch's kernel, as in PyTorch): ∂ℓ/∂p = w (p - y) / max(p (1 - p), 10⁻¹²). Inside (0, 1) this
/// is the exact derivative; at p = 0 or 1 it stays finite (±10¹² · w · |p - y|) where the clamped loss is flat.
/// libtorch 1.13 evaluates the second term as log(1 - p) (not log1p(-p)), so for p below ~10⁻⁸ it loses relative
/// precision; the absolute error stays below 10⁻¹⁶.</para>
/// <para>NaN: a NaN in input or target gives a NaN loss (and NaN gradient) at that element, so the mean or sum is NaN,
/// as everywhere else in LossKit. This is a deliberate difference from PyTorch, whose CPU kernel rejects NaN with
/// "all elements of input should be between 0 and 1": a NaN probability means the model has already diverged, and
/// LossKit lets it surface the same way for every loss (check <c>isnan(loss)</c>). ±∞ is outside [0, 1] and throws.</para>
/// <para>Use it when the model already outputs probabilities (a final sigmoid). When you have logits, prefer
/// <see cref="BCEWithLogitsLoss"/>: it is numerically stable (no clamp at ±100, exact gradients for any logit) and
/// supports <c>pos_weights</c> for class imbalance.</para>
/// </remarks>
public sealed class BCELoss : WeightedLoss<Tensor, Tensor, Tensor>
{
    /// <summary>Creates the loss.</summary>
    /// <param name="weight">Optional weights broadcastable to the input (per element, per class along the last
    /// dimension, or one value); null for none.</param>
    /// <param name="reduction">How to reduce.</param>
    public BCELoss(Tensor? weight = null, Reduction reduction = Reduction.Mean)
        : base(nameof(BCELoss), CheckWeight(weight), reduction) { }

    private static Tensor? CheckWeight(Tensor? weight)
    {
        if (weight is not null) Validate.Floating(nameof(BCELoss), weight, nameof(weight));
        return weight;
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor input, Tensor target) => losses.binary_cross_entropy(input, target, weight, reduction);
}

public static partial class losses
{
    /// <summary>Creates a <see cref="LossKit.BCELoss"/>: binary cross-entropy on probabilities.</summary>
    /// <param name="weight">Optional weights broadcastable to the input; null for none.</param>
    /// <param name="reduction">How to reduce.</param>
    public static BCELoss BCELoss(Tensor? weight = null, Reduction reduction = Reduction.Mean) => new(weight, reduction);

    /// <summary>
    /// Binary cross-entropy -w (y log p + (1 - y) log(1 - p)) of probabilities <paramref name="input"/> against targets in
    /// [0, 1], each log clamped to ≥ -100 (see <see cref="LossKit.BCELoss"/>).
    /// </summary>
    /// <param name="input">Probabilities in [0, 1], any shape.</param>
    /// <param name="target">Targets in [0, 1], the input's shape.</param>
    /// <param name="weight">Optional weights broadcastable to the input; null for none.</param>
    /// <param name="reduction">None, Mean (over all elements) or Sum.</param>
    public static Tensor binary_cross_entropy(Tensor input, Tensor target, Tensor? weight = null, Reduction reduction = Reduction.Mean) =>
        LossChecks.Active
            ? LossChecks.Checked(nameof(LossKit.BCELoss), input, (target, weight, reduction),
                static (x, a) => binary_cross_entropy_unchecked(x, a.target, a.weight, a.reduction))
            : binary_cross_entropy_unchecked(input, target, weight, reduction);

    private static Tensor binary_cross_entropy_unchecked(Tensor input, Tensor target, Tensor? weight, Reduction reduction)
    {
        const string name = nameof(LossKit.BCELoss);
        Validate.Elementwise(name, input, target);
        Validate.Reduction(name, reduction, allowBatchMean: false);
        Validate.BroadcastableTo(name, weight, input, nameof(weight));
        if (reduction == Reduction.Mean && input.numel() == 0) return input.sum();
        if (Fused.Elementwise(FusedKernels.ElementwiseLoss.BCE, input, target, reduction, weight: weight,
                checks: FusedKernels.ValueChecks.InputInUnitInterval | FusedKernels.ValueChecks.TargetInUnitInterval,
                reportFailure: () =>
                {
                    Validate.ValuesInRange(name, input, "input", 0, 1);
                    Validate.ValuesInRange(name, target, "target", 0, 1);
                }) is { } fused)
            return fused;
        Validate.ValuesInRange(name, input, "input", 0, 1);
        Validate.ValuesInRange(name, target, "target", 0, 1);

        using var scope = NewDisposeScope();
        var w = weight?.to(input.dtype).expand(input.shape);
        var nan = input.isnan().logical_or(target.isnan());
        if (!nan.any().item<bool>())
        {
            if (reduction == Reduction.Mean && input.numel() == 0) return input.sum().MoveToOuterDisposeScope();
            return nn.functional.binary_cross_entropy(input, target, w, reduction).MoveToOuterDisposeScope();
        }

        // libtorch's kernel refuses NaN, so run it on a placeholder (0.5) there and put the NaN back: (p + y)² is NaN
        // exactly at those elements and has a NaN derivative, as a NaN flowing through the formula would.
        var safe = nn.functional.binary_cross_entropy(input.masked_fill(nan, 0.5), target.masked_fill(nan, 0.5), w, Reduction.None);
        var s = input.add(target);
        var elements = where(nan, s.mul(s), safe);
        return Reductions.Apply(elements, reduction).MoveToOuterDisposeScope();
    }
}
