using LossKit.Torch;
using static LossKit.Torch.torch;
using static LossKit.Torch.torch.nn;

namespace LossKit;

/// <summary>How an overlap loss (<see cref="F1Loss"/>, <see cref="DiceLoss"/>) turns the input into probabilities and reads the target.</summary>
public enum OverlapMode
{
    /// <summary>
    /// One class per sample: input (N, C, d1, ...) (or (C)) of logits, softmax over dimension 1; target (N, d1, ...) of int64
    /// class indices, one-hot encoded for the counts. Positions whose target equals <c>ignore_index</c> are left out of every count.
    /// </summary>
    Multiclass = 0,

    /// <summary>
    /// One class: input of any shape holding logits (sigmoid), target of the same shape, dtype and device holding 0/1 labels
    /// (values in [0, 1] are accepted and counted softly). Every element counts toward the single class.
    /// </summary>
    Binary = 1,

    /// <summary>
    /// Several independent classes: input (N, C, d1, ...) of logits (sigmoid per element), target of the same shape with 0/1
    /// labels (values in [0, 1] accepted); classes lie along dimension 1.
    /// </summary>
    Multilabel = 2,
}

/// <summary>How per-class overlap scores are combined.</summary>
public enum OverlapAverage
{
    /// <summary>Mean over the classes present in the target of the per-class score (every present class weighs the same).</summary>
    Macro = 0,

    /// <summary>One score from the counts pooled over every class (frequent classes weigh more).</summary>
    Micro = 1,
}

/// <summary>The machinery F1Loss and DiceLoss share: probabilities, one-hot targets, masks, presence and reduction.</summary>
internal static class Overlap
{
    /// <summary>
    /// Per-class count terms computed from probabilities p and targets y, both (rows, C) with ignored entries set to 0:
    /// a numerator term a_c and denominator term b_c, so that score_c = (a_c + eps) / (b_c + eps) and the micro score is
    /// (Σa + eps) / (Σb + eps).
    /// </summary>
    internal delegate (Tensor numerator, Tensor denominator) CountTerms(Tensor p, Tensor y);

    internal static Tensor Compute(string loss, Tensor input, Tensor target, OverlapMode mode, bool fromLogits, OverlapAverage average,
        double epsilon, long ignoreIndex, Reduction reduction, CountTerms terms) =>
        LossChecks.Active
            ? LossChecks.Checked(loss, input, (loss, target, mode, fromLogits, average, epsilon, ignoreIndex, reduction, terms),
                static (x, a) => ComputeUnchecked(a.loss, x, a.target, a.mode, a.fromLogits, a.average, a.epsilon, a.ignoreIndex, a.reduction, a.terms))
            : ComputeUnchecked(loss, input, target, mode, fromLogits, average, epsilon, ignoreIndex, reduction, terms);

    private static Tensor ComputeUnchecked(string loss, Tensor input, Tensor target, OverlapMode mode, bool fromLogits, OverlapAverage average,
        double epsilon, long ignoreIndex, Reduction reduction, CountTerms terms)
    {
        Validate.OverlapOptions(loss, mode, average, epsilon, reduction);
        var classIndices = Validate.OverlapArguments(loss, input, target, mode, fromLogits, ignoreIndex);
        using var scope = NewDisposeScope();
        classIndices?.MoveToOtherDisposeScope(scope);

        // Multi-class from logits on the CPU: the fused two-sweep kernel (F1 and Dice are the same function there).
        if (mode == OverlapMode.Multiclass && fromLogits && FusedKernels.CanUse(input))
        {
            var rows = input.dim() == 1 ? input.unsqueeze(0) : input.dim() == 2 ? input : ClassesLast(input, 1, input.size(1));
            return FusedKernels.overlap_loss(rows, classIndices!.reshape(-1), epsilon, ignoreIndex, average == OverlapAverage.Micro, reduction)
                .MoveToOuterDisposeScope();
        }

        var (p, y) = mode == OverlapMode.Multiclass
            ? Multiclass(input, classIndices!, fromLogits, ignoreIndex)
            : Sigmoid(input, target, mode, fromLogits, ignoreIndex);

        // A class is present when the counted target holds some positive mass for it (a NaN target counts as present,
        // so that the NaN reaches the loss instead of silently removing the class).
        var targetMass = y.sum(0L);
        var present = targetMass.gt(0).logical_or(targetMass.isnan());
        var (a, b) = terms(p, y);
        Tensor result;
        if (average == OverlapAverage.Macro)
        {
            // Absent classes get a safe denominator (their values are discarded below, and must not put NaN in the gradient).
            var absent = present.logical_not();
            var score = a.add(epsilon).div(b.add(epsilon).masked_fill(absent, 1));
            var perClass = score.neg().add(1).masked_fill(absent, 0);
            result = reduction switch
            {
                Reduction.None => perClass,
                Reduction.Sum => perClass.sum(),
                _ => Reductions.SafeDivide(perClass.sum(), present.sum().to(perClass.dtype)),
            };
        }
        else
        {
            var any = present.any();
            var denominator = b.sum().add(epsilon).masked_fill(any.logical_not(), 1);
            var score = a.sum().add(epsilon).div(denominator);
            result = score.neg().add(1).masked_fill(any.logical_not(), 0);
        }
        return result.MoveToOuterDisposeScope();
    }

    /// <summary>Softmax probabilities and one-hot targets as (rows, C), ignored rows zeroed.</summary>
    private static (Tensor p, Tensor y) Multiclass(Tensor input, Tensor target, bool fromLogits, long ignoreIndex)
    {
        var classDim = input.dim() == 1 ? 0 : 1;
        var classes = input.size(classDim);
        // Ignored rows are zeroed before the softmax: masking after it would leave 0 · NaN in the softmax's backward.
        var probabilities = fromLogits ? ClassIndexLoss.ZeroIgnoredRows(input, target, ignoreIndex).softmax(classDim) : input;
        var rows = ClassesLast(probabilities, classDim, classes);
        var flatTarget = target.reshape(-1);
        var kept = flatTarget.ne(ignoreIndex);
        var oneHot = nn.functional.one_hot(flatTarget.masked_fill(kept.logical_not(), 0), classes).to(input.dtype);
        var keep = kept.unsqueeze(1);
        return (rows.masked_fill(keep.logical_not(), 0), oneHot.masked_fill(keep.logical_not(), 0));
    }

    /// <summary>Sigmoid probabilities and float targets as (rows, C) (C = 1 in Binary mode), ignored entries zeroed.</summary>
    private static (Tensor p, Tensor y) Sigmoid(Tensor input, Tensor target, OverlapMode mode, bool fromLogits, long ignoreIndex)
    {
        // Ignored entries are zeroed before the sigmoid, so that a NaN there cannot reach the gradient (0 · NaN).
        var probabilities = fromLogits ? input.masked_fill(target.eq(ignoreIndex), 0).sigmoid() : input;
        Tensor p, y;
        if (mode == OverlapMode.Binary)
        {
            p = probabilities.reshape(-1, 1);
            y = target.reshape(-1, 1);
        }
        else
        {
            var classes = input.size(1);
            p = ClassesLast(probabilities, 1, classes);
            y = ClassesLast(target, 1, classes);
        }
        var ignored = y.eq(ignoreIndex);
        return (p.masked_fill(ignored, 0), y.masked_fill(ignored, 0));
    }

    /// <summary>(N, C, d1, ...) to (N·d1·..., C); (C) to (1, C).</summary>
    private static Tensor ClassesLast(Tensor t, long classDim, long classes)
    {
        if (t.dim() == 1) return t.reshape(1, classes);
        var order = new List<long> { 0 };
        for (long d = 2; d < t.dim(); d++) order.Add(d);
        order.Add(classDim);
        return t.permute(order.ToArray()).reshape(-1, classes);
    }
}
