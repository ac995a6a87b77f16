using LossKit.Torch;
using static LossKit.Torch.torch;
using static LossKit.Torch.torch.nn;

namespace LossKit;

/// <summary>
/// Soft Dice loss: 1 - Dice with Dice_c = (2·Σ p·y + ε) / (Σ p + Σ y + ε), the |X ∩ Y| / (|X| + |Y|) form, over the whole
/// batch and every spatial position, differentiable in the input.
/// </summary>
/// <remarks>
/// <para>Identical in value to <see cref="F1Loss"/> for the same options (2·tp + fp + fn = Σ p + Σ y), computed from
/// intersections and sizes instead of tp/fp/fn. Everything <see cref="F1Loss"/> documents applies unchanged: the modes
/// (softmax with class indices, sigmoid with 0/1 targets), <c>from_logits</c>, ε in numerator and denominator (default 1e-7,
/// no clamp of the score), <c>ignore_index</c>, the absent-class policy (classes with no target in the batch are left out of
/// the macro mean; no class present at all gives 0 with zero gradient), macro and micro averages, and the reductions over
/// per-class losses (None: (C) vector with 0 for absent classes; Sum; Mean; Micro allows Mean only).</para>
/// <para>Gradient: ∂Dice_c/∂p = (2·y·D - N) / D² with N = 2·Σ p·y + ε and D = Σ p + Σ y + ε, chained through softmax or sigmoid.
/// NaN propagates; extreme logits (±1e4) stay finite.</para>
/// <para>Use it for segmentation with small foreground regions, usually added to cross-entropy
/// (<c>losses.Combine((losses.CrossEntropyLoss(), 1.0), (losses.DiceLoss(), 1.0))</c>).</para>
/// </remarks>
public sealed class DiceLoss : Loss<Tensor, Tensor, Tensor>
{
    /// <summary>Creates the loss.</summary>
    /// <param name="mode">How input and target are read (softmax over classes, or sigmoid).</param>
    /// <param name="from_logits">True (default): the input holds logits; false: it holds probabilities in [0, 1].</param>
    /// <param name="average">Macro (mean of per-class Dice over present classes) or Micro (pooled sums).</param>
    /// <param name="epsilon">Smoothing ε ≥ 0 added to numerator and denominator.</param>
    /// <param name="ignore_index">Target value excluded from every sum.</param>
    /// <param name="reduction">Mean (default), Sum or None over the per-class losses; Micro allows Mean only.</param>
    public DiceLoss(OverlapMode mode = OverlapMode.Multiclass, bool from_logits = true, OverlapAverage average = OverlapAverage.Macro,
        double epsilon = 1e-7, long ignore_index = -100, Reduction reduction = Reduction.Mean) : base(nameof(DiceLoss), reduction)
    {
        Validate.OverlapOptions(nameof(DiceLoss), mode, average, epsilon, reduction);
        this.mode = mode;
        this.from_logits = from_logits;
        this.average = average;
        this.epsilon = epsilon;
        this.ignore_index = ignore_index;
    }

    /// <summary>How input and target are read.</summary>
    public OverlapMode mode { get; }

    /// <summary>Whether the input holds logits (true) or probabilities (false).</summary>
    public bool from_logits { get; }

    /// <summary>Macro or micro averaging.</summary>
    public OverlapAverage average { get; }

    /// <summary>The smoothing ε.</summary>
    public double epsilon { get; }

    /// <summary>The target value excluded from every sum.</summary>
    public long ignore_index { get; }

    /// <inheritdoc/>
    public override Tensor forward(Tensor input, Tensor target) =>
        losses.dice_loss(input, target, mode, from_logits, average, epsilon, ignore_index, reduction);

    /// <summary>The loss's name and options.</summary>
    public override string ToString() =>
        $"DiceLoss(mode={mode}, from_logits={from_logits}, average={average}, epsilon={epsilon}, ignore_index={ignore_index}, reduction={reduction})";
}

public static partial class losses
{
    /// <summary>Creates a <see cref="LossKit.DiceLoss"/> (soft Dice, 1 - 2|X∩Y| / (|X| + |Y|)).</summary>
    public static DiceLoss DiceLoss(OverlapMode mode = OverlapMode.Multiclass, bool from_logits = true, OverlapAverage average = OverlapAverage.Macro,
        double epsilon = 1e-7, long ignore_index = -100, Reduction reduction = Reduction.Mean) =>
        new(mode, from_logits, average, epsilon, ignore_index, reduction);

    /// <summary>
    /// Soft Dice loss 1 - (2·Σ p·y + ε) / (Σ p + Σ y + ε) over the batch (see <see cref="LossKit.DiceLoss"/> and
    /// <see cref="LossKit.F1Loss"/> for modes, absent classes, averages and reductions).
    /// </summary>
    public static Tensor dice_loss(Tensor input, Tensor target, OverlapMode mode = OverlapMode.Multiclass, bool from_logits = true,
        OverlapAverage average = OverlapAverage.Macro, double epsilon = 1e-7, long ignore_index = -100, Reduction reduction = Reduction.Mean) =>
        Overlap.Compute(nameof(LossKit.DiceLoss), input, target, mode, from_logits, average, epsilon, ignore_index, reduction, DiceTerms);

    /// <summary>2·Σ p·y and Σ p + Σ y per class.</summary>
    private static (Tensor numerator, Tensor denominator) DiceTerms(Tensor p, Tensor y)
    {
        var intersection = p.mul(y).sum(0L);
        return (intersection.mul(2), p.sum(0L).add(y.sum(0L)));
    }
}
