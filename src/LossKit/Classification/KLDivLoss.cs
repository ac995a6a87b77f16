using LossKit.Torch;
using static LossKit.Torch.torch;
using static LossKit.Torch.torch.nn;

namespace LossKit;

/// <summary>
/// Kullback-Leibler divergence of a target distribution from a predicted one, given as log-probabilities:
/// ℓᵢ = tᵢ (log tᵢ - xᵢ), with 0 where tᵢ = 0; with <c>log_target</c> the target is a log-probability too and
/// ℓᵢ = e^tᵢ (tᵢ - xᵢ). Summed over a row this is KL(target ‖ prediction).
/// </summary>
/// <remarks>
/// <para>Shapes: input x (log-probabilities, typically <c>log_softmax(logits, -1)</c> of shape (N, C) or (N, C, ...))
/// and target of the same shape, floating, same dtype and device. With <c>log_target</c> = false (the default, as in
/// PyTorch) the target holds probabilities and must be non-negative (a negative value throws
/// <see cref="LossArgumentOutOfRangeException"/>); it is not required to sum to 1. TorchSharp's <c>KLDivLoss</c>
/// defaults to <c>log_target</c> = true; LossKit follows PyTorch.</para>
/// <para>Reductions: <c>None</c> gives ℓ with the input's shape; <c>Sum</c>; <c>BatchMean</c> gives Σ ℓ / N with N the
/// size of the first dimension: the mathematically correct mean KL per sample (use it); <c>Mean</c> (the default, kept
/// for PyTorch compatibility) divides by the number of elements N·C·..., i.e. KL / C, which is rarely what you want.
/// An empty input gives 0 for Mean and BatchMean (PyTorch gives NaN); a 0-dimensional input has N = 1.</para>
/// <para>Gradient: ∂ℓ/∂x = -t (-e^t with <c>log_target</c>).</para>
/// <para>Zeros: terms whose target probability is 0 (t = 0, or t = -∞ with <c>log_target</c>) are 0 whatever the input,
/// even x = -∞ (a masked class), where PyTorch computes 0 · ∞ = NaN: the only difference from PyTorch. A NaN input or
/// target still propagates. x = -∞ where the target is positive gives +∞ (the true KL).</para>
/// <para>Use it for knowledge distillation (student log-probabilities against teacher probabilities, often at a
/// temperature T, scaled by T²), for variational objectives, or to match any predicted distribution to a reference.
/// Passing probabilities instead of log-probabilities as input is the classic mistake: the loss is then meaningless.</para>
/// </remarks>
public sealed class KLDivLoss : Loss<Tensor, Tensor, Tensor>
{
    /// <summary>Creates the loss.</summary>
    /// <param name="reduction">None, Mean (element mean), Sum or BatchMean (sum / batch size, the true KL).</param>
    /// <param name="log_target">Whether the target holds log-probabilities (default false, as in PyTorch).</param>
    public KLDivLoss(Reduction reduction = Reduction.Mean, bool log_target = false)
        : base(nameof(KLDivLoss), reduction, allowBatchMean: true) => this.log_target = log_target;

    /// <summary>Whether the target holds log-probabilities.</summary>
    public bool log_target { get; }

    /// <inheritdoc/>
    public override Tensor forward(Tensor input, Tensor target) => losses.kl_div(input, target, reduction, log_target);
}

public static partial class losses
{
    /// <summary>Creates a <see cref="LossKit.KLDivLoss"/>.</summary>
    /// <param name="reduction">None, Mean (element mean), Sum or BatchMean (sum / batch size).</param>
    /// <param name="log_target">Whether the target holds log-probabilities (default false, as in PyTorch).</param>
    public static KLDivLoss KLDivLoss(Reduction reduction = Reduction.Mean, bool log_target = false) => new(reduction, log_target);

    /// <summary>
    /// KL divergence t (log t - x) of log-probability <paramref name="input"/> against target probabilities (or
    /// e^t (t - x) against log-probabilities with <paramref name="log_target"/>); see <see cref="LossKit.KLDivLoss"/>.
    /// </summary>
    /// <param name="input">Log-probabilities, any shape.</param>
    /// <param name="target">Probabilities (non-negative) or, with <paramref name="log_target"/>, log-probabilities; the input's shape.</param>
    /// <param name="reduction">None, Mean (element mean), Sum or BatchMean (sum / size of the first dimension).</param>
    /// <param name="log_target">Whether the target holds log-probabilities.</param>
    public static Tensor kl_div(Tensor input, Tensor target, Reduction reduction = Reduction.Mean, bool log_target = false) =>
        LossChecks.Active
            ? LossChecks.Checked(nameof(LossKit.KLDivLoss), input, (target, reduction, log_target),
                static (x, a) => kl_div_unchecked(x, a.target, a.reduction, a.log_target))
            : kl_div_unchecked(input, target, reduction, log_target);

    private static Tensor kl_div_unchecked(Tensor input, Tensor target, Reduction reduction, bool log_target)
    {
        const string name = nameof(LossKit.KLDivLoss);
        Validate.Elementwise(name, input, target);
        Validate.Reduction(name, reduction, allowBatchMean: true);
        const string hint = " With log_target: false the target holds probabilities; pass log_target: true if it holds log-probabilities.";
        if (input.numel() == 0 && reduction != Reduction.None) return input.sum();
        if (Fused.Elementwise(FusedKernels.ElementwiseLoss.KLDiv, input, target, reduction, log_target ? 1 : 0,
                checks: log_target ? FusedKernels.ValueChecks.None : FusedKernels.ValueChecks.TargetNonNegative,
                reportFailure: () => Validate.NonNegativeValues(name, target, "target", hint)) is { } fused)
            return fused;
        if (!log_target)
            Validate.NonNegativeValues(name, target, "target", hint);

        using var scope = NewDisposeScope();
        Tensor elements;
        if (!log_target)
        {
            // PyTorch: xlogy(t, t) - t·x. An infinite x where t = 0 would make 0·∞ = NaN; the term is 0 by definition.
            var x = input.masked_fill(target.eq(0).logical_and(input.isinf()), 0);
            elements = target.xlogy(target).sub(target.mul(x));
        }
        else
        {
            // PyTorch: e^t (t - x). Where t = -∞ (probability 0) e^t = 0 and t - x is -∞ or NaN: the term is 0 unless x is NaN.
            var difference = target.sub(input);
            var zeroProbability = target.eq(double.NegativeInfinity).logical_and(input.isnan().logical_not());
            elements = target.exp().mul(difference.masked_fill(zeroProbability, 0));
        }

        if (reduction != Reduction.BatchMean) return Reductions.Apply(elements, reduction).MoveToOuterDisposeScope();
        var batch = input.dim() == 0 ? 1 : input.size(0);
        var sum = elements.sum();
        return (batch == 0 ? sum : sum.div(batch)).MoveToOuterDisposeScope();
    }
}
