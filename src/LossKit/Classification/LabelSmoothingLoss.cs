using LossKit.Torch;
using static LossKit.Torch.torch;
using static LossKit.Torch.torch.nn;

namespace LossKit;

/// <summary>
/// Label-smoothing cross-entropy with the "confidence" convention: the target distribution puts 1 - ε on the true class
/// and ε / (C - 1) on each other class, and ℓₙ = -Σ_c t[n, c] · log softmax(xₙ)[c].
/// </summary>
/// <remarks>
/// <para><b>Two conventions, side by side.</b> For C classes, true class y and smoothing ε:
/// <list type="table">
/// <listheader><term>loss</term><description>true class / every other class</description></listheader>
/// <item><term><see cref="LabelSmoothingLoss"/>(smoothing: ε)</term><description>1 - ε / ε / (C - 1)</description></item>
/// <item><term><see cref="CrossEntropyLoss"/>(label_smoothing: ε) (PyTorch)</term><description>1 - ε + ε / C / ε / C</description></item>
/// </list>
/// The same ε therefore smooths less in PyTorch's convention. They describe the same distribution when
/// <c>ε_PyTorch = ε · C / (C - 1)</c> (equivalently <c>ε = ε_PyTorch · (C - 1) / C</c>): for example with C = 10,
/// <c>LabelSmoothingLoss(10, smoothing: 0.09)</c> equals <c>CrossEntropyLoss(label_smoothing: 0.1)</c> (0.91 on the true
/// class, 0.01 on each other), with or without weights, ignore_index and any reduction. Smoothing above (C - 1) / C (the
/// true class gets less than each other class) has no PyTorch counterpart but is accepted here.</para>
/// <para><b>Formula</b>, with p = softmax(x) over the class dimension (computed as log-softmax, so logits of ±1e4 stay
/// finite), t[n, yₙ] = 1 - ε, t[n, c] = ε / (C - 1) for c ≠ yₙ, and class weights w (all 1 when <c>weight</c> is null):
/// <code>ℓₙ = -Σ_c w[c] · t[n, c] · log p[n, c]      (ℓₙ = 0 where yₙ = ignore_index)</code>
/// The weights enter exactly as in PyTorch's weighted label smoothing (each class's term is scaled by its own weight),
/// which keeps the mapping above exact with weights too. With ε = 0 this is <see cref="CrossEntropyLoss"/>.</para>
/// <para><b>Shapes</b>: input logits (C), (N, C) or (N, C, d1, ...), floating; <c>classes</c> must equal C (≥ 2).
/// Target: class indices, integer (int64; int32 accepted), of shape (), (N) or (N, d1, ...), each in [0, C) or equal to
/// <c>ignore_index</c>. Extra dimensions count as more rows.</para>
/// <para><b>Reductions</b>: <c>None</c> gives ℓ of the target's shape; <c>Sum</c> gives Σₙ ℓₙ; <c>Mean</c> (default) gives
/// Σₙ ℓₙ / Σₙ w[yₙ] over the rows that are not ignored (without weights: the mean over the rows not ignored). Every row
/// ignored, an empty batch or every counted weight 0 gives 0 with zero gradient.</para>
/// <para><b>Gradient</b>: ∂ℓₙ/∂x[n, c] = p[n, c] · Σ_k w[k] t[n, k] - w[c] t[n, c]. No gradient flows into the weights.</para>
/// <para>NaN or ±∞ logits propagate into the loss of their row.</para>
/// <para><b>When to use it</b>: to keep a classifier from becoming over-confident (better calibration, some regularisation),
/// when you think of the smoothing as "the probability mass taken from the true class". Pick either convention, but
/// convert ε when you move between code bases.</para>
/// </remarks>
public sealed class LabelSmoothingLoss : WeightedLoss<Tensor, Tensor, Tensor>
{
    /// <summary>Creates the loss.</summary>
    /// <param name="classes">The number of classes C (at least 2); the input's class dimension must equal it.</param>
    /// <param name="smoothing">ε in [0, 1]: the probability mass moved from the true class, spread evenly over the other C - 1.</param>
    /// <param name="weight">Class weights: a 1-D floating tensor with one entry per class, or null for none.</param>
    /// <param name="ignore_index">Target value whose rows are skipped (they give 0 and do not count in the mean).</param>
    /// <param name="reduction">How to reduce.</param>
    public LabelSmoothingLoss(long classes, double smoothing = 0.1, Tensor? weight = null, long ignore_index = -100, Reduction reduction = Reduction.Mean)
        : base(nameof(LabelSmoothingLoss), CheckOptions(classes, smoothing, weight), reduction)
    {
        this.classes = classes;
        this.smoothing = smoothing;
        this.ignore_index = ignore_index;
    }

    // Runs before the base constructor keeps a reference to the weights.
    private static Tensor? CheckOptions(long classes, double smoothing, Tensor? weight)
    {
        Validate.LabelSmoothingOptions(nameof(LabelSmoothingLoss), classes, smoothing);
        return Validate.ClassWeightOption(nameof(LabelSmoothingLoss), weight);
    }

    /// <summary>The number of classes C.</summary>
    public long classes { get; }

    /// <summary>The smoothing ε (1 - ε on the true class, ε / (C - 1) on each other class).</summary>
    public double smoothing { get; }

    /// <summary>Target value whose rows are skipped.</summary>
    public long ignore_index { get; }

    /// <inheritdoc/>
    public override Tensor forward(Tensor input, Tensor target) =>
        losses.label_smoothing_loss(input, target, classes, smoothing, weight, ignore_index, reduction);
}

public static partial class losses
{
    /// <summary>Creates a <see cref="LossKit.LabelSmoothingLoss"/> (1 - ε on the true class, ε / (C - 1) on the others).</summary>
    /// <param name="classes">The number of classes C (at least 2).</param>
    /// <param name="smoothing">ε in [0, 1].</param>
    /// <param name="weight">Class weights (C), or null.</param>
    /// <param name="ignore_index">Target value whose rows are skipped.</param>
    /// <param name="reduction">How to reduce.</param>
    public static LabelSmoothingLoss LabelSmoothingLoss(long classes, double smoothing = 0.1, Tensor? weight = null, long ignore_index = -100,
        Reduction reduction = Reduction.Mean) => new(classes, smoothing, weight, ignore_index, reduction);

    /// <summary>
    /// Label-smoothing cross-entropy of logits against class indices with 1 - ε on the true class and ε / (C - 1) on
    /// each other (see <see cref="LossKit.LabelSmoothingLoss"/>, which also gives the mapping to
    /// <see cref="cross_entropy"/>'s <c>label_smoothing</c>).
    /// </summary>
    /// <param name="input">Logits (C), (N, C) or (N, C, d1, ...).</param>
    /// <param name="target">Class indices (integer).</param>
    /// <param name="classes">The number of classes C (at least 2); must equal the input's class dimension.</param>
    /// <param name="smoothing">ε in [0, 1].</param>
    /// <param name="weight">Class weights (C), or null.</param>
    /// <param name="ignore_index">Target value whose rows are skipped.</param>
    /// <param name="reduction">How to reduce; <c>Mean</c> divides by Σ w[yₙ] over the rows not ignored (0 when that is 0).</param>
    public static Tensor label_smoothing_loss(Tensor input, Tensor target, long classes, double smoothing = 0.1, Tensor? weight = null,
        long ignore_index = -100, Reduction reduction = Reduction.Mean) =>
        LossChecks.Active
            ? LossChecks.Checked(nameof(LossKit.LabelSmoothingLoss), input, (target, classes, smoothing, weight, ignore_index, reduction),
                static (x, a) => label_smoothing_loss_unchecked(x, a.target, a.classes, a.smoothing, a.weight, a.ignore_index, a.reduction))
            : label_smoothing_loss_unchecked(input, target, classes, smoothing, weight, ignore_index, reduction);

    private static Tensor label_smoothing_loss_unchecked(Tensor input, Tensor target, long classes, double smoothing, Tensor? weight,
        long ignore_index, Reduction reduction)
    {
        const string name = nameof(LossKit.LabelSmoothingLoss);
        Validate.LabelSmoothingOptions(name, classes, smoothing);
        Validate.Reduction(name, reduction, allowBatchMean: false);
        var c = Validate.ClassScores(name, input);
        Validate.ClassCount(name, classes, c, input);
        Validate.ClassWeight(name, weight, classes, input);
        using var scope = NewDisposeScope();
        var fusedPath = Fused.ClassIndexCandidate(input, weight);
        var indices = Validate.ClassIndexOnlyTarget(name, input, target, ignore_index, checkValues: !fusedPath);
        var w = ClassIndexLoss.PrepareWeight(weight, input);
        if (fusedPath)
        {
            // The seed convention with ε is exactly PyTorch's with ε·C/(C - 1) (weights included): the fused kernel computes that.
            if (Fused.Rowwise(FusedKernels.RowwiseLoss.CrossEntropy, input, indices, w, ignore_index, smoothing * classes / (classes - 1), reduction,
                    () => Validate.ClassIndexValues(name, indices, c, ignore_index, input)) is { } fused)
                return fused.MoveToOuterDisposeScope();
            Validate.ClassIndexValues(name, indices, c, ignore_index, input);
        }
        var dim = ClassIndexLoss.ClassDim(input);
        var (safe, ignored) = ClassIndexLoss.SafeTarget(indices, ignore_index);

        var logp = ClassIndexLoss.ZeroIgnoredRows(input, indices, ignore_index).log_softmax(dim);
        var logpTrue = logp.gather(dim, safe.unsqueeze(dim)).squeeze(dim); // log p[n, yₙ]
        Tensor trueTerm;                                                     // w[yₙ] · log p[n, yₙ]
        Tensor allTerm;                                                      // Σ_c w[c] · log p[n, c]
        if (w is null)
        {
            trueTerm = logpTrue;
            allTerm = logp.sum(dim);
        }
        else
        {
            trueTerm = w.index_select(0, safe.flatten()).reshape(safe.shape).mul(logpTrue);
            var shape = Enumerable.Repeat(1L, (int)input.dim()).ToArray();
            shape[dim] = classes;
            allTerm = logp.mul(w.reshape(shape)).sum(dim);
        }
        // ℓ = -((1 - ε)·w[y]·log p[y] + ε/(C - 1)·Σ_{c≠y} w[c]·log p[c]). With ε = 0 the second term is left out
        // altogether (not multiplied by 0), so that a -∞ logit elsewhere in the row cannot turn 0·∞ into NaN.
        var other = smoothing / (classes - 1);
        var weighted = other == 0
            ? trueTerm
            : trueTerm.mul(1 - smoothing).add(allTerm.sub(trueTerm).mul(other));
        var rows = weighted.neg().masked_fill(ignored, 0);
        return ClassIndexLoss.Reduce(rows, () => ClassIndexLoss.TargetWeights(w, indices, ignore_index, input).sum(), reduction)
            .MoveToOuterDisposeScope();
    }
}
