using LossKit.Torch;
using static LossKit.Torch.torch;
using static LossKit.Torch.torch.nn;

namespace LossKit;

/// <summary>
/// Soft F1 loss: 1 - F1 computed from soft (probability-weighted) true-positive, false-positive and false-negative counts
/// over the whole batch, differentiable in the input.
/// </summary>
/// <remarks>
/// <para><b>Counts.</b> With probabilities p (softmax over classes in <see cref="OverlapMode.Multiclass"/>, sigmoid in
/// <see cref="OverlapMode.Binary"/> and <see cref="OverlapMode.Multilabel"/>, or the input itself when <c>from_logits</c>
/// is false) and targets y (one-hot class indices, or the 0/1 target), summed over the batch and every spatial position
/// that is not ignored:
/// tp_c = Σ y·p, fp_c = Σ (1 - y)·p, fn_c = Σ y·(1 - p).</para>
/// <para><b>Score.</b> F1_c = (2·tp_c + ε) / (2·tp_c + fp_c + fn_c + ε), ε = <c>epsilon</c> (default 1e-7) added to numerator
/// and denominator: a perfect prediction scores exactly 1, and for every class that is present (see below) the denominator
/// is already at least Σ y &gt; 0, so ε only smooths; 1e-7 is below float32 resolution for counts of one sample or more.
/// ε = 0 is allowed and gives the exact F1. The loss of a class is ℓ_c = 1 - F1_c.</para>
/// <para><b>No clamp.</b> Unlike the source material, F1 is not clamped into [ε, 1 - ε]: such a clamp has zero gradient
/// exactly where predictions are very wrong or very right, so training would stall there; the score above already lies in
/// [0, 1] for probabilities in [0, 1].</para>
/// <para><b>Absent classes.</b> A class is present when the counted targets hold a positive amount of it (Σ y_c &gt; 0).
/// Classes absent from the batch's targets are left out of the macro mean (their ℓ_c is 0 with zero gradient and they
/// are not counted in the denominator), whether or not they are predicted. This follows segmentation_models_pytorch's
/// masking but divides by the number of present classes where smp divides by C. Consequence: in the sigmoid modes a
/// false positive on a class absent from the whole batch is not penalised by the macro loss (combine it with
/// binary cross-entropy, or use <see cref="OverlapAverage.Micro"/>, whose pooled fp includes every class); in Multiclass
/// mode the softmax still pushes that probability mass toward the true classes through their fn.
/// When no class is present at all (an empty batch, every target ignored, or an all-negative Binary/Multilabel target)
/// the loss is 0 with zero gradient.</para>
/// <para><b>Averages.</b> <see cref="OverlapAverage.Macro"/> (default): loss = mean over present classes of ℓ_c.
/// <see cref="OverlapAverage.Micro"/>: tp, fp and fn are first summed over all classes (absent ones included), then
/// loss = 1 - (2·TP + ε) / (2·TP + FP + FN + ε); in Multiclass mode FP = FN, so micro F1 is the mean probability of the
/// true class. In Binary mode there is one class and both averages agree.</para>
/// <para><b>Reduction.</b> The loss is a statistic of the whole batch, not a mean of per-sample losses, so the reduction
/// acts on the per-class losses: <see cref="Reduction.Mean"/> (default) is the macro mean over present classes;
/// <see cref="Reduction.Sum"/> adds ℓ_c over present classes; <see cref="Reduction.None"/> returns the (C) vector of ℓ_c
/// (shape [1] in Binary mode) with 0 for absent classes, so Sum = None.sum() and Mean = Sum / (number of present classes).
/// With <see cref="OverlapAverage.Micro"/> only Mean is defined (other reductions throw).</para>
/// <para><b>Shapes.</b> Multiclass: input (N, C, d1, ...) or (C), target int64 (N, d1, ...) or a scalar, values in [0, C)
/// or <c>ignore_index</c>. Binary: input and target of the same (any) shape. Multilabel: input and target (N, C, d1, ...).
/// Float targets must have the input's dtype and device and lie in [0, 1] (soft labels are counted softly) or equal
/// <c>ignore_index</c>; with <c>from_logits</c> false the input must lie in [0, 1] (it is used as given: Multiclass rows are
/// not renormalised).</para>
/// <para><b>ignore_index</b> (default -100): positions (Multiclass) or elements (Binary, Multilabel) whose target equals it
/// are excluded from every count.</para>
/// <para><b>Gradient.</b> ∂F1_c/∂p = (2·y·D - N) / D² with N, D the numerator and denominator above, chained through softmax or
/// sigmoid. NaN in the input or target propagates. Extreme logits (±1e4) give finite values and gradients.</para>
/// <para>Soft F1 equals soft Dice (<see cref="DiceLoss"/>) for the same options: 2·tp + fp + fn = Σ p + Σ y.
/// Use it for imbalanced classification or segmentation, usually added to cross-entropy (see <see cref="CombinedLoss"/>).</para>
/// </remarks>
public sealed class F1Loss : Loss<Tensor, Tensor, Tensor>
{
    /// <summary>Creates the loss.</summary>
    /// <param name="mode">How input and target are read (softmax over classes, or sigmoid).</param>
    /// <param name="from_logits">True (default): the input holds logits; false: it holds probabilities in [0, 1].</param>
    /// <param name="average">Macro (mean of per-class F1 over present classes) or Micro (pooled counts).</param>
    /// <param name="epsilon">Smoothing ε ≥ 0 added to numerator and denominator.</param>
    /// <param name="ignore_index">Target value excluded from every count.</param>
    /// <param name="reduction">Mean (default), Sum or None over the per-class losses; Micro allows Mean only.</param>
    public F1Loss(OverlapMode mode = OverlapMode.Multiclass, bool from_logits = true, OverlapAverage average = OverlapAverage.Macro,
        double epsilon = 1e-7, long ignore_index = -100, Reduction reduction = Reduction.Mean) : base(nameof(F1Loss), reduction)
    {
        Validate.OverlapOptions(nameof(F1Loss), mode, average, epsilon, reduction);
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

    /// <summary>The target value excluded from every count.</summary>
    public long ignore_index { get; }

    /// <inheritdoc/>
    public override Tensor forward(Tensor input, Tensor target) =>
        losses.f1_loss(input, target, mode, from_logits, average, epsilon, ignore_index, reduction);

    /// <summary>The loss's name and options.</summary>
    public override string ToString() =>
        $"F1Loss(mode={mode}, from_logits={from_logits}, average={average}, epsilon={epsilon}, ignore_index={ignore_index}, reduction={reduction})";
}

public static partial class losses
{
    /// <summary>Creates an <see cref="LossKit.F1Loss"/> (soft F1, 1 - F1 from soft counts).</summary>
    public static F1Loss F1Loss(OverlapMode mode = OverlapMode.Multiclass, bool from_logits = true, OverlapAverage average = OverlapAverage.Macro,
        double epsilon = 1e-7, long ignore_index = -100, Reduction reduction = Reduction.Mean) =>
        new(mode, from_logits, average, epsilon, ignore_index, reduction);

    /// <summary>
    /// Soft F1 loss 1 - (2tp + ε) / (2tp + fp + fn + ε) from soft counts over the batch (see <see cref="LossKit.F1Loss"/> for
    /// modes, absent classes, averages and reductions).
    /// </summary>
    public static Tensor f1_loss(Tensor input, Tensor target, OverlapMode mode = OverlapMode.Multiclass, bool from_logits = true,
        OverlapAverage average = OverlapAverage.Macro, double epsilon = 1e-7, long ignore_index = -100, Reduction reduction = Reduction.Mean) =>
        Overlap.Compute(nameof(LossKit.F1Loss), input, target, mode, from_logits, average, epsilon, ignore_index, reduction, F1Terms);

    /// <summary>2tp and 2tp + fp + fn per class.</summary>
    private static (Tensor numerator, Tensor denominator) F1Terms(Tensor p, Tensor y)
    {
        var tp = y.mul(p).sum(0L);
        var fp = y.neg().add(1).mul(p).sum(0L);
        var fn = y.mul(p.neg().add(1)).sum(0L);
        var twoTp = tp.mul(2);
        return (twoTp, twoTp.add(fp).add(fn));
    }
}
