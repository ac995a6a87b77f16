using LossKit.Torch.Interop;
using static LossKit.Torch.Interop.NativeMethods;

namespace LossKit.Torch;

public static partial class torch
{
    public partial class Tensor
    {
        // In-place updates, as optimizers and initialisers use them. Each returns this tensor.
        // On a leaf that requires grad they are only allowed under torch.no_grad(), as in PyTorch.

        /// <summary>this += other.</summary>
        public Tensor add_(Tensor other) { NativeError.Check(lk_add_(NativeHandle, other.NativeHandle, OneScalar)); return this; }
        /// <summary>this += alpha * other.</summary>
        public Tensor add_(Tensor other, Scalar alpha) { NativeError.Check(lk_add_(NativeHandle, other.NativeHandle, alpha.Value)); return this; }
        /// <summary>this += scalar.</summary>
        public Tensor add_(Scalar scalar) { NativeError.Check(lk_add_scalar_(NativeHandle, scalar.Value, OneScalar)); return this; }
        /// <summary>this += alpha * scalar.</summary>
        public Tensor add_(Scalar scalar, Scalar alpha) { NativeError.Check(lk_add_scalar_(NativeHandle, scalar.Value, alpha.Value)); return this; }
        /// <summary>this -= other.</summary>
        public Tensor sub_(Tensor other) { NativeError.Check(lk_sub_(NativeHandle, other.NativeHandle, OneScalar)); return this; }
        /// <summary>this -= alpha * other.</summary>
        public Tensor sub_(Tensor other, Scalar alpha) { NativeError.Check(lk_sub_(NativeHandle, other.NativeHandle, alpha.Value)); return this; }
        /// <summary>this -= scalar.</summary>
        public Tensor sub_(Scalar scalar) { NativeError.Check(lk_sub_scalar_(NativeHandle, scalar.Value, OneScalar)); return this; }
        /// <summary>this *= other.</summary>
        public Tensor mul_(Tensor other) { NativeError.Check(lk_mul_(NativeHandle, other.NativeHandle)); return this; }
        /// <summary>this *= scalar.</summary>
        public Tensor mul_(Scalar scalar) { NativeError.Check(lk_mul_scalar_(NativeHandle, scalar.Value)); return this; }
        /// <summary>this /= other.</summary>
        public Tensor div_(Tensor other) { NativeError.Check(lk_div_(NativeHandle, other.NativeHandle)); return this; }
        /// <summary>this /= scalar.</summary>
        public Tensor div_(Scalar scalar) { NativeError.Check(lk_div_scalar_(NativeHandle, scalar.Value)); return this; }
        /// <summary>this += value * tensor1 * tensor2.</summary>
        public Tensor addcmul_(Tensor tensor1, Tensor tensor2, Scalar value) { NativeError.Check(lk_addcmul_(NativeHandle, tensor1.NativeHandle, tensor2.NativeHandle, value.Value)); return this; }
        /// <summary>this += value * tensor1 / tensor2.</summary>
        public Tensor addcdiv_(Tensor tensor1, Tensor tensor2, Scalar value) { NativeError.Check(lk_addcdiv_(NativeHandle, tensor1.NativeHandle, tensor2.NativeHandle, value.Value)); return this; }
        /// <summary>this += tensor1 / tensor2.</summary>
        public Tensor addcdiv_(Tensor tensor1, Tensor tensor2) => addcdiv_(tensor1, tensor2, 1);
        /// <summary>Copies the values of <paramref name="source"/> (broadcast, converted) into this tensor.</summary>
        public Tensor copy_(Tensor source, bool nonBlocking = false) { NativeError.Check(lk_copy_(NativeHandle, source.NativeHandle)); return this; }
        /// <summary>Sets every element to 0.</summary>
        public Tensor zero_() { NativeError.Check(lk_zero_(NativeHandle)); return this; }
        /// <summary>Sets every element to <paramref name="value"/>.</summary>
        public Tensor fill_(Scalar value) { NativeError.Check(lk_fill_(NativeHandle, value.Value)); return this; }
        /// <summary>Square root in place.</summary>
        public Tensor sqrt_() { NativeError.Check(lk_sqrt_(NativeHandle)); return this; }
        /// <summary>Negation in place.</summary>
        public Tensor neg_() { NativeError.Check(lk_neg_(NativeHandle)); return this; }
        /// <summary>this = max(this, other) element-wise.</summary>
        public Tensor maximum_(Tensor other) { NativeError.Check(lk_maximum_(NativeHandle, other.NativeHandle)); return this; }
        /// <summary>Writes <paramref name="value"/> where <paramref name="mask"/> is true.</summary>
        public Tensor masked_fill_(Tensor mask, Scalar value) { NativeError.Check(lk_masked_fill_(NativeHandle, mask.NativeHandle, value.Value)); return this; }
        /// <summary>Fills with samples from U(from, to) drawn from the global generator (<see cref="manual_seed"/>).</summary>
        public Tensor uniform_(double from = 0, double to = 1) { NativeError.Check(lk_uniform_(NativeHandle, from, to)); return this; }
        /// <summary>Fills with samples from N(mean, std²) drawn from the global generator.</summary>
        public Tensor normal_(double mean = 0, double std = 1) { NativeError.Check(lk_normal_(NativeHandle, mean, std)); return this; }

        /// <summary>Clamps into [min, max] in place; either bound may be omitted (but not both).</summary>
        public unsafe Tensor clamp_(Scalar? min = null, Scalar? max = null)
        {
            var lo = min?.Value ?? default;
            var hi = max?.Value ?? default;
            NativeError.Check(lk_clamp_(NativeHandle, min.HasValue ? &lo : null, max.HasValue ? &hi : null));
            return this;
        }

        /// <summary>max(this, min) in place.</summary>
        public Tensor clamp_min_(Scalar min) => clamp_(min, null);
        /// <summary>min(this, max) in place.</summary>
        public Tensor clamp_max_(Scalar max) => clamp_(null, max);
    }
}
