using LossKit.Torch.Interop;
using static LossKit.Torch.Interop.NativeMethods;

namespace LossKit.Torch;

public static partial class torch
{
    public static partial class nn
    {
        /// <summary>Stateless forms of layers, activations and losses, as torch.nn.functional.</summary>
        public static partial class functional
        {
            /// <summary>x Wᵀ + b (bias optional).</summary>
            public static Tensor linear(Tensor input, Tensor weights, Tensor? bias = null) =>
                Tensor.From(lk_linear(input.NativeHandle, weights.NativeHandle, bias?.NativeHandle ?? TensorHandle.Null));

            /// <summary>Dropout: in training, zeroes elements with probability p and scales the rest by 1/(1-p).</summary>
            public static Tensor dropout(Tensor input, double p = 0.5, bool training = true)
            {
                if (p < 0 || p > 1) throw new ArgumentOutOfRangeException(nameof(p), p, "dropout: p must be in [0, 1].");
                return Tensor.From(lk_dropout(input.NativeHandle, p, training ? 1 : 0));
            }

            /// <summary>max(x, 0).</summary>
            public static Tensor relu(Tensor x) => x.relu();
            /// <summary>Sigmoid.</summary>
            public static Tensor sigmoid(Tensor x) => x.sigmoid();
            /// <summary>Hyperbolic tangent.</summary>
            public static Tensor tanh(Tensor x) => x.tanh();
            /// <summary>log(sigmoid(x)), computed stably.</summary>
            public static Tensor logsigmoid(Tensor x) => x.log_sigmoid();
            /// <summary>log(1 + e^(beta x)) / beta.</summary>
            public static Tensor softplus(Tensor x, double beta = 1, double threshold = 20) => x.softplus(beta, threshold);
            /// <summary>Softmax along <paramref name="dim"/>.</summary>
            public static Tensor softmax(Tensor input, long dim, ScalarType? dtype = null) => input.softmax(dim, dtype);
            /// <summary>Log-softmax along <paramref name="dim"/>.</summary>
            public static Tensor log_softmax(Tensor input, long dim, ScalarType? dtype = null) => input.log_softmax(dim, dtype);

            /// <summary>
            /// One-hot encoding of int64 class indices: shape (*) becomes (*, num_classes); -1 infers the number of classes
            /// as max + 1. Indices outside [0, num_classes) throw.
            /// </summary>
            public static Tensor one_hot(Tensor x, long num_classes = -1)
            {
                if (x.dtype != ScalarType.Int64)
                    throw new ArgumentException($"one_hot: class indices must be int64, got {x.dtype}.", nameof(x));
                return Tensor.From(lk_one_hot(x.NativeHandle, num_classes));
            }
        }
    }
}
