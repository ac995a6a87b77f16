using LossKit.Torch;
using static LossKit.Torch.torch;
using static LossKit.Torch.torch.nn;

namespace LossKit;

/// <summary>
/// Cross-entropy of logits against class indices or class probabilities, PyTorch's <c>CrossEntropyLoss</c>:
/// ℓₙ = -w[yₙ] · log softmax(xₙ)[yₙ], with optional class weights, ignore_index and label smoothing.
/// </summary>
/// <remarks>
/// <para><b>Input</b>: unnormalised scores (logits) x of shape (C), (N, C) or (N, C, d1, d2, ...); floating (float32 or
/// float64). The softmax is taken over the class dimension (0 for (C), 1 otherwise) in log space (log-softmax), so
/// logits of ±1e4 give finite losses and gradients.</para>
/// <para><b>Class-index target</b> (the usual case): integer (int64; int32 is accepted and converted) of shape (), (N) or
/// (N, d1, d2, ...) (the input's shape without the class dimension), each value in [0, C) or equal to
/// <c>ignore_index</c>. With p = softmax(x) over classes and w the class weights (all 1 when <c>weight</c> is null),
/// <code>ℓₙ = -w[yₙ] · log p[n, yₙ]      (ℓₙ = 0 where yₙ = ignore_index)</code>
/// Extra dimensions d1, ... count as more rows: (N, C, H, W) with target (N, H, W) equals the (N·H·W, C) computation.</para>
/// <para><b>Label smoothing</b> ε (PyTorch's convention, ε / C on every class): the target distribution is
/// t = (1 - ε)·onehot(y) + ε / C, so the true class gets 1 - ε + ε/C and every other class ε/C, and
/// <code>ℓₙ = (1 - ε) · (-w[yₙ] log p[n, yₙ]) + (ε / C) · Sₙ,   Sₙ = -Σ_c w[c] log p[n, c]   (Sₙ = 0 on ignored rows)</code>
/// See <see cref="LabelSmoothingLoss"/> for the other common convention (1 - ε on the true class, ε / (C - 1) on the
/// others): <c>LabelSmoothingLoss(smoothing: e)</c> equals <c>CrossEntropyLoss(label_smoothing: e · C / (C - 1))</c>.</para>
/// <para><b>Probability (soft) target</b>: a floating tensor of the input's shape and dtype (for example mixup or
/// distillation targets); t is used as given (it is not checked to be a distribution) after smoothing
/// t ← (1 - ε)·t + ε / C:
/// <code>ℓₙ = -Σ_c w[c] · t[n, c] · log p[n, c]</code>
/// <c>ignore_index</c> must stay negative with probability targets (there is no index to compare it with).</para>
/// <para><b>Reductions</b>: <c>None</c> gives ℓ of the target's shape for class indices ((), (N) or (N, d1, ...)) and of the
/// input's shape without the class dimension for probabilities; <c>Sum</c> gives Σₙ ℓₙ; <c>Mean</c> (default) gives, for
/// class indices, Σₙ ℓₙ / Σₙ w[yₙ] over the rows that are not ignored (without weights: the number of rows not ignored;
/// the smoothing term is divided by the same sum), and for probabilities Σₙ ℓₙ / (number of rows, N·d1·...), not
/// divided by the weights. This is PyTorch's mean.</para>
/// <para><b>Mean over nothing</b>: when every row is ignored, the batch is empty, or every counted weight w[yₙ] is 0,
/// <c>Mean</c> is 0 with zero gradient (PyTorch gives NaN); <c>Sum</c> is 0 there too.</para>
/// <para><b>Gradient</b>: ∂ℓₙ/∂x[n, c] = w[yₙ]·(p[n, c] - [c = yₙ]) without smoothing; in general
/// Σ_k w[k] t[n, k] · (p[n, c] - [c = k]). No gradient flows into the weights or the target.</para>
/// <para><b>Weights</b>: a 1-D floating tensor of C entries on the input's device, converted to the input's dtype; they
/// are used as given (normally non-negative).</para>
/// <para>NaN or ±∞ in the logits (or in a probability target) propagate into the loss of their row.</para>
/// <para><b>When to use it</b>: the default loss for single-label classification and per-pixel segmentation. Class
/// weights (for example inverse class frequencies) counter class imbalance; <see cref="FocalLoss"/> goes further by
/// down-weighting easy examples. Feed it logits, not probabilities: the softmax is part of the loss. For inputs that
/// already are log-probabilities use <see cref="NLLLoss"/>.</para>
/// <para>Differences from PyTorch: mean over nothing is 0 instead of NaN; the weights are converted to the input's dtype;
/// argument errors are raised up front with messages naming the argument. TorchSharp's <c>CrossEntropyLoss</c>
/// factory has no <c>label_smoothing</c>; this one has.</para>
/// </remarks>
public sealed class CrossEntropyLoss : WeightedLoss<Tensor, Tensor, Tensor>
{
    /// <summary>Creates the loss.</summary>
    /// <param name="weight">Class weights: a 1-D floating tensor with one entry per class, or null for none.</param>
    /// <param name="ignore_index">Target value whose rows are skipped (they give 0 and do not count in the mean).</param>
    /// <param name="label_smoothing">ε in [0, 1]: the target becomes (1 - ε)·onehot + ε / C (PyTorch's convention).</param>
    /// <param name="reduction">How to reduce.</param>
    public CrossEntropyLoss(Tensor? weight = null, long ignore_index = -100, double label_smoothing = 0.0, Reduction reduction = Reduction.Mean)
        : base(nameof(CrossEntropyLoss), CheckOptions(weight, label_smoothing), reduction)
    {
        this.ignore_index = ignore_index;
        this.label_smoothing = label_smoothing;
    }

    // Runs before the base constructor keeps a reference to the weights.
    private static Tensor? CheckOptions(Tensor? weight, double label_smoothing)
    {
        Validate.InRange(nameof(CrossEntropyLoss), label_smoothing, nameof(label_smoothing), 0, 1);
        return Validate.ClassWeightOption(nameof(CrossEntropyLoss), weight);
    }

    /// <summary>Target value whose rows are skipped.</summary>
    public long ignore_index { get; }

    /// <summary>Label smoothing ε (PyTorch's convention: ε / C on every class).</summary>
    public double label_smoothing { get; }

    /// <inheritdoc/>
    public override Tensor forward(Tensor input, Tensor target) =>
        losses.cross_entropy(input, target, weight, ignore_index, reduction, label_smoothing);
}

public static partial class losses
{
    /// <summary>Creates a <see cref="LossKit.CrossEntropyLoss"/> (unlike TorchSharp's factory, with <c>label_smoothing</c>).</summary>
    /// <param name="weight">Class weights: a 1-D floating tensor with one entry per class, or null for none.</param>
    /// <param name="ignore_index">Target value whose rows are skipped.</param>
    /// <param name="label_smoothing">ε in [0, 1] (PyTorch's convention).</param>
    /// <param name="reduction">How to reduce.</param>
    public static CrossEntropyLoss CrossEntropyLoss(Tensor? weight = null, long ignore_index = -100, double label_smoothing = 0.0, Reduction reduction = Reduction.Mean) =>
        new(weight, ignore_index, label_smoothing, reduction);

    /// <summary>
    /// Cross-entropy of logits (C), (N, C) or (N, C, d1, ...) against class indices ((), (N) or (N, d1, ...)) or class
    /// probabilities (the input's shape); see <see cref="LossKit.CrossEntropyLoss"/>. TorchSharp's parameter order.
    /// </summary>
    /// <param name="input">Logits.</param>
    /// <param name="target">Class indices (integer) or class probabilities (floating, the input's shape).</param>
    /// <param name="weight">Class weights (C), or null.</param>
    /// <param name="ignore_index">Target value whose rows are skipped (class indices only).</param>
    /// <param name="reduction">How to reduce; <c>Mean</c> divides by Σ w[yₙ] over the rows not ignored (0 when that is 0).</param>
    /// <param name="label_smoothing">ε in [0, 1] (PyTorch's convention).</param>
    public static Tensor cross_entropy(Tensor input, Tensor target, Tensor? weight = null, long ignore_index = -100,
        Reduction reduction = Reduction.Mean, double label_smoothing = 0.0) =>
        LossChecks.Active
            ? LossChecks.Checked(nameof(LossKit.CrossEntropyLoss), input, (target, weight, ignore_index, reduction, label_smoothing),
                static (x, a) => cross_entropy_unchecked(x, a.target, a.weight, a.ignore_index, a.reduction, a.label_smoothing))
            : cross_entropy_unchecked(input, target, weight, ignore_index, reduction, label_smoothing);

    private static Tensor cross_entropy_unchecked(Tensor input, Tensor target, Tensor? weight, long ignore_index,
        Reduction reduction, double label_smoothing)
    {
        const string name = nameof(LossKit.CrossEntropyLoss);
        Validate.InRange(name, label_smoothing, nameof(label_smoothing), 0, 1);
        Validate.Reduction(name, reduction, allowBatchMean: false);
        var classes = Validate.ClassScores(name, input);
        Validate.ClassWeight(name, weight, classes, input);
        var probabilities = Validate.ProbabilityTarget(name, input, target, ignore_index);
        using var scope = NewDisposeScope();
        if (probabilities)
        {
            var w = ClassIndexLoss.PrepareWeight(weight, input);
            // Per-row losses from libtorch's kernel; the mean over rows (N·d1·...) is 0 for an empty batch.
            var soft = nn.functional.cross_entropy(input, target, w, ignore_index, Reduction.None, label_smoothing);
            return Reductions.Apply(soft, reduction).MoveToOuterDisposeScope();
        }
        var fusedPath = Fused.ClassIndexCandidate(input, weight);
        var indices = Validate.ClassIndexTarget(name, input, target, ignore_index, checkValues: !fusedPath);
        var weights = ClassIndexLoss.PrepareWeight(weight, input);
        if (fusedPath)
        {
            if (Fused.Rowwise(FusedKernels.RowwiseLoss.CrossEntropy, input, indices, weights, ignore_index, label_smoothing, reduction,
                    () => Validate.ClassIndexValues(name, indices, classes, ignore_index, input)) is { } fused)
                return fused.MoveToOuterDisposeScope();
            Validate.ClassIndexValues(name, indices, classes, ignore_index, input);
        }
        // libtorch's per-row losses, reduced here so that the mean over nothing is 0 rather than NaN.
        var rows = nn.functional.cross_entropy(ClassIndexLoss.ZeroIgnoredRows(input, indices, ignore_index), indices, weights, ignore_index,
            Reduction.None, label_smoothing);
        return ClassIndexLoss.Reduce(rows, () => ClassIndexLoss.TargetWeights(weights, indices, ignore_index, input).sum(), reduction)
            .MoveToOuterDisposeScope();
    }
}
