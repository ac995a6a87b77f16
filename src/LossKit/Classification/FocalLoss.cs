using LossKit.Torch;
using static LossKit.Torch.torch;
using static LossKit.Torch.torch.nn;

namespace LossKit;

/// <summary>
/// Softmax (multi-class) focal loss, Lin et al. 2017: ℓₙ = -w[yₙ] · (1 - p[n, yₙ])^γ · log p[n, yₙ], p = softmax(x).
/// Cross-entropy whose easy, well-classified examples are down-weighted by (1 - p)^γ.
/// </summary>
/// <remarks>
/// <para><b>Reference</b>: T.-Y. Lin, P. Goyal, R. Girshick, K. He, P. Dollár, "Focal Loss for Dense Object Detection",
/// ICCV 2017 (arXiv:1708.02002): FL(p_t) = -α_t (1 - p_t)^γ log p_t, with γ = 2 working best there. This is the
/// softmax form over C classes; the per-class weights <c>weight</c> play the role of α_t (α[yₙ] = w[yₙ]). The paper's
/// detector uses the sigmoid (one-vs-all) form with α = 0.25 and normalises by the number of positive anchors; for that
/// form use a sigmoid focal loss on logits instead.</para>
/// <para><b>Formula</b>, with p = softmax(x) over the class dimension and w the class weights (all 1 when null):
/// <code>ℓₙ = -w[yₙ] · (1 - pₙ)^γ · log pₙ,   pₙ = p[n, yₙ]      (ℓₙ = 0 where yₙ = ignore_index)</code>
/// It is computed in log space: log pₙ from a log-softmax, and (1 - pₙ)^γ = exp(γ · log(1 - pₙ)) with
/// log(1 - pₙ) = log(-expm1(log pₙ)), accurate when pₙ is close to 1. Where pₙ rounds to exactly 1, 1 - pₙ is
/// clamped to the dtype's smallest normal number, so the loss (≈ 0) and its gradient (0) stay finite: logits of ±1e4
/// give finite losses and gradients.</para>
/// <para><b>γ = 0</b> gives exactly <see cref="CrossEntropyLoss"/> (same values and gradients, with weights and
/// ignore_index). Larger γ focuses the training on hard examples: with γ = 2 an example classified with p = 0.9
/// contributes 100 times less than under cross-entropy.</para>
/// <para><b>Shapes</b>: input logits (C), (N, C) or (N, C, d1, ...), floating (float32 or float64). Target: class indices,
/// integer (int64; int32 accepted), of shape (), (N) or (N, d1, ...), each in [0, C) or equal to <c>ignore_index</c>.
/// Extra dimensions count as more rows (dense prediction, segmentation). No probability targets.</para>
/// <para><b>Reductions</b>: <c>None</c> gives ℓ of the target's shape; <c>Sum</c> gives Σₙ ℓₙ; <c>Mean</c> (default) gives
/// Σₙ ℓₙ / Σₙ w[yₙ] over the rows that are not ignored, like <see cref="NLLLoss"/> (without weights: the mean over the
/// rows not ignored). Every row ignored, an empty batch or every counted weight 0 gives 0 with zero gradient.</para>
/// <para><b>Gradient</b>: with qₙ = 1 - pₙ, ∂ℓₙ/∂x[n, c] = w[yₙ] · g(pₙ) · (p[n, c] - [c = yₙ]) where
/// g(p) = q^γ - γ q^(γ-1) p log p (≥ 0). No gradient flows into the weights.</para>
/// <para>NaN or ±∞ logits propagate into the loss of their row. <c>gamma</c> must be a finite number ≥ 0.</para>
/// <para><b>When to use it</b>: strong class imbalance where the many easy examples (typically background: easy
/// negatives in dense detection or segmentation) would otherwise dominate the loss and the gradient, so that class
/// weights alone are not enough. Start with γ = 2 and weights of the inverse class frequency (or none). On balanced
/// data it usually brings nothing over cross-entropy.</para>
/// <para>PyTorch has no focal loss; the golden tests compare with the definition composed from PyTorch operations.</para>
/// </remarks>
public sealed class FocalLoss : WeightedLoss<Tensor, Tensor, Tensor>
{
    /// <summary>Creates the loss.</summary>
    /// <param name="gamma">Focusing parameter γ ≥ 0 (0 is cross-entropy; 2 is the paper's choice).</param>
    /// <param name="weight">Per-class weights α (a 1-D floating tensor with one entry per class), or null for none.</param>
    /// <param name="ignore_index">Target value whose rows are skipped (they give 0 and do not count in the mean).</param>
    /// <param name="reduction">How to reduce.</param>
    public FocalLoss(double gamma = 2.0, Tensor? weight = null, long ignore_index = -100, Reduction reduction = Reduction.Mean)
        : base(nameof(FocalLoss), CheckOptions(gamma, weight), reduction)
    {
        this.gamma = gamma;
        this.ignore_index = ignore_index;
    }

    // Runs before the base constructor keeps a reference to the weights.
    private static Tensor? CheckOptions(double gamma, Tensor? weight)
    {
        Validate.NonNegative(nameof(FocalLoss), gamma, nameof(gamma));
        return Validate.ClassWeightOption(nameof(FocalLoss), weight);
    }

    /// <summary>The focusing parameter γ.</summary>
    public double gamma { get; }

    /// <summary>Target value whose rows are skipped.</summary>
    public long ignore_index { get; }

    /// <inheritdoc/>
    public override Tensor forward(Tensor input, Tensor target) => losses.focal_loss(input, target, gamma, weight, ignore_index, reduction);
}

public static partial class losses
{
    /// <summary>Creates a <see cref="LossKit.FocalLoss"/> (softmax focal loss).</summary>
    /// <param name="gamma">Focusing parameter γ ≥ 0.</param>
    /// <param name="weight">Per-class weights α (C), or null.</param>
    /// <param name="ignore_index">Target value whose rows are skipped.</param>
    /// <param name="reduction">How to reduce.</param>
    public static FocalLoss FocalLoss(double gamma = 2.0, Tensor? weight = null, long ignore_index = -100, Reduction reduction = Reduction.Mean) =>
        new(gamma, weight, ignore_index, reduction);

    /// <summary>
    /// Softmax focal loss -w[yₙ]·(1 - pₙ)^γ·log pₙ of logits (C), (N, C) or (N, C, d1, ...) against class indices
    /// ((), (N) or (N, d1, ...)); see <see cref="LossKit.FocalLoss"/>.
    /// </summary>
    /// <param name="input">Logits.</param>
    /// <param name="target">Class indices (integer).</param>
    /// <param name="gamma">Focusing parameter γ ≥ 0.</param>
    /// <param name="weight">Per-class weights α (C), or null.</param>
    /// <param name="ignore_index">Target value whose rows are skipped.</param>
    /// <param name="reduction">How to reduce; <c>Mean</c> divides by Σ w[yₙ] over the rows not ignored (0 when that is 0).</param>
    public static Tensor focal_loss(Tensor input, Tensor target, double gamma = 2.0, Tensor? weight = null, long ignore_index = -100,
        Reduction reduction = Reduction.Mean) =>
        LossChecks.Active
            ? LossChecks.Checked(nameof(LossKit.FocalLoss), input, (target, gamma, weight, ignore_index, reduction),
                static (x, a) => focal_loss_unchecked(x, a.target, a.gamma, a.weight, a.ignore_index, a.reduction))
            : focal_loss_unchecked(input, target, gamma, weight, ignore_index, reduction);

    private static Tensor focal_loss_unchecked(Tensor input, Tensor target, double gamma, Tensor? weight, long ignore_index,
        Reduction reduction)
    {
        const string name = nameof(LossKit.FocalLoss);
        Validate.NonNegative(name, gamma, nameof(gamma));
        Validate.Reduction(name, reduction, allowBatchMean: false);
        var classes = Validate.ClassScores(name, input);
        Validate.ClassWeight(name, weight, classes, input);
        using var scope = NewDisposeScope();
        var fusedPath = Fused.ClassIndexCandidate(input, weight);
        var indices = Validate.ClassIndexOnlyTarget(name, input, target, ignore_index, checkValues: !fusedPath);
        var w = ClassIndexLoss.PrepareWeight(weight, input);
        if (fusedPath)
        {
            if (Fused.Rowwise(FusedKernels.RowwiseLoss.Focal, input, indices, w, ignore_index, gamma, reduction,
                    () => Validate.ClassIndexValues(name, indices, classes, ignore_index, input)) is { } fused)
                return fused.MoveToOuterDisposeScope();
            Validate.ClassIndexValues(name, indices, classes, ignore_index, input);
        }
        var dim = ClassIndexLoss.ClassDim(input);
        var (safe, ignored) = ClassIndexLoss.SafeTarget(indices, ignore_index);

        var logp = ClassIndexLoss.ZeroIgnoredRows(input, indices, ignore_index).log_softmax(dim).gather(dim, safe.unsqueeze(dim)).squeeze(dim); // log pₙ
        // log(1 - pₙ) = log(-expm1(log pₙ)); 1 - pₙ is clamped away from 0 so that the log, and the gradient through it,
        // stay finite where pₙ rounds to 1 (the clamp passes no gradient there, and the factor itself is ~0).
        var tiny = input.dtype switch
        {
            ScalarType.Float64 => 2.2250738585072014e-308,
            ScalarType.Float16 => 6.103515625e-05,
            _ => 1.1754943508222875e-38, // float32, bfloat16
        };
        var log1mp = logp.expm1().neg().clamp_min(tiny).log();
        var modulating = log1mp.mul(gamma).exp(); // (1 - pₙ)^γ, exactly 1 for γ = 0
        var weighted = w is null ? logp : w.index_select(0, safe.flatten()).reshape(safe.shape).mul(logp);
        var rows = weighted.mul(modulating).neg().masked_fill(ignored, 0);
        return ClassIndexLoss.Reduce(rows, () => ClassIndexLoss.TargetWeights(w, indices, ignore_index, input).sum(), reduction)
            .MoveToOuterDisposeScope();
    }
}
