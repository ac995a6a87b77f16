using System.Runtime.InteropServices;

namespace LossKit.Torch.Interop;

// ops_pointwise.cpp: element-wise math, comparisons, logic.
internal static unsafe partial class NativeMethods
{
    [LibraryImport(Lib)] internal static partial TensorHandle lk_neg(TensorHandle a);
    [LibraryImport(Lib)] internal static partial TensorHandle lk_abs(TensorHandle a);
    [LibraryImport(Lib)] internal static partial TensorHandle lk_sign(TensorHandle a);
    [LibraryImport(Lib)] internal static partial TensorHandle lk_exp(TensorHandle a);
    [LibraryImport(Lib)] internal static partial TensorHandle lk_log(TensorHandle a);
    [LibraryImport(Lib)] internal static partial TensorHandle lk_log1p(TensorHandle a);
    [LibraryImport(Lib)] internal static partial TensorHandle lk_expm1(TensorHandle a);
    [LibraryImport(Lib)] internal static partial TensorHandle lk_sqrt(TensorHandle a);
    [LibraryImport(Lib)] internal static partial TensorHandle lk_rsqrt(TensorHandle a);
    [LibraryImport(Lib)] internal static partial TensorHandle lk_square(TensorHandle a);
    [LibraryImport(Lib)] internal static partial TensorHandle lk_reciprocal(TensorHandle a);
    [LibraryImport(Lib)] internal static partial TensorHandle lk_sigmoid(TensorHandle a);
    [LibraryImport(Lib)] internal static partial TensorHandle lk_log_sigmoid(TensorHandle a);
    [LibraryImport(Lib)] internal static partial TensorHandle lk_tanh(TensorHandle a);
    [LibraryImport(Lib)] internal static partial TensorHandle lk_relu(TensorHandle a);
    [LibraryImport(Lib)] internal static partial TensorHandle lk_floor(TensorHandle a);
    [LibraryImport(Lib)] internal static partial TensorHandle lk_ceil(TensorHandle a);
    [LibraryImport(Lib)] internal static partial TensorHandle lk_round(TensorHandle a);
    [LibraryImport(Lib)] internal static partial TensorHandle lk_sin(TensorHandle a);
    [LibraryImport(Lib)] internal static partial TensorHandle lk_cos(TensorHandle a);
    [LibraryImport(Lib)] internal static partial TensorHandle lk_isnan(TensorHandle a);
    [LibraryImport(Lib)] internal static partial TensorHandle lk_isinf(TensorHandle a);
    [LibraryImport(Lib)] internal static partial TensorHandle lk_isfinite(TensorHandle a);
    [LibraryImport(Lib)] internal static partial TensorHandle lk_logical_not(TensorHandle a);
    [LibraryImport(Lib)] internal static partial TensorHandle lk_softplus(TensorHandle a, double beta, double threshold);
    [LibraryImport(Lib)] internal static partial TensorHandle lk_clamp(TensorHandle a, NativeScalar* min, NativeScalar* max);
    [LibraryImport(Lib)] internal static partial TensorHandle lk_clamp_tensor(TensorHandle a, TensorHandle min, TensorHandle max);

    [LibraryImport(Lib)] internal static partial TensorHandle lk_add(TensorHandle a, TensorHandle b, NativeScalar alpha);
    [LibraryImport(Lib)] internal static partial TensorHandle lk_sub(TensorHandle a, TensorHandle b, NativeScalar alpha);
    [LibraryImport(Lib)] internal static partial TensorHandle lk_mul(TensorHandle a, TensorHandle b);
    [LibraryImport(Lib)] internal static partial TensorHandle lk_div(TensorHandle a, TensorHandle b);
    [LibraryImport(Lib)] internal static partial TensorHandle lk_pow(TensorHandle a, TensorHandle b);
    [LibraryImport(Lib)] internal static partial TensorHandle lk_maximum(TensorHandle a, TensorHandle b);
    [LibraryImport(Lib)] internal static partial TensorHandle lk_minimum(TensorHandle a, TensorHandle b);
    [LibraryImport(Lib)] internal static partial TensorHandle lk_xlogy(TensorHandle a, TensorHandle b);
    [LibraryImport(Lib)] internal static partial TensorHandle lk_eq(TensorHandle a, TensorHandle b);
    [LibraryImport(Lib)] internal static partial TensorHandle lk_ne(TensorHandle a, TensorHandle b);
    [LibraryImport(Lib)] internal static partial TensorHandle lk_lt(TensorHandle a, TensorHandle b);
    [LibraryImport(Lib)] internal static partial TensorHandle lk_le(TensorHandle a, TensorHandle b);
    [LibraryImport(Lib)] internal static partial TensorHandle lk_gt(TensorHandle a, TensorHandle b);
    [LibraryImport(Lib)] internal static partial TensorHandle lk_ge(TensorHandle a, TensorHandle b);
    [LibraryImport(Lib)] internal static partial TensorHandle lk_logical_and(TensorHandle a, TensorHandle b);
    [LibraryImport(Lib)] internal static partial TensorHandle lk_logical_or(TensorHandle a, TensorHandle b);
    [LibraryImport(Lib)] internal static partial TensorHandle lk_logical_xor(TensorHandle a, TensorHandle b);
    [LibraryImport(Lib)] internal static partial TensorHandle lk_bitwise_and(TensorHandle a, TensorHandle b);
    [LibraryImport(Lib)] internal static partial TensorHandle lk_bitwise_or(TensorHandle a, TensorHandle b);
    [LibraryImport(Lib)] internal static partial TensorHandle lk_bitwise_xor(TensorHandle a, TensorHandle b);
    [LibraryImport(Lib)] internal static partial TensorHandle lk_bitwise_not(TensorHandle a);
    [LibraryImport(Lib)] internal static partial TensorHandle lk_remainder(TensorHandle a, TensorHandle b);
    [LibraryImport(Lib)] internal static partial TensorHandle lk_remainder_scalar(TensorHandle a, NativeScalar b);
    [LibraryImport(Lib)] internal static partial TensorHandle lk_where(TensorHandle condition, TensorHandle a, TensorHandle b);

    [LibraryImport(Lib)] internal static partial TensorHandle lk_add_scalar(TensorHandle a, NativeScalar b, NativeScalar alpha);
    [LibraryImport(Lib)] internal static partial TensorHandle lk_sub_scalar(TensorHandle a, NativeScalar b, NativeScalar alpha);
    [LibraryImport(Lib)] internal static partial TensorHandle lk_mul_scalar(TensorHandle a, NativeScalar b);
    [LibraryImport(Lib)] internal static partial TensorHandle lk_div_scalar(TensorHandle a, NativeScalar b);
    [LibraryImport(Lib)] internal static partial TensorHandle lk_pow_scalar(TensorHandle a, NativeScalar exponent);
    [LibraryImport(Lib)] internal static partial TensorHandle lk_rsub_scalar(NativeScalar a, TensorHandle b);
    [LibraryImport(Lib)] internal static partial TensorHandle lk_rdiv_scalar(NativeScalar a, TensorHandle b);
    [LibraryImport(Lib)] internal static partial TensorHandle lk_rpow_scalar(NativeScalar b, TensorHandle exponent);
    [LibraryImport(Lib)] internal static partial TensorHandle lk_eq_scalar(TensorHandle a, NativeScalar b);
    [LibraryImport(Lib)] internal static partial TensorHandle lk_ne_scalar(TensorHandle a, NativeScalar b);
    [LibraryImport(Lib)] internal static partial TensorHandle lk_lt_scalar(TensorHandle a, NativeScalar b);
    [LibraryImport(Lib)] internal static partial TensorHandle lk_le_scalar(TensorHandle a, NativeScalar b);
    [LibraryImport(Lib)] internal static partial TensorHandle lk_gt_scalar(TensorHandle a, NativeScalar b);
    [LibraryImport(Lib)] internal static partial TensorHandle lk_ge_scalar(TensorHandle a, NativeScalar b);
    [LibraryImport(Lib)] internal static partial TensorHandle lk_masked_fill(TensorHandle a, TensorHandle mask, NativeScalar value);
    [LibraryImport(Lib)] internal static partial TensorHandle lk_matmul(TensorHandle a, TensorHandle b);
    [LibraryImport(Lib)] internal static partial TensorHandle lk_addcmul(TensorHandle a, TensorHandle t1, TensorHandle t2, NativeScalar value);
    [LibraryImport(Lib)] internal static partial TensorHandle lk_addcdiv(TensorHandle a, TensorHandle t1, TensorHandle t2, NativeScalar value);
}
