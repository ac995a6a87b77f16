using LossKit.Torch;
using static LossKit.Torch.torch;
using static LossKit.Torch.torch.nn;

namespace LossKit;

/// <summary>
/// Negative log-likelihood of log-probabilities against class indices, PyTorch's <c>NLLLoss</c>:
/// ℓₙ = -w[yₙ] · x[n, yₙ].
/// </summary>
/// <remarks>
/// <para><b>Input</b>: log-probabilities x of shape (C), (N, C) or (N, C, d1, d2, ...), floating (float32 or float64),
/// normally the output of a log-softmax over the class dimension (0 for (C), 1 otherwise). They are used as given (not
/// checked to be log-probabilities). <c>nll_loss(log_softmax(x, 1), y)</c> equals <c>cross_entropy(x, y)</c>.</para>
/// <para><b>Target</b>: class indices, integer (int64; int32 is accepted and converted) of shape (), (N) or
/// (N, d1, d2, ...), each in [0, C) or equal to <c>ignore_index</c>. NLL takes no probability targets; use
/// <see cref="CrossEntropyLoss"/> for those.</para>
/// <para><b>Formula</b>, with w the class weights (all 1 when <c>weight</c> is null):
/// <code>ℓₙ = -w[yₙ] · x[n, yₙ]      (ℓₙ = 0 where yₙ = ignore_index)</code>
/// Extra dimensions d1, ... count as more rows.</para>
/// <para><b>Reductions</b>: <c>None</c> gives ℓ of the target's shape; <c>Sum</c> gives Σₙ ℓₙ; <c>Mean</c> (default) gives
/// Σₙ ℓₙ / Σₙ w[yₙ] over the rows that are not ignored (without weights: the number of rows not ignored), PyTorch's
/// weighted mean. When every row is ignored, the batch is empty or every counted weight is 0, <c>Mean</c> is 0 with
/// zero gradient (PyTorch gives NaN).</para>
/// <para><b>Gradient</b>: ∂ℓₙ/∂x[n, c] = -w[yₙ] if c = yₙ, else 0. No gradient flows into the weights.</para>
/// <para><b>Weights</b>: a 1-D floating tensor of C entries on the input's device, converted to the input's dtype.</para>
/// <para>NaN or ±∞ at x[n, yₙ] propagate; other entries of the row do not enter the loss.</para>
/// <para><b>When to use it</b>: when the model already ends in a log-softmax (or computes log-probabilities some
/// other way); otherwise prefer <see cref="CrossEntropyLoss"/>, which takes logits and fuses the log-softmax.</para>
/// <para>Differences from PyTorch: mean over nothing is 0 instead of NaN; the weights are converted to the input's dtype.
/// TorchSharp's <c>NLLLoss</c> factory has no <c>ignore_index</c>; this one has.</para>
/// </remarks>
public sealed class NLLLoss : WeightedLoss<Tensor, Tensor, Tensor>
{
    /// <summary>Creates the loss.</summary>
    /// <param name="weight">Class weights: a 1-D floating tensor with one entry per class, or null for none.</param>
    /// <param name="ignore_index">Target value whose rows are skipped (they give 0 and do not count in the mean).</param>
    /// <param name="reduction">How to reduce.</param>
    public NLLLoss(Tensor? weight = null, long ignore_index = -100, Reduction reduction = Reduction.Mean)
        : base(nameof(NLLLoss), Validate.ClassWeightOption(nameof(NLLLoss), weight), reduction) =>
        this.ignore_index = ignore_index;

    /// <summary>Target value whose rows are skipped.</summary>
    public long ignore_index { get; }

    /// <inheritdoc/>
    public override Tensor forward(Tensor input, Tensor target) => losses.nll_loss(input, target, weight, reduction, ignore_index);
}

public static partial class losses
{
    /// <summary>Creates an <see cref="LossKit.NLLLoss"/> (unlike TorchSharp's factory, with <c>ignore_index</c>).</summary>
    /// <param name="weight">Class weights: a 1-D floating tensor with one entry per class, or null for none.</param>
    /// <param name="ignore_index">Target value whose rows are skipped.</param>
    /// <param name="reduction">How to reduce.</param>
    public static NLLLoss NLLLoss(Tensor? weight = null, long ignore_index = -100, Reduction reduction = Reduction.Mean) =>
        new(weight, ignore_index, reduction);

    /// <summary>
    /// Negative log-likelihood -w[yₙ]·x[n, yₙ] of log-probabilities (C), (N, C) or (N, C, d1, ...) against class indices
    /// ((), (N) or (N, d1, ...)); see <see cref="LossKit.NLLLoss"/>. TorchSharp's parameter order.
    /// </summary>
    /// <param name="input">Log-probabilities.</param>
    /// <param name="target">Class indices (integer).</param>
    /// <param name="weight">Class weights (C), or null.</param>
    /// <param name="reduction">How to reduce; <c>Mean</c> divides by Σ w[yₙ] over the rows not ignored (0 when that is 0).</param>
    /// <param name="ignore_index">Target value whose rows are skipped.</param>
    public static Tensor nll_loss(Tensor input, Tensor target, Tensor? weight = null, Reduction reduction = Reduction.Mean, long ignore_index = -100) =>
        LossChecks.Active
            ? LossChecks.Checked(nameof(LossKit.NLLLoss), input, (target, weight, reduction, ignore_index),
                static (x, a) => nll_loss_unchecked(x, a.target, a.weight, a.reduction, a.ignore_index))
            : nll_loss_unchecked(input, target, weight, reduction, ignore_index);

    private static Tensor nll_loss_unchecked(Tensor input, Tensor target, Tensor? weight, Reduction reduction, long ignore_index)
    {
        const string name = nameof(LossKit.NLLLoss);
        Validate.Reduction(name, reduction, allowBatchMean: false);
        var classes = Validate.ClassScores(name, input);
        Validate.ClassWeight(name, weight, classes, input);
        using var scope = NewDisposeScope();
        var fusedPath = Fused.ClassIndexCandidate(input, weight);
        var indices = Validate.ClassIndexOnlyTarget(name, input, target, ignore_index, checkValues: !fusedPath);
        var w = ClassIndexLoss.PrepareWeight(weight, input);
        if (fusedPath)
        {
            if (Fused.Nll(input, indices, w, ignore_index, reduction, () => Validate.ClassIndexValues(name, indices, classes, ignore_index, input)) is { } fused)
                return fused.MoveToOuterDisposeScope();
            Validate.ClassIndexValues(name, indices, classes, ignore_index, input);
        }
        var rows = nn.functional.nll_loss(input, indices, w, Reduction.None, ignore_index);
        return ClassIndexLoss.Reduce(rows, () => ClassIndexLoss.TargetWeights(w, indices, ignore_index, input).sum(), reduction)
            .MoveToOuterDisposeScope();
    }
}
