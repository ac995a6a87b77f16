namespace LossKit.Torch;

public static partial class torch
{
    public static partial class nn
    {
        /// <summary>
        /// Parameter initialisation, as torch.nn.init. Every function fills the tensor in place (without recording
        /// autograd), draws from the global generator, and returns the same tensor. The formulas and their order of
        /// floating-point operations are PyTorch's, so a seed gives the same values as in PyTorch.
        /// </summary>
        public static class init
        {
            /// <summary>Nonlinearities known to <see cref="calculate_gain"/>.</summary>
            public enum NonlinearityType
            {
                /// <summary>Identity: gain 1.</summary>
                Linear = 0,
                /// <summary>Sigmoid: gain 1.</summary>
                Sigmoid = 7,
                /// <summary>Tanh: gain 5/3.</summary>
                Tanh = 8,
                /// <summary>ReLU: gain √2.</summary>
                ReLU = 9,
                /// <summary>Leaky ReLU with negative slope a: gain √(2 / (1 + a²)).</summary>
                LeakyReLU = 10,
            }

            /// <summary>Which fan the Kaiming initialisers preserve the variance of.</summary>
            public enum FanInOut
            {
                /// <summary>Preserve the variance of activations in the forward pass.</summary>
                FanIn = 0,
                /// <summary>Preserve the variance of gradients in the backward pass.</summary>
                FanOut = 1,
            }

            /// <summary>The recommended gain for a nonlinearity (PyTorch's table).</summary>
            public static double calculate_gain(NonlinearityType nonlinearity, double param = 0.0) => nonlinearity switch
            {
                NonlinearityType.Linear or NonlinearityType.Sigmoid => 1.0,
                NonlinearityType.Tanh => 5.0 / 3,
                NonlinearityType.ReLU => Math.Sqrt(2.0),
                NonlinearityType.LeakyReLU => Math.Sqrt(2.0 / (1 + param * param)),
                _ => throw new ArgumentOutOfRangeException(nameof(nonlinearity), nonlinearity, "Unknown nonlinearity."),
            };

            /// <summary>(fan_in, fan_out) of a weight of shape (out, in, *kernel).</summary>
            public static (long fanIn, long fanOut) CalculateFanInAndFanOut(Tensor tensor)
            {
                var shape = tensor.shape;
                if (shape.Length < 2)
                    throw new ArgumentException($"Fan in and fan out need a tensor with at least 2 dimensions, got shape {Tensor.FormatShape(shape)}.", nameof(tensor));
                long receptive = 1;
                for (var i = 2; i < shape.Length; i++) receptive *= shape[i];
                return (shape[1] * receptive, shape[0] * receptive);
            }

            /// <summary>Fills with U(low, high).</summary>
            public static Tensor uniform_(Tensor tensor, double low = 0, double high = 1)
            {
                using (no_grad()) return tensor.uniform_(low, high);
            }

            /// <summary>Fills with N(mean, std²).</summary>
            public static Tensor normal_(Tensor tensor, double mean = 0, double std = 1)
            {
                using (no_grad()) return tensor.normal_(mean, std);
            }

            /// <summary>Fills with a constant.</summary>
            public static Tensor constant_(Tensor tensor, Scalar val)
            {
                using (no_grad()) return tensor.fill_(val);
            }

            /// <summary>Fills with zeros.</summary>
            public static Tensor zeros_(Tensor tensor)
            {
                using (no_grad()) return tensor.zero_();
            }

            /// <summary>Fills with ones.</summary>
            public static Tensor ones_(Tensor tensor) => constant_(tensor, 1);

            /// <summary>Kaiming (He) uniform: U(-b, b) with b = gain · √(3 / fan).</summary>
            public static Tensor kaiming_uniform_(Tensor tensor, double a = 0, FanInOut mode = FanInOut.FanIn, NonlinearityType nonlinearity = NonlinearityType.LeakyReLU)
            {
                var (fanIn, fanOut) = CalculateFanInAndFanOut(tensor);
                var fan = mode == FanInOut.FanIn ? fanIn : fanOut;
                if (fan == 0) return tensor; // PyTorch warns and leaves a zero-element tensor alone.
                var gain = calculate_gain(nonlinearity, a);
                var std = gain / Math.Sqrt(fan);
                var bound = Math.Sqrt(3.0) * std;
                return uniform_(tensor, -bound, bound);
            }

            /// <summary>Kaiming (He) normal: N(0, (gain / √fan)²).</summary>
            public static Tensor kaiming_normal_(Tensor tensor, double a = 0, FanInOut mode = FanInOut.FanIn, NonlinearityType nonlinearity = NonlinearityType.LeakyReLU)
            {
                var (fanIn, fanOut) = CalculateFanInAndFanOut(tensor);
                var fan = mode == FanInOut.FanIn ? fanIn : fanOut;
                if (fan == 0) return tensor;
                var std = calculate_gain(nonlinearity, a) / Math.Sqrt(fan);
                return normal_(tensor, 0, std);
            }

            /// <summary>Xavier (Glorot) uniform: U(-b, b) with b = gain · √(6 / (fan_in + fan_out)).</summary>
            public static Tensor xavier_uniform_(Tensor tensor, double gain = 1.0)
            {
                var (fanIn, fanOut) = CalculateFanInAndFanOut(tensor);
                var std = gain * Math.Sqrt(2.0 / (fanIn + fanOut));
                var bound = Math.Sqrt(3.0) * std;
                return uniform_(tensor, -bound, bound);
            }

            /// <summary>Xavier (Glorot) normal: N(0, gain² · 2 / (fan_in + fan_out)).</summary>
            public static Tensor xavier_normal_(Tensor tensor, double gain = 1.0)
            {
                var (fanIn, fanOut) = CalculateFanInAndFanOut(tensor);
                return normal_(tensor, 0, gain * Math.Sqrt(2.0 / (fanIn + fanOut)));
            }
        }
    }
}
