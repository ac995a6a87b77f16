using LossKit.Torch;
using static LossKit.Torch.torch;
using static LossKit.Torch.torch.nn;

namespace LossKit;

/// <summary>
/// Connectionist temporal classification loss (Graves et al., 2006): ℓ_n = -log Σ_π Π_t p_t(π_t) over every alignment π of
/// length T_n whose collapse (merge repeated symbols, then drop blanks) is the target sequence of sample n.
/// </summary>
/// <remarks>
/// <para><b>Inputs.</b> <c>log_probs</c> (T, N, C) float32 or float64 log-probabilities (normally <c>log_softmax(logits, 2)</c>),
/// or (T, C) for one unbatched sequence. <c>targets</c> int64 (int32 accepted) labels in [0, C) other than <c>blank</c>,
/// either padded (N, S) (values past each target length are ignored) or concatenated (sum(target_lengths)); unbatched: (S).
/// <c>input_lengths</c> and <c>target_lengths</c>: int64 (int32 accepted) tensors (N) (unbatched: scalars or [1]), or
/// <c>long[]</c> through the overloads; 0 ≤ T_n ≤ T and 0 ≤ S_n ≤ S.</para>
/// <para><b>Reductions.</b> <see cref="Reduction.None"/>: the (N) losses (a scalar when unbatched);
/// <see cref="Reduction.Sum"/>: Σ_n ℓ_n; <see cref="Reduction.Mean"/> (default): mean over the batch of ℓ_n / max(S_n, 1), as
/// PyTorch. An empty batch (N = 0) gives 0 with zero gradient for Mean (PyTorch: NaN) and Sum.</para>
/// <para><b>Impossible alignments.</b> A target needs T_n ≥ S_n + (number of adjacent repeated labels), because repeated labels
/// must be separated by a blank. A target with more labels than frames (S_n &gt; T_n) is rejected with
/// <see cref="LossArgumentOutOfRangeException"/> (a data bug, almost always), unless <c>zero_infinity</c> is true. One that fits
/// but lacks frames for the blanks (S_n ≤ T_n &lt; S_n + repeats) is accepted, as in PyTorch: its loss is +∞ and its gradient
/// NaN. With <c>zero_infinity</c> true, every impossible sample has loss and gradient 0 (recommended when some samples may
/// be too short).</para>
/// <para><b>Sequences without frames.</b> A sample with T_n = 0 (or log_probs with T = 0) has loss 0 when its target is empty
/// and +∞ (0 with <c>zero_infinity</c>) otherwise, with zero gradient; the rest of the batch is unaffected. (libtorch's kernel
/// reads outside its buffers there and returns garbage, even negative losses; LossKit never hands it such a sample.)</para>
/// <para><b>Zero probabilities.</b> A log-probability of -∞ gets a gradient of exactly 0 (no alignment passes through it);
/// libtorch's kernel alone would give NaN there.</para>
/// <para><b>Validation</b> (before the native call, naming the argument and values): dtypes and ranks, blank in [0, C), every
/// length ≥ 0, T_n ≤ T, S_n ≤ S (padded) or Σ S_n = numel (concatenated), lengths (N) integer tensors, and every label within
/// its target length in [0, C) and ≠ blank (PyTorch does not check the last two; a blank inside a target is always a bug).</para>
/// <para><b>Kernel.</b> float32/float64 CPU tensors use LossKit's fused CTC kernel (the samples of the batch are the vector lanes
/// of the alpha-beta recursions; see <see cref="FusedKernels.ctc_loss"/>); other devices, and calls made with the fused kernels
/// disabled (<see cref="FusedKernels.DisableOnThisThread"/>, e.g. for double backward), use libtorch's kernel. Both give
/// PyTorch's values and gradient (to rounding). An input length of 0 gives 0 for an empty target and +∞ otherwise, with zero
/// gradient, as current PyTorch (libtorch 1.13's kernel reads an uninitialised row there; LossKit replaces that value).</para>
/// <para><b>Gradient.</b> PyTorch's convention, on both kernels. Note that PyTorch's gradient with respect
/// to <c>log_probs</c> is ∂ℓ/∂log_probs + exp(log_probs) on the frames t &lt; T_n, i.e. it already includes the term that
/// log_softmax's backward cancels: differentiated through <c>log_softmax(logits)</c> (the intended use) the gradient with
/// respect to the logits is exact, p - γ (γ the alignment occupancy). Applied to log_probs that are a leaf or not normalised,
/// it is not the derivative of the returned value (a gradient check on log_probs itself fails; check through log_softmax).</para>
/// <para>NaN in log_probs propagates. Use it for sequence labelling without frame-level alignment (speech, handwriting, OCR).</para>
/// </remarks>
public sealed class CTCLoss : Loss<Tensor, Tensor, Tensor, Tensor, Tensor>
{
    /// <summary>Creates the loss.</summary>
    /// <param name="blank">The blank label's index, in [0, C).</param>
    /// <param name="reduction">None, Mean (default: per-sample loss divided by its target length, then averaged) or Sum.</param>
    /// <param name="zero_infinity">Replace infinite losses (impossible alignments) and their gradients by 0.</param>
    public CTCLoss(long blank = 0, Reduction reduction = Reduction.Mean, bool zero_infinity = false) : base(nameof(CTCLoss), reduction)
    {
        if (blank < 0)
            throw new LossArgumentOutOfRangeException(nameof(CTCLoss), nameof(blank), $"blank must be a class index >= 0, got {blank}.");
        this.blank = blank;
        this.zero_infinity = zero_infinity;
    }

    /// <summary>The blank label's index.</summary>
    public long blank { get; }

    /// <summary>Whether infinite losses and their gradients are replaced by 0.</summary>
    public bool zero_infinity { get; }

    /// <summary>The CTC loss of <paramref name="log_probs"/> against <paramref name="targets"/> (see <see cref="CTCLoss"/>).</summary>
    public override Tensor forward(Tensor log_probs, Tensor targets, Tensor input_lengths, Tensor target_lengths) =>
        losses.ctc_loss(log_probs, targets, input_lengths, target_lengths, blank, reduction, zero_infinity);

    /// <summary>The CTC loss with lengths given as arrays (see <see cref="CTCLoss"/>).</summary>
    public Tensor call(Tensor log_probs, Tensor targets, long[] input_lengths, long[] target_lengths)
    {
        ThrowIfDisposed();
        return losses.ctc_loss(log_probs, targets, input_lengths, target_lengths, blank, reduction, zero_infinity);
    }

    /// <summary>The loss's name and options.</summary>
    public override string ToString() => $"CTCLoss(blank={blank}, reduction={reduction}, zero_infinity={zero_infinity})";
}

public static partial class losses
{
    /// <summary>Creates a <see cref="LossKit.CTCLoss"/>.</summary>
    public static CTCLoss CTCLoss(long blank = 0, Reduction reduction = Reduction.Mean, bool zero_infinity = false) =>
        new(blank, reduction, zero_infinity);

    /// <summary>
    /// Connectionist temporal classification loss on LossKit's fused CPU kernel or libtorch's, with LossKit's validation (see <see cref="LossKit.CTCLoss"/>).
    /// </summary>
    /// <param name="log_probs">(T, N, C) or (T, C) log-probabilities, float32 or float64.</param>
    /// <param name="targets">Padded (N, S) or concatenated (Σ S_n) int64 labels; (S) when unbatched.</param>
    /// <param name="input_lengths">(N) int64 lengths T_n ≤ T.</param>
    /// <param name="target_lengths">(N) int64 lengths S_n.</param>
    /// <param name="blank">The blank label's index.</param>
    /// <param name="reduction">None, Mean (ℓ_n / max(S_n, 1) averaged over the batch) or Sum.</param>
    /// <param name="zero_infinity">Replace infinite losses and their gradients by 0.</param>
    public static Tensor ctc_loss(Tensor log_probs, Tensor targets, Tensor input_lengths, Tensor target_lengths, long blank = 0,
        Reduction reduction = Reduction.Mean, bool zero_infinity = false) =>
        LossChecks.Active
            ? LossChecks.Checked(nameof(LossKit.CTCLoss), log_probs, (targets, input_lengths, target_lengths, blank, reduction, zero_infinity),
                static (x, a) => ctc_loss_unchecked(x, a.targets, a.input_lengths, a.target_lengths, a.blank, a.reduction, a.zero_infinity), "log_probs")
            : ctc_loss_unchecked(log_probs, targets, input_lengths, target_lengths, blank, reduction, zero_infinity);

    private static Tensor ctc_loss_unchecked(Tensor log_probs, Tensor targets, Tensor input_lengths, Tensor target_lengths, long blank,
        Reduction reduction, bool zero_infinity)
    {
        const string name = nameof(LossKit.CTCLoss);
        Validate.Reduction(name, reduction, allowBatchMean: false);
        using var scope = NewDisposeScope();
        var a = Validate.Ctc(name, log_probs, targets, input_lengths, target_lengths, blank, zero_infinity);
        Tensor result;
        if (a.BatchSize == 0)
        {
            // libtorch's mean of nothing is NaN; LossKit's is 0. Keep the result connected to log_probs (zero gradient).
            var perSample = a.LogProbs.sum([0, 2]);
            result = reduction == Reduction.None ? perSample : perSample.sum();
        }
        else
        {
            // float32/float64 on the CPU: LossKit's fused kernel (same values and gradient convention, batch-vectorised);
            // anything else, or with the fused kernels disabled (e.g. for double backward): libtorch's kernel. (The fused
            // kernel addresses its per-frame tables with 32-bit offsets, so it takes fewer than 2^24 classes.)
            result = a.LogProbs.shape[2] < FusedCtcMaxClasses && FusedKernels.CanUse(a.LogProbs, a.Targets, a.InputLengths, a.TargetLengths)
                ? FusedKernels.ctc_loss(a.LogProbs, a.Targets, a.InputLengths, a.TargetLengths, blank, reduction, zero_infinity)
                : LibtorchCtc(a, blank, reduction, zero_infinity);
            if (!a.Batched && reduction == Reduction.None) result = result.squeeze(0);
        }
        return result.MoveToOuterDisposeScope();
    }

    private const long FusedCtcMaxClasses = 1L << 24;

    // libtorch's kernel, with LossKit's definitions where libtorch 1.13 has none (see the two helpers below).
    private static Tensor LibtorchCtc(Validate.CtcArguments a, long blank, Reduction reduction, bool zeroInfinity)
    {
        var logProbs = ZeroGradientWhereImpossible(a.LogProbs);
        return a.InputLengthValues.Contains(0)
            ? WithEmptyInputs(logProbs, a, blank, reduction, zeroInfinity)
            : nn.functional.ctc_loss(logProbs, a.Targets, a.InputLengths, a.TargetLengths, blank, zeroInfinity, reduction);
    }

    /// <summary>
    /// log_probs with the same values, but a gradient of exactly 0 where they are -∞ (a probability of 0: no alignment goes
    /// through there, so the true derivative is 0). libtorch's kernel computes the occupancy there as exp(α + β - log_prob)
    /// = exp(-∞ + ∞), i.e. NaN, which would poison the whole gradient; where's backward routes nothing to those positions.
    /// </summary>
    private static Tensor ZeroGradientWhereImpossible(Tensor logProbs)
    {
        if (!logProbs.requires_grad || !is_grad_enabled()) return logProbs;
        Tensor impossible;
        using (no_grad()) impossible = logProbs.eq(double.NegativeInfinity);
        if (!impossible.any().item<bool>()) return logProbs;
        return where(impossible, logProbs.detach(), logProbs);
    }

    /// <summary>
    /// The batch holds sequences with no time steps (T_n = 0, or T = 0), which libtorch's kernel does not handle (it reads
    /// before the start of its buffers and returns garbage, or fails for T = 0). Their loss is defined here: 0 for an empty
    /// target (the empty alignment), +∞ otherwise (0 with zero_infinity), with zero gradient; the other samples go through
    /// the kernel as usual (padded targets; the empty ones run on one frame with an empty target, then are replaced).
    /// </summary>
    private static Tensor WithEmptyInputs(Tensor logProbs, Validate.CtcArguments a, long blank, Reduction reduction, bool zeroInfinity)
    {
        var n = (int)a.BatchSize;
        var empty = a.InputLengthValues.Select(l => l == 0).ToArray();
        var defined = new double[n];
        for (var i = 0; i < n; i++)
            defined[i] = a.TargetLengthValues[i] == 0 || zeroInfinity ? 0 : double.PositiveInfinity;
        var definedValues = tensor(defined, device: logProbs.device).to(logProbs.dtype);
        Tensor perSample;
        if (logProbs.size(0) == 0)
        {
            // No time steps at all (so every T_n is 0): nothing for the kernel; the sum keeps the result in the graph.
            perSample = logProbs.sum([0, 2]).add(definedValues);
        }
        else
        {
            var safeInput = a.InputLengthValues.Select(l => Math.Max(l, 1)).ToArray();
            var safeTarget = a.TargetLengthValues.Select((l, i) => empty[i] ? 0 : l).ToArray();
            var width = Math.Max(1, safeTarget.Max());
            var padded = new long[n * width];
            for (var i = 0; i < n; i++)
                Array.Copy(a.Labels, a.Starts[i], padded, i * width, safeTarget[i]);
            var kernel = nn.functional.ctc_loss(logProbs, tensor(padded, [n, width], device: logProbs.device),
                tensor(safeInput, device: logProbs.device), tensor(safeTarget, device: logProbs.device), blank, zeroInfinity, Reduction.None);
            perSample = where(tensor(empty, device: logProbs.device), definedValues, kernel);
        }
        return reduction switch
        {
            Reduction.None => perSample,
            Reduction.Sum => perSample.sum(),
            _ => perSample.div(a.TargetLengths.clamp_min(1).to(perSample.dtype)).mean(),
        };
    }

    /// <summary>CTC loss with the lengths given as arrays (see <see cref="ctc_loss(Tensor, Tensor, Tensor, Tensor, long, Reduction, bool)"/>).</summary>
    public static Tensor ctc_loss(Tensor log_probs, Tensor targets, long[] input_lengths, long[] target_lengths, long blank = 0,
        Reduction reduction = Reduction.Mean, bool zero_infinity = false)
    {
        const string name = nameof(LossKit.CTCLoss);
        using var il = Validate.LengthsArray(name, input_lengths, nameof(input_lengths));
        using var tl = Validate.LengthsArray(name, target_lengths, nameof(target_lengths));
        return ctc_loss(log_probs, targets, il, tl, blank, reduction, zero_infinity);
    }
}
