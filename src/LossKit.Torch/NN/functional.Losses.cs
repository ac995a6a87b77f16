using LossKit.Torch.Interop;
using static LossKit.Torch.Interop.NativeMethods;

namespace LossKit.Torch;

public static partial class torch
{
    public static partial class nn
    {
        public static partial class functional
        {
            // libtorch's own loss kernels, with TorchSharp's signatures (and PyTorch's defaults where TorchSharp's differ:
            // kl_div's log_target is false). They pass arguments straight to libtorch, which reports bad shapes and dtypes;
            // the LossKit package adds up-front validation with messages that name the loss and the argument.

            private static long Code(Reduction reduction, string loss)
            {
                if (reduction is Reduction.None or Reduction.Mean or Reduction.Sum) return (long)reduction;
                throw new ArgumentException($"{loss}: reduction {reduction} is not supported (only KL divergence accepts BatchMean).", nameof(reduction));
            }

            /// <summary>|input - target|; mean over all elements by default.</summary>
            public static Tensor l1_loss(Tensor input, Tensor target, Reduction reduction = Reduction.Mean) =>
                Tensor.From(lk_l1_loss(input.NativeHandle, target.NativeHandle, Code(reduction, nameof(l1_loss))));

            /// <summary>(input - target)²; mean over all elements by default.</summary>
            public static Tensor mse_loss(Tensor input, Tensor target, Reduction reduction = Reduction.Mean) =>
                Tensor.From(lk_mse_loss(input.NativeHandle, target.NativeHandle, Code(reduction, nameof(mse_loss))));

            /// <summary>0.5 e² if |e| &lt; delta, else delta (|e| - 0.5 delta), with e = input - target.</summary>
            public static Tensor huber_loss(Tensor input, Tensor target, double delta = 1.0, Reduction reduction = Reduction.Mean) =>
                Tensor.From(lk_huber_loss(input.NativeHandle, target.NativeHandle, Code(reduction, nameof(huber_loss)), delta));

            /// <summary>Huber(beta) / beta; beta = 0 is L1.</summary>
            public static Tensor smooth_l1_loss(Tensor input, Tensor target, Reduction reduction = Reduction.Mean, double beta = 1.0) =>
                Tensor.From(lk_smooth_l1_loss(input.NativeHandle, target.NativeHandle, Code(reduction, nameof(smooth_l1_loss)), beta));

            /// <summary>-w[y] · input[y] for log-probability input (N, C, ...) and class-index target (N, ...).</summary>
            public static Tensor nll_loss(Tensor input, Tensor target, Tensor? weight = null, Reduction reduction = Reduction.Mean, long ignore_index = -100) =>
                Tensor.From(lk_nll_loss(input.NativeHandle, target.NativeHandle, weight?.NativeHandle ?? TensorHandle.Null, Code(reduction, nameof(nll_loss)), ignore_index));

            /// <summary>Cross-entropy of logits (N, C, ...) against class indices (N, ...) or probabilities (N, C, ...).</summary>
            public static Tensor cross_entropy(Tensor input, Tensor target, Tensor? weight = null, long ignore_index = -100, Reduction reduction = Reduction.Mean, double label_smoothing = 0.0) =>
                Tensor.From(lk_cross_entropy(input.NativeHandle, target.NativeHandle, weight?.NativeHandle ?? TensorHandle.Null, Code(reduction, nameof(cross_entropy)), ignore_index, label_smoothing));

            /// <summary>-w (y log p + (1 - y) log(1 - p)) on probabilities, each log clamped to &gt;= -100.</summary>
            public static Tensor binary_cross_entropy(Tensor input, Tensor target, Tensor? weight = null, Reduction reduction = Reduction.Mean) =>
                Tensor.From(lk_binary_cross_entropy(input.NativeHandle, target.NativeHandle, weight?.NativeHandle ?? TensorHandle.Null, Code(reduction, nameof(binary_cross_entropy))));

            /// <summary>Binary cross-entropy of logits, computed stably, with optional weight and pos_weight.</summary>
            public static Tensor binary_cross_entropy_with_logits(Tensor input, Tensor target, Tensor? weight = null, Reduction reduction = Reduction.Mean, Tensor? pos_weights = null) =>
                Tensor.From(lk_binary_cross_entropy_with_logits(input.NativeHandle, target.NativeHandle, weight?.NativeHandle ?? TensorHandle.Null,
                    pos_weights?.NativeHandle ?? TensorHandle.Null, Code(reduction, nameof(binary_cross_entropy_with_logits))));

            /// <summary>
            /// KL divergence target · (log target - input) for log-probability input. <paramref name="log_target"/> defaults to
            /// false as in PyTorch (TorchSharp defaults to true). <see cref="Reduction.BatchMean"/> divides the sum by the batch size.
            /// </summary>
            public static Tensor kl_div(Tensor input, Tensor target, bool log_target = false, Reduction reduction = Reduction.Mean)
            {
                if (reduction != Reduction.BatchMean)
                    return Tensor.From(lk_kl_div(input.NativeHandle, target.NativeHandle, Code(reduction, nameof(kl_div)), log_target ? 1 : 0));
                using var sum = Tensor.From(lk_kl_div(input.NativeHandle, target.NativeHandle, (long)Reduction.Sum, log_target ? 1 : 0), nameof(kl_div));
                var batch = input.dim() == 0 ? 1 : input.size(0);
                return sum.div(batch);
            }

            /// <summary>Connectionist temporal classification loss over log-probabilities (T, N, C).</summary>
            public static Tensor ctc_loss(Tensor log_probs, Tensor targets, Tensor input_lengths, Tensor target_lengths, long blank = 0, bool zero_infinity = false, Reduction reduction = Reduction.Mean) =>
                Tensor.From(lk_ctc_loss(log_probs.NativeHandle, targets.NativeHandle, input_lengths.NativeHandle, target_lengths.NativeHandle, blank,
                    Code(reduction, nameof(ctc_loss)), zero_infinity ? 1 : 0));
        }
    }
}
