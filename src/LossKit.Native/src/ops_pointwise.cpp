// Element-wise math, comparisons and logic. Broadcasting and type promotion are libtorch's own.
#include "common.h"

using lk::T;

#define LK_UNARY(name, expr)                                                       \
  LK_API lk_tensor lk_##name(lk_tensor a) {                                       \
    return lk::tensor_call([&] { const at::Tensor& x = T(a); return expr; });     \
  }

#define LK_BINARY(name, fn)                                                        \
  LK_API lk_tensor lk_##name(lk_tensor a, lk_tensor b) {                          \
    return lk::tensor_call([&] { return fn(T(a), T(b)); });                       \
  }

#define LK_BINARY_SCALAR(name, fn)                                                 \
  LK_API lk_tensor lk_##name(lk_tensor a, lk_scalar b) {                          \
    return lk::tensor_call([&] { return fn(T(a), lk::scalar(b)); });              \
  }

namespace {

// Integer remainder by -1 is 0 for every dividend, but the CPU's division instruction traps for a signed type's minimum
// divided by -1 (SIGFPE: the process dies), and libtorch does not guard against it (PyTorch crashes the same way).
// Dividing by 1 instead gives the same 0 for every dividend, so -1 divisors are replaced. What counts is the divisor as
// the kernel sees it, cast to the result type: int64's maximum, say, becomes -1 in an int32 computation.
bool signed_integral(at::ScalarType t) { return t == at::kChar || t == at::kShort || t == at::kInt || t == at::kLong; }

at::Tensor safe_remainder(const at::Tensor& a, const at::Tensor& b) {
  const at::ScalarType type = at::result_type(a, b);
  if (!signed_integral(type)) return at::remainder(a, b);
  const at::Tensor d = b.to(type);
  return at::remainder(a, at::where(d.eq(-1), at::ones_like(d), d));
}

at::Tensor safe_remainder(const at::Tensor& a, const at::Scalar& b) {
  // An integral scalar takes a's dtype in the computation (a floating one makes it floating: no trap).
  if (!b.isIntegral(/*includeBool=*/false) || !signed_integral(a.scalar_type())) return at::remainder(a, b);
  const int64_t v = b.toLong();
  bool minus_one = false;
  switch (a.scalar_type()) {
    case at::kChar: minus_one = static_cast<int8_t>(v) == -1; break;
    case at::kShort: minus_one = static_cast<int16_t>(v) == -1; break;
    case at::kInt: minus_one = static_cast<int32_t>(v) == -1; break;
    default: minus_one = v == -1; break;
  }
  return at::remainder(a, minus_one ? at::Scalar(int64_t{1}) : b);
}

}  // namespace

LK_UNARY(neg, at::neg(x))
LK_UNARY(abs, at::abs(x))
LK_UNARY(sign, at::sign(x))
LK_UNARY(exp, at::exp(x))
LK_UNARY(log, at::log(x))
LK_UNARY(log1p, at::log1p(x))
LK_UNARY(expm1, at::expm1(x))
LK_UNARY(sqrt, at::sqrt(x))
LK_UNARY(rsqrt, at::rsqrt(x))
LK_UNARY(square, at::square(x))
LK_UNARY(reciprocal, at::reciprocal(x))
LK_UNARY(sigmoid, at::sigmoid(x))
LK_UNARY(log_sigmoid, at::log_sigmoid(x))
LK_UNARY(tanh, at::tanh(x))
LK_UNARY(relu, at::relu(x))
LK_UNARY(floor, at::floor(x))
LK_UNARY(ceil, at::ceil(x))
LK_UNARY(round, at::round(x))
LK_UNARY(sin, at::sin(x))
LK_UNARY(cos, at::cos(x))
LK_UNARY(isnan, at::isnan(x))
LK_UNARY(isinf, at::isinf(x))
LK_UNARY(isfinite, at::isfinite(x))
LK_UNARY(logical_not, at::logical_not(x))

LK_API lk_tensor lk_softplus(lk_tensor a, double beta, double threshold) {
  return lk::tensor_call([&] { return at::softplus(T(a), beta, threshold); });
}

LK_API lk_tensor lk_clamp(lk_tensor a, const lk_scalar* min, const lk_scalar* max) {
  return lk::tensor_call([&] {
    TORCH_CHECK(min != nullptr || max != nullptr, "at least one of min and max must be given");
    return at::clamp(T(a), lk::opt_scalar(min), lk::opt_scalar(max));
  });
}

LK_API lk_tensor lk_clamp_tensor(lk_tensor a, lk_tensor min_t, lk_tensor max_t) {
  return lk::tensor_call([&] {
    TORCH_CHECK(min_t != nullptr || max_t != nullptr, "at least one of min and max must be given");
    return at::clamp(T(a), lk::opt(min_t), lk::opt(max_t));
  });
}

LK_API lk_tensor lk_add(lk_tensor a, lk_tensor b, lk_scalar alpha) {
  return lk::tensor_call([&] { return at::add(T(a), T(b), lk::scalar(alpha)); });
}

LK_API lk_tensor lk_sub(lk_tensor a, lk_tensor b, lk_scalar alpha) {
  return lk::tensor_call([&] { return at::sub(T(a), T(b), lk::scalar(alpha)); });
}

LK_BINARY(mul, at::mul)
LK_BINARY(div, at::div)
LK_BINARY(pow, at::pow)
LK_BINARY(maximum, at::maximum)
LK_BINARY(minimum, at::minimum)
LK_BINARY(xlogy, at::xlogy)
LK_BINARY(eq, at::eq)
LK_BINARY(ne, at::ne)
LK_BINARY(lt, at::lt)
LK_BINARY(le, at::le)
LK_BINARY(gt, at::gt)
LK_BINARY(ge, at::ge)
LK_BINARY(logical_and, at::logical_and)
LK_BINARY(logical_or, at::logical_or)
LK_BINARY(logical_xor, at::logical_xor)
LK_BINARY(matmul, at::matmul)
LK_BINARY(bitwise_and, at::bitwise_and)
LK_BINARY(bitwise_or, at::bitwise_or)
LK_BINARY(bitwise_xor, at::bitwise_xor)
LK_BINARY(remainder, safe_remainder)
LK_UNARY(bitwise_not, at::bitwise_not(x))

LK_API lk_tensor lk_where(lk_tensor condition, lk_tensor a, lk_tensor b) {
  return lk::tensor_call([&] { return at::where(T(condition), T(a), T(b)); });
}

LK_API lk_tensor lk_add_scalar(lk_tensor a, lk_scalar b, lk_scalar alpha) {
  return lk::tensor_call([&] { return at::add(T(a), lk::scalar(b), lk::scalar(alpha)); });
}

LK_API lk_tensor lk_sub_scalar(lk_tensor a, lk_scalar b, lk_scalar alpha) {
  return lk::tensor_call([&] { return at::sub(T(a), lk::scalar(b), lk::scalar(alpha)); });
}

LK_BINARY_SCALAR(mul_scalar, at::mul)
LK_BINARY_SCALAR(div_scalar, at::div)
LK_BINARY_SCALAR(pow_scalar, at::pow)
LK_BINARY_SCALAR(remainder_scalar, safe_remainder)
LK_BINARY_SCALAR(eq_scalar, at::eq)
LK_BINARY_SCALAR(ne_scalar, at::ne)
LK_BINARY_SCALAR(lt_scalar, at::lt)
LK_BINARY_SCALAR(le_scalar, at::le)
LK_BINARY_SCALAR(gt_scalar, at::gt)
LK_BINARY_SCALAR(ge_scalar, at::ge)

LK_API lk_tensor lk_rsub_scalar(lk_scalar a, lk_tensor b) {
  return lk::tensor_call([&] { return at::sub(lk::wrapped_scalar(a, T(b).device()), T(b)); });
}

LK_API lk_tensor lk_rdiv_scalar(lk_scalar a, lk_tensor b) {
  return lk::tensor_call([&] { return at::div(lk::wrapped_scalar(a, T(b).device()), T(b)); });
}

LK_API lk_tensor lk_rpow_scalar(lk_scalar base, lk_tensor exponent) {
  return lk::tensor_call([&] { return at::pow(lk::scalar(base), T(exponent)); });
}

LK_API lk_tensor lk_masked_fill(lk_tensor a, lk_tensor mask, lk_scalar value) {
  return lk::tensor_call([&] { return at::masked_fill(T(a), T(mask), lk::scalar(value)); });
}

LK_API lk_tensor lk_addcmul(lk_tensor a, lk_tensor t1, lk_tensor t2, lk_scalar value) {
  return lk::tensor_call([&] { return at::addcmul(T(a), T(t1), T(t2), lk::scalar(value)); });
}

LK_API lk_tensor lk_addcdiv(lk_tensor a, lk_tensor t1, lk_tensor t2, lk_scalar value) {
  return lk::tensor_call([&] { return at::addcdiv(T(a), T(t1), T(t2), lk::scalar(value)); });
}
