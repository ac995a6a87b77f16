using LossKit.Torch.Interop;
using static LossKit.Torch.Interop.NativeMethods;

namespace LossKit.Torch;

public static partial class torch
{
    public partial class Tensor
    {
        private static readonly NativeScalar OneScalar = ((Scalar)1).Value;

        // ----- unary ------------------------------------------------------------------------------------
        // Every operation returns a new tensor and is recorded by autograd when an input requires grad.
        // NaN and infinity propagate as IEEE arithmetic says (log(0) = -inf, log(-1) = NaN, sqrt(-1) = NaN).

        /// <summary>-x.</summary>
        public Tensor neg() => From(lk_neg(NativeHandle));
        /// <summary>-x (alias of <see cref="neg"/>).</summary>
        public Tensor negative() => From(lk_neg(NativeHandle));
        /// <summary>|x|.</summary>
        public Tensor abs() => From(lk_abs(NativeHandle));
        /// <summary>-1, 0 or 1 by the sign of x (gradient 0).</summary>
        public Tensor sign() => From(lk_sign(NativeHandle));
        /// <summary>e^x.</summary>
        public Tensor exp() => From(lk_exp(NativeHandle));
        /// <summary>Natural logarithm.</summary>
        public Tensor log() => From(lk_log(NativeHandle));
        /// <summary>log(1 + x), accurate for small x.</summary>
        public Tensor log1p() => From(lk_log1p(NativeHandle));
        /// <summary>e^x - 1, accurate for small x.</summary>
        public Tensor expm1() => From(lk_expm1(NativeHandle));
        /// <summary>Square root.</summary>
        public Tensor sqrt() => From(lk_sqrt(NativeHandle));
        /// <summary>1 / sqrt(x).</summary>
        public Tensor rsqrt() => From(lk_rsqrt(NativeHandle));
        /// <summary>x².</summary>
        public Tensor square() => From(lk_square(NativeHandle));
        /// <summary>1 / x.</summary>
        public Tensor reciprocal() => From(lk_reciprocal(NativeHandle));
        /// <summary>1 / (1 + e^-x).</summary>
        public Tensor sigmoid() => From(lk_sigmoid(NativeHandle));
        /// <summary>log(sigmoid(x)), computed stably (never through sigmoid then log).</summary>
        public Tensor log_sigmoid() => From(lk_log_sigmoid(NativeHandle));
        /// <summary>Hyperbolic tangent.</summary>
        public Tensor tanh() => From(lk_tanh(NativeHandle));
        /// <summary>max(x, 0).</summary>
        public Tensor relu() => From(lk_relu(NativeHandle));
        /// <summary>Largest integer not greater than x.</summary>
        public Tensor floor() => From(lk_floor(NativeHandle));
        /// <summary>Smallest integer not less than x.</summary>
        public Tensor ceil() => From(lk_ceil(NativeHandle));
        /// <summary>Nearest integer, ties to even.</summary>
        public Tensor round() => From(lk_round(NativeHandle));
        /// <summary>Sine.</summary>
        public Tensor sin() => From(lk_sin(NativeHandle));
        /// <summary>Cosine.</summary>
        public Tensor cos() => From(lk_cos(NativeHandle));
        /// <summary>True where x is NaN.</summary>
        public Tensor isnan() => From(lk_isnan(NativeHandle));
        /// <summary>True where x is +inf or -inf.</summary>
        public Tensor isinf() => From(lk_isinf(NativeHandle));
        /// <summary>True where x is neither NaN nor infinite.</summary>
        public Tensor isfinite() => From(lk_isfinite(NativeHandle));
        /// <summary>Logical not (non-zero is true).</summary>
        public Tensor logical_not() => From(lk_logical_not(NativeHandle));
        /// <summary>Bitwise not (logical not for bool tensors).</summary>
        public Tensor bitwise_not() => From(lk_bitwise_not(NativeHandle));
        /// <summary>log(1 + e^(beta x)) / beta, linear (x) where beta x &gt; threshold.</summary>
        public Tensor softplus(double beta = 1, double threshold = 20) => From(lk_softplus(NativeHandle, beta, threshold));

        /// <summary>Clamps every element into [min, max]; either bound may be omitted (but not both).</summary>
        public unsafe Tensor clamp(Scalar? min = null, Scalar? max = null)
        {
            var lo = min?.Value ?? default;
            var hi = max?.Value ?? default;
            return From(lk_clamp(NativeHandle, min.HasValue ? &lo : null, max.HasValue ? &hi : null));
        }

        /// <summary>Clamps element-wise between tensors (broadcast); either bound may be omitted (but not both).</summary>
        public Tensor clamp(Tensor? min = null, Tensor? max = null) =>
            From(lk_clamp_tensor(NativeHandle, min?.NativeHandle ?? TensorHandle.Null, max?.NativeHandle ?? TensorHandle.Null));

        /// <summary>Alias of <see cref="clamp(Scalar?, Scalar?)"/>.</summary>
        public Tensor clip(Scalar? min = null, Scalar? max = null) => clamp(min, max);
        /// <summary>max(x, min).</summary>
        public Tensor clamp_min(Scalar min) => clamp(min, null);
        /// <summary>min(x, max).</summary>
        public Tensor clamp_max(Scalar max) => clamp(null, max);

        // ----- binary with tensors (broadcasting, type promotion as in PyTorch) ----------------------------

        /// <summary>this + other.</summary>
        public Tensor add(Tensor other) => From(lk_add(NativeHandle, other.NativeHandle, OneScalar));
        /// <summary>this + alpha * other.</summary>
        public Tensor add(Tensor other, Scalar alpha) => From(lk_add(NativeHandle, other.NativeHandle, alpha.Value));
        /// <summary>this + scalar.</summary>
        public Tensor add(Scalar scalar) => From(lk_add_scalar(NativeHandle, scalar.Value, OneScalar));
        /// <summary>this + alpha * scalar.</summary>
        public Tensor add(Scalar scalar, Scalar alpha) => From(lk_add_scalar(NativeHandle, scalar.Value, alpha.Value));
        /// <summary>this - other.</summary>
        public Tensor sub(Tensor other) => From(lk_sub(NativeHandle, other.NativeHandle, OneScalar));
        /// <summary>this - alpha * other.</summary>
        public Tensor sub(Tensor other, Scalar alpha) => From(lk_sub(NativeHandle, other.NativeHandle, alpha.Value));
        /// <summary>this - scalar.</summary>
        public Tensor sub(Scalar scalar) => From(lk_sub_scalar(NativeHandle, scalar.Value, OneScalar));
        /// <summary>this - alpha * scalar.</summary>
        public Tensor sub(Scalar scalar, Scalar alpha) => From(lk_sub_scalar(NativeHandle, scalar.Value, alpha.Value));
        /// <summary>this * other.</summary>
        public Tensor mul(Tensor other) => From(lk_mul(NativeHandle, other.NativeHandle));
        /// <summary>this * scalar.</summary>
        public Tensor mul(Scalar scalar) => From(lk_mul_scalar(NativeHandle, scalar.Value));
        /// <summary>this / other (true division: integer inputs give a float result).</summary>
        public Tensor div(Tensor other) => From(lk_div(NativeHandle, other.NativeHandle));
        /// <summary>this / scalar (true division).</summary>
        public Tensor div(Scalar scalar) => From(lk_div_scalar(NativeHandle, scalar.Value));
        /// <summary>this ^ exponent, element-wise.</summary>
        public Tensor pow(Tensor exponent) => From(lk_pow(NativeHandle, exponent.NativeHandle));
        /// <summary>this ^ exponent.</summary>
        public Tensor pow(Scalar exponent) => From(lk_pow_scalar(NativeHandle, exponent.Value));
        /// <summary>Python-style remainder (the sign of the divisor).</summary>
        public Tensor remainder(Tensor other) => From(lk_remainder(NativeHandle, other.NativeHandle));
        /// <summary>Python-style remainder (the sign of the divisor).</summary>
        public Tensor remainder(Scalar other) => From(lk_remainder_scalar(NativeHandle, other.Value));
        /// <summary>Element-wise maximum (NaN propagates).</summary>
        public Tensor maximum(Tensor other) => From(lk_maximum(NativeHandle, other.NativeHandle));
        /// <summary>Element-wise minimum (NaN propagates).</summary>
        public Tensor minimum(Tensor other) => From(lk_minimum(NativeHandle, other.NativeHandle));
        /// <summary>this * log(other), with 0 where this is 0 (even when other is 0).</summary>
        public Tensor xlogy(Tensor other) => From(lk_xlogy(NativeHandle, other.NativeHandle));
        /// <summary>Matrix product with PyTorch's broadcasting rules (vector, matrix, batched).</summary>
        public Tensor matmul(Tensor other) => From(lk_matmul(NativeHandle, other.NativeHandle));
        /// <summary>Matrix product of two 2-D tensors.</summary>
        public Tensor mm(Tensor other) => matmul(other);
        /// <summary>Elements of this where <paramref name="condition"/> is true, else of <paramref name="y"/>.</summary>
        public Tensor where(Tensor condition, Tensor y) => From(lk_where(condition.NativeHandle, NativeHandle, y.NativeHandle));

        /// <summary>this + value * t1 * t2 (ATen's fused kernel: the same rounding as <see cref="addcmul_"/>).</summary>
        public Tensor addcmul(Tensor tensor1, Tensor tensor2, Scalar value) =>
            From(lk_addcmul(NativeHandle, tensor1.NativeHandle, tensor2.NativeHandle, value.Value));

        /// <summary>this + value * t1 / t2 (ATen's fused kernel: the same rounding as <see cref="addcdiv_(Tensor, Tensor, Scalar)"/>).</summary>
        public Tensor addcdiv(Tensor tensor1, Tensor tensor2, Scalar value) =>
            From(lk_addcdiv(NativeHandle, tensor1.NativeHandle, tensor2.NativeHandle, value.Value));

        /// <summary>this + t1 / t2.</summary>
        public Tensor addcdiv(Tensor tensor1, Tensor tensor2) => addcdiv(tensor1, tensor2, 1);

        // ----- comparisons and logic (bool results) ------------------------------------------------------

        /// <summary>this == other, element-wise.</summary>
        public Tensor eq(Tensor other) => From(lk_eq(NativeHandle, other.NativeHandle));
        /// <summary>this != other, element-wise.</summary>
        public Tensor ne(Tensor other) => From(lk_ne(NativeHandle, other.NativeHandle));
        /// <summary>this &lt; other, element-wise.</summary>
        public Tensor lt(Tensor other) => From(lk_lt(NativeHandle, other.NativeHandle));
        /// <summary>this &lt;= other, element-wise.</summary>
        public Tensor le(Tensor other) => From(lk_le(NativeHandle, other.NativeHandle));
        /// <summary>this &gt; other, element-wise.</summary>
        public Tensor gt(Tensor other) => From(lk_gt(NativeHandle, other.NativeHandle));
        /// <summary>this &gt;= other, element-wise.</summary>
        public Tensor ge(Tensor other) => From(lk_ge(NativeHandle, other.NativeHandle));
        /// <summary>this == other, element-wise.</summary>
        public Tensor eq(Scalar other) => From(lk_eq_scalar(NativeHandle, other.Value));
        /// <summary>this != other, element-wise.</summary>
        public Tensor ne(Scalar other) => From(lk_ne_scalar(NativeHandle, other.Value));
        /// <summary>this &lt; other, element-wise.</summary>
        public Tensor lt(Scalar other) => From(lk_lt_scalar(NativeHandle, other.Value));
        /// <summary>this &lt;= other, element-wise.</summary>
        public Tensor le(Scalar other) => From(lk_le_scalar(NativeHandle, other.Value));
        /// <summary>this &gt; other, element-wise.</summary>
        public Tensor gt(Scalar other) => From(lk_gt_scalar(NativeHandle, other.Value));
        /// <summary>this &gt;= other, element-wise.</summary>
        public Tensor ge(Scalar other) => From(lk_ge_scalar(NativeHandle, other.Value));
        /// <summary>Logical and (non-zero is true).</summary>
        public Tensor logical_and(Tensor other) => From(lk_logical_and(NativeHandle, other.NativeHandle));
        /// <summary>Logical or (non-zero is true).</summary>
        public Tensor logical_or(Tensor other) => From(lk_logical_or(NativeHandle, other.NativeHandle));
        /// <summary>Logical xor (non-zero is true).</summary>
        public Tensor logical_xor(Tensor other) => From(lk_logical_xor(NativeHandle, other.NativeHandle));
        /// <summary>Bitwise and (logical and for bool tensors).</summary>
        public Tensor bitwise_and(Tensor other) => From(lk_bitwise_and(NativeHandle, other.NativeHandle));
        /// <summary>Bitwise or (logical or for bool tensors).</summary>
        public Tensor bitwise_or(Tensor other) => From(lk_bitwise_or(NativeHandle, other.NativeHandle));
        /// <summary>Bitwise xor (logical xor for bool tensors).</summary>
        public Tensor bitwise_xor(Tensor other) => From(lk_bitwise_xor(NativeHandle, other.NativeHandle));

        /// <summary>A copy with <paramref name="value"/> where <paramref name="mask"/> (bool, broadcast) is true.</summary>
        public Tensor masked_fill(Tensor mask, Scalar value) => From(lk_masked_fill(NativeHandle, mask.NativeHandle, value.Value));

        /// <summary>True when every |this - other| &lt;= atol + rtol * |other| (shapes broadcast).</summary>
        public bool allclose(Tensor other, double rtol = 1e-05, double atol = 1e-08, bool equal_nan = false)
        {
            NativeError.Check(lk_allclose(NativeHandle, other.NativeHandle, rtol, atol, equal_nan ? 1 : 0, out var r));
            return r != 0;
        }

        /// <summary>True when both tensors have the same shape and the same values.</summary>
        public bool Equals(Tensor other)
        {
            NativeError.Check(lk_equal(NativeHandle, other.NativeHandle, out var r));
            return r != 0;
        }

        /// <summary>Reference equality: two tensor objects are equal only if they are the same object.
        /// Use <see cref="Equals(Tensor)"/> or <see cref="eq(Tensor)"/> to compare values.</summary>
        public override bool Equals(object? obj) => ReferenceEquals(this, obj);

        /// <summary>A hash of the object identity (consistent with <see cref="Equals(object?)"/>).</summary>
        public override int GetHashCode() => System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(this);
    }

    // ----- the same operations as torch.* functions ------------------------------------------------------

    /// <summary>Element-wise maximum.</summary>
    public static Tensor maximum(Tensor input, Tensor other) => input.maximum(other);
    /// <summary>Element-wise minimum.</summary>
    public static Tensor minimum(Tensor input, Tensor other) => input.minimum(other);
    /// <summary>Elements of <paramref name="x"/> where <paramref name="condition"/> is true, else of <paramref name="y"/>.</summary>
    public static Tensor where(Tensor condition, Tensor x, Tensor y) => x.where(condition, y);
    /// <summary>Matrix product.</summary>
    public static Tensor matmul(Tensor input, Tensor other) => input.matmul(other);
    /// <summary>e^x.</summary>
    public static Tensor exp(Tensor input) => input.exp();
    /// <summary>Natural logarithm.</summary>
    public static Tensor log(Tensor input) => input.log();
    /// <summary>log(1 + x).</summary>
    public static Tensor log1p(Tensor input) => input.log1p();
    /// <summary>e^x - 1.</summary>
    public static Tensor expm1(Tensor input) => input.expm1();
    /// <summary>|x|.</summary>
    public static Tensor abs(Tensor input) => input.abs();
    /// <summary>Sign of x.</summary>
    public static Tensor sign(Tensor input) => input.sign();
    /// <summary>-x.</summary>
    public static Tensor neg(Tensor input) => input.neg();
    /// <summary>Square root.</summary>
    public static Tensor sqrt(Tensor input) => input.sqrt();
    /// <summary>1 / sqrt(x).</summary>
    public static Tensor rsqrt(Tensor input) => input.rsqrt();
    /// <summary>x².</summary>
    public static Tensor square(Tensor input) => input.square();
    /// <summary>x ^ exponent.</summary>
    public static Tensor pow(Tensor input, Scalar exponent) => input.pow(exponent);
    /// <summary>x ^ exponent, element-wise.</summary>
    public static Tensor pow(Tensor input, Tensor exponent) => input.pow(exponent);
    /// <summary>base ^ exponent, element-wise (a scalar base).</summary>
    public static Tensor pow(Scalar @base, Tensor exponent) => Tensor.From(lk_rpow_scalar(@base.Value, exponent.NativeHandle), nameof(pow));
    /// <summary>Sigmoid.</summary>
    public static Tensor sigmoid(Tensor input) => input.sigmoid();
    /// <summary>Hyperbolic tangent.</summary>
    public static Tensor tanh(Tensor input) => input.tanh();
    /// <summary>max(x, 0).</summary>
    public static Tensor relu(Tensor input) => input.relu();
    /// <summary>Clamp into [min, max].</summary>
    public static Tensor clamp(Tensor input, Scalar? min = null, Scalar? max = null) => input.clamp(min, max);
    /// <summary>max(x, min).</summary>
    public static Tensor clamp_min(Tensor input, Scalar min) => input.clamp_min(min);
    /// <summary>min(x, max).</summary>
    public static Tensor clamp_max(Tensor input, Scalar max) => input.clamp_max(max);
    /// <summary>True where NaN.</summary>
    public static Tensor isnan(Tensor input) => input.isnan();
    /// <summary>True where finite.</summary>
    public static Tensor isfinite(Tensor input) => input.isfinite();
    /// <summary>True where infinite.</summary>
    public static Tensor isinf(Tensor input) => input.isinf();
    /// <summary>x * log(y), 0 where x is 0.</summary>
    public static Tensor xlogy(Tensor x, Tensor y) => x.xlogy(y);
    /// <summary>True when every |input - other| &lt;= atol + rtol * |other|.</summary>
    public static bool allclose(Tensor input, Tensor other, double rtol = 1e-05, double atol = 1e-08, bool equal_nan = false) =>
        input.allclose(other, rtol, atol, equal_nan);
    /// <summary>True when both have the same shape and values.</summary>
    public static bool equal(Tensor input, Tensor other) => input.Equals(other);
}
