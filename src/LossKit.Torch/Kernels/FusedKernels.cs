using LossKit.Torch.Interop;
using static LossKit.Torch.Interop.NativeMethods;
using static LossKit.Torch.torch;
using static LossKit.Torch.torch.nn;

namespace LossKit.Torch;

/// <summary>Instruction sets the fused kernels can use.</summary>
public enum KernelCapability
{
    /// <summary>Portable code for any CPU (scalar loops the compiler may vectorise for the baseline ISA).</summary>
    Default = 0,
    /// <summary>AVX2 + FMA (256-bit vectors).</summary>
    AVX2 = 1,
    /// <summary>AVX-512 F/BW/VL/DQ (512-bit vectors).</summary>
    AVX512 = 2,
}

/// <summary>
/// LossKit's fused CPU loss kernels: one vectorised, parallel sweep computes a loss and its gradient together, as a
/// libtorch custom autograd function. This class is a LossKit extension (TorchSharp has nothing like it); the LossKit
/// losses use it automatically for float32/float64 tensors on the CPU and fall back to composed libtorch operations
/// everywhere else (other devices, other dtypes, targets or weights that require grad).
/// </summary>
/// <remarks>
/// The fused functions differentiate the input only, and support one level of differentiation: a backward pass with
/// <c>create_graph: true</c> through them throws. Set <see cref="Enabled"/> to false (or use
/// <see cref="DisableOnThisThread"/>) to use the composed, twice-differentiable path.
/// </remarks>
public static class FusedKernels
{
    private static volatile bool _enabled = true;
    [ThreadStatic] private static int _disabledOnThread;

    /// <summary>
    /// Whether the LossKit losses use the fused kernels where they can (default true), process-wide. See also
    /// <see cref="DisableOnThisThread"/> for a switch that affects only the calling thread.
    /// </summary>
    /// <remarks>Safe to set from any thread (a volatile field); losses running on other threads see the change at their
    /// next call. Both paths give the same values up to rounding, so flipping it while training is harmless.</remarks>
    public static bool Enabled
    {
        get => _enabled;
        set => _enabled = value;
    }

    /// <summary>True when the fused kernels are enabled for the calling thread (<see cref="Enabled"/> and not disabled here).</summary>
    public static bool EnabledOnThisThread => _enabled && _disabledOnThread == 0;

    /// <summary>
    /// Makes the LossKit losses use the composed libtorch operations on the calling thread until the returned object
    /// is disposed (scopes nest). Useful for double backward, and to compare both paths. Other threads are not affected;
    /// dispose it on the thread that created it.
    /// </summary>
    public static IDisposable DisableOnThisThread() => new ThreadDisable();

    private sealed class ThreadDisable : IDisposable
    {
        private bool _done;
        public ThreadDisable() => _disabledOnThread++;
        public void Dispose()
        {
            if (_done) return;
            _done = true;
            _disabledOnThread--;
        }
    }

    /// <summary>The instruction set the kernels use on the calling thread (the best the CPU supports unless overridden).</summary>
    public static KernelCapability Capability => (KernelCapability)lk_kernels_capability();

    /// <summary>The best instruction set this CPU (and this build) supports.</summary>
    public static KernelCapability DetectedCapability => (KernelCapability)lk_kernels_detected_capability();

    /// <summary>
    /// Pins the instruction set of the fused kernels for calls made on the calling thread until the returned object is
    /// disposed (for tests and measurements). The environment variable LOSSKIT_CPU_CAPABILITY ("default", "avx2",
    /// "avx512") does the same for a whole process.
    /// </summary>
    /// <exception cref="ArgumentException">The CPU (or the build) does not support <paramref name="capability"/>.</exception>
    public static IDisposable UseCapability(KernelCapability capability)
    {
        var previous = lk_kernels_capability();
        NativeError.Check(lk_kernels_set_capability((int)capability), nameof(UseCapability));
        return new CapabilityScope(previous);
    }

    private sealed class CapabilityScope(int previous) : IDisposable
    {
        private bool _done;
        public void Dispose()
        {
            if (_done) return;
            _done = true;
            lk_kernels_set_capability(previous);
        }
    }

    /// <summary>
    /// True when the fused kernels can take these tensors: enabled, all on the CPU, float32 or float64 with the same
    /// dtype, and no tensor but the first requires grad.
    /// </summary>
    public static bool CanUse(Tensor input, params Tensor?[] others)
    {
        if (!_enabled || _disabledOnThread != 0) return false;
        var dtype = input.dtype;
        if (dtype is not (ScalarType.Float32 or ScalarType.Float64) || input.device_type != DeviceType.CPU) return false;
        foreach (var t in others)
        {
            if (t is null) continue;
            if (t.requires_grad || t.device_type != DeviceType.CPU) return false;
            if (is_floating_point(t.dtype) && t.dtype != dtype) return false;
        }
        return true;
    }

    /// <summary>Kinds of element-wise fused losses (the C ABI's codes).</summary>
    public enum ElementwiseLoss
    {
        /// <summary>(x - y)².</summary>
        MSE = 0,
        /// <summary>|x - y|.</summary>
        L1 = 1,
        /// <summary>Huber(delta = p0).</summary>
        Huber = 2,
        /// <summary>Smooth L1(beta = p0 &gt; 0).</summary>
        SmoothL1 = 3,
        /// <summary>LossKit's exp-linear smooth loss(delta = p0, alpha = p1).</summary>
        Smooth = 4,
        /// <summary>Binary cross-entropy with logits (optional pos_weight).</summary>
        BCEWithLogits = 5,
        /// <summary>Sigmoid focal loss (alpha = p0, negative for none; gamma = p1).</summary>
        SigmoidFocal = 6,
        /// <summary>KL divergence of log-probability input (p0 = 1 for a log-probability target); accepts BatchMean.</summary>
        KLDiv = 7,
        /// <summary>Binary cross-entropy on probabilities (libtorch's clamped logs and gradient).</summary>
        BCE = 8,
    }

    /// <summary>Value checks an element-wise kernel performs during its sweep (no extra pass over memory).</summary>
    [Flags]
    public enum ValueChecks
    {
        /// <summary>None.</summary>
        None = 0,
        /// <summary>Every target lies in [0, 1] (NaN passes).</summary>
        TargetInUnitInterval = 1,
        /// <summary>Every input lies in [0, 1] (NaN passes).</summary>
        InputInUnitInterval = 2,
        /// <summary>Every target is &gt;= 0 (NaN passes).</summary>
        TargetNonNegative = 4,
    }

    /// <summary>How a weight tensor applies to an element-wise loss.</summary>
    public enum WeightLayout
    {
        /// <summary>One weight per entry of the last dimension (per class).</summary>
        PerLastDim = 1,
        /// <summary>One weight per element (same shape as the input).</summary>
        Full = 2,
    }

    /// <summary>
    /// An element-wise loss in one fused sweep (forward computes the gradient too). <paramref name="input"/> and
    /// <paramref name="target"/> have the same shape; only the input is differentiated. No argument checking beyond what
    /// keeps the native code safe: the LossKit losses validate first.
    /// </summary>
    /// <exception cref="ArgumentException">A value check failed (the caller should report which value).</exception>
    public static Tensor elementwise_loss(ElementwiseLoss kind, Tensor input, Tensor target, Reduction reduction,
        double p0 = 0, double p1 = 0, Tensor? weight = null, WeightLayout weightLayout = WeightLayout.Full, Tensor? pos_weight = null,
        ValueChecks checks = ValueChecks.None) =>
        Tensor.From(lk_fused_elementwise_loss(input.NativeHandle, target.NativeHandle, weight?.NativeHandle ?? TensorHandle.Null,
            weight is null ? 0 : (int)weightLayout, pos_weight?.NativeHandle ?? TensorHandle.Null, (int)kind, p0, p1, (long)reduction,
            (int)checks), "fused_" + kind);

    /// <summary>Kinds of fused softmax-family losses (the C ABI's codes).</summary>
    public enum RowwiseLoss
    {
        /// <summary>Cross-entropy with PyTorch's label smoothing (p0 = eps: eps / C spread over all classes).</summary>
        CrossEntropy = 0,
        /// <summary>Softmax focal loss (p0 = gamma). (The seed convention's label smoothing eps is
        /// <see cref="CrossEntropy"/> with p0 = eps · C / (C - 1).)</summary>
        Focal = 1,
    }

    /// <summary>
    /// A softmax-family loss over logits (N, C) and int64 class indices (N) in one fused pass per row (the gradient is
    /// written during the forward pass). Mean divides by the sum of the class weights of the non-ignored targets, and is
    /// 0 when that sum is 0.
    /// </summary>
    public static Tensor rowwise_loss(RowwiseLoss kind, Tensor input, Tensor target, Reduction reduction, double p0 = 0,
        Tensor? weight = null, long ignore_index = -100) =>
        Tensor.From(lk_fused_rowwise_loss(input.NativeHandle, target.NativeHandle, weight?.NativeHandle ?? TensorHandle.Null,
            (int)kind, p0, ignore_index, (long)reduction), "fused_" + kind);

    /// <summary>
    /// libtorch's NLL of log-probabilities (C) or (N, C) against int64 class indices, in one native call, with LossKit's
    /// rule that the mean over nothing (every target ignored, or their weights summing to 0) is 0 rather than NaN. It is
    /// already one pass each way, so it is not re-implemented; it works on any device.
    /// </summary>
    public static Tensor nll_loss(Tensor input, Tensor target, Reduction reduction, Tensor? weight = null, long ignore_index = -100) =>
        Tensor.From(lk_nll_loss_zero_empty(input.NativeHandle, target.NativeHandle, weight?.NativeHandle ?? TensorHandle.Null, ignore_index, (long)reduction));

    /// <summary>
    /// Soft F1 / Dice (the same function) of softmax(logits (N, C)) against int64 class indices (N), in two sweeps (counts,
    /// then the gradient). Per class 1 - (2tp + ε) / (Σp + count + ε); classes without a counted target are left out of the
    /// macro mean (and are 0 in the per-class vector of <see cref="Reduction.None"/>); <paramref name="micro"/> pools the
    /// counts first (Mean only). With no class present the loss is 0.
    /// </summary>
    public static Tensor overlap_loss(Tensor input, Tensor target, double epsilon, long ignore_index, bool micro, Reduction reduction) =>
        Tensor.From(lk_fused_overlap_loss(input.NativeHandle, target.NativeHandle, epsilon, ignore_index, micro ? 1 : 0, (long)reduction));

    /// <summary>√(reduce((x - y)²) + eps) in fused sweeps, reduction Mean or Sum.</summary>
    public static Tensor rmse_loss(Tensor input, Tensor target, double eps, Reduction reduction) =>
        Tensor.From(lk_fused_rmse_loss(input.NativeHandle, target.NativeHandle, eps, (long)reduction));

    /// <summary>
    /// Connectionist temporal classification loss of log-probabilities (T, N, C) against int64 targets, padded (N, S) or
    /// concatenated (Σ S_n), with int64 lengths (N), in one fused CPU kernel: the samples of the batch are the vector lanes
    /// of the alpha and beta recursions. Values and gradient follow libtorch's <c>ctc_loss</c>, including its gradient
    /// convention (∂ℓ/∂log_probs = exp(log_probs) - occupancy on the frames t &lt; T_n, exact once chained through
    /// log_softmax), its reductions (Mean: ℓ_n / max(S_n, 1) averaged over the batch) and <paramref name="zero_infinity"/>.
    /// An input length of 0 gives 0 for an empty target and +∞ otherwise (libtorch 1.13 reads uninitialised memory there).
    /// Labels within each target length must lie in [0, C); the LossKit losses validate everything else first.
    /// </summary>
    public static Tensor ctc_loss(Tensor log_probs, Tensor targets, Tensor input_lengths, Tensor target_lengths, long blank,
        Reduction reduction, bool zero_infinity) =>
        Tensor.From(lk_fused_ctc_loss(log_probs.NativeHandle, targets.NativeHandle, input_lengths.NativeHandle, target_lengths.NativeHandle,
            blank, (long)reduction, zero_infinity ? 1 : 0), "fused_ctc_loss");
}
