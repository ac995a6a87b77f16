// Views, reshaping, joining, indexing and conversion between dtypes and devices.
#include "common.h"

#include <ATen/TensorIndexing.h>

using lk::T;

LK_API lk_tensor lk_reshape(lk_tensor a, const int64_t* shape, int32_t ndim) {
  return lk::tensor_call([&] { return at::reshape(T(a), lk::dims(shape, ndim)); });
}

LK_API lk_tensor lk_view(lk_tensor a, const int64_t* shape, int32_t ndim) {
  return lk::tensor_call([&] { return T(a).view(lk::dims(shape, ndim)); });
}

LK_API lk_tensor lk_flatten(lk_tensor a, int64_t start_dim, int64_t end_dim) {
  return lk::tensor_call([&] { return at::flatten(T(a), start_dim, end_dim); });
}

LK_API lk_tensor lk_unsqueeze(lk_tensor a, int64_t dim) {
  return lk::tensor_call([&] { return at::unsqueeze(T(a), dim); });
}

LK_API lk_tensor lk_squeeze(lk_tensor a) {
  return lk::tensor_call([&] { return at::squeeze(T(a)); });
}

LK_API lk_tensor lk_squeeze_dim(lk_tensor a, int64_t dim) {
  return lk::tensor_call([&] { return at::squeeze(T(a), dim); });
}

LK_API lk_tensor lk_transpose(lk_tensor a, int64_t dim0, int64_t dim1) {
  return lk::tensor_call([&] { return at::transpose(T(a), dim0, dim1); });
}

LK_API lk_tensor lk_permute(lk_tensor a, const int64_t* dims, int32_t ndims) {
  return lk::tensor_call([&] { return at::permute(T(a), lk::dims(dims, ndims)); });
}

LK_API lk_tensor lk_contiguous(lk_tensor a) {
  return lk::tensor_call([&] { return T(a).contiguous(); });
}

LK_API lk_tensor lk_expand(lk_tensor a, const int64_t* shape, int32_t ndim) {
  return lk::tensor_call([&] { return T(a).expand(lk::dims(shape, ndim)); });
}

LK_API lk_tensor lk_repeat(lk_tensor a, const int64_t* repeats, int32_t ndim) {
  return lk::tensor_call([&] { return T(a).repeat(lk::dims(repeats, ndim)); });
}

namespace {
std::vector<at::Tensor> tensor_list(const lk_tensor* tensors, int32_t count) {
  if (count < 0) throw std::invalid_argument("a tensor count is negative");
  if (count > 0 && tensors == nullptr) throw std::invalid_argument("a tensor list is null");
  std::vector<at::Tensor> list;
  list.reserve(static_cast<size_t>(count));
  for (int32_t i = 0; i < count; ++i) list.push_back(T(tensors[i]));
  return list;
}
}  // namespace

LK_API lk_tensor lk_cat(const lk_tensor* tensors, int32_t count, int64_t dim) {
  return lk::tensor_call([&] { return at::cat(tensor_list(tensors, count), dim); });
}

LK_API lk_tensor lk_stack(const lk_tensor* tensors, int32_t count, int64_t dim) {
  return lk::tensor_call([&] { return at::stack(tensor_list(tensors, count), dim); });
}

LK_API lk_tensor lk_narrow(lk_tensor a, int64_t dim, int64_t start, int64_t length) {
  return lk::tensor_call([&] { return at::narrow(T(a), dim, start, length); });
}

LK_API lk_tensor lk_select(lk_tensor a, int64_t dim, int64_t index) {
  return lk::tensor_call([&] { return at::select(T(a), dim, index); });
}

namespace {
c10::optional<int64_t> bound(int64_t v) {
  if (v == LK_INDEX_NONE_VALUE) return c10::nullopt;
  return v;
}

std::vector<at::indexing::TensorIndex> index_list(const lk_index* indices, int32_t count) {
  using namespace at::indexing;
  if (count < 0) throw std::invalid_argument("an index count is negative");
  if (count > 0 && indices == nullptr) throw std::invalid_argument("an index list is null");
  std::vector<TensorIndex> list;
  list.reserve(static_cast<size_t>(count));
  for (int32_t i = 0; i < count; ++i) {
    const lk_index& ix = indices[i];
    switch (ix.kind) {
      case LK_INDEX_SINGLE: list.emplace_back(ix.start); break;
      case LK_INDEX_SLICE: list.emplace_back(Slice(bound(ix.start), bound(ix.stop), bound(ix.step))); break;
      case LK_INDEX_ELLIPSIS: list.emplace_back(Ellipsis); break;
      case LK_INDEX_NEWAXIS: list.emplace_back(None); break;
      case LK_INDEX_TENSOR: list.emplace_back(T(ix.tensor)); break;
      case LK_INDEX_BOOL: list.emplace_back(ix.start != 0); break;
      default: throw std::invalid_argument("unknown index kind " + std::to_string(ix.kind));
    }
  }
  return list;
}
}  // namespace

LK_API lk_tensor lk_index_get(lk_tensor a, const lk_index* indices, int32_t count) {
  return lk::tensor_call([&] { return T(a).index(index_list(indices, count)); });
}

LK_API lk_status lk_index_put_(lk_tensor a, const lk_index* indices, int32_t count, lk_tensor value) {
  return lk::status_call([&] { T(a).index_put_(index_list(indices, count), T(value)); });
}

LK_API lk_status lk_index_put_scalar_(lk_tensor a, const lk_index* indices, int32_t count, lk_scalar value) {
  return lk::status_call([&] { T(a).index_put_(index_list(indices, count), lk::scalar(value)); });
}

LK_API lk_tensor lk_index_select(lk_tensor a, int64_t dim, lk_tensor index) {
  return lk::tensor_call([&] { return at::index_select(T(a), dim, T(index)); });
}

LK_API lk_tensor lk_gather(lk_tensor a, int64_t dim, lk_tensor index) {
  return lk::tensor_call([&] { return at::gather(T(a), dim, T(index)); });
}

LK_API lk_tensor lk_scatter(lk_tensor a, int64_t dim, lk_tensor index, lk_tensor src) {
  return lk::tensor_call([&] { return at::scatter(T(a), dim, T(index), T(src)); });
}

LK_API lk_tensor lk_scatter_scalar(lk_tensor a, int64_t dim, lk_tensor index, lk_scalar value) {
  return lk::tensor_call([&] { return at::scatter(T(a), dim, T(index), lk::scalar(value)); });
}

LK_API lk_tensor lk_scatter_add(lk_tensor a, int64_t dim, lk_tensor index, lk_tensor src) {
  return lk::tensor_call([&] { return at::scatter_add(T(a), dim, T(index), T(src)); });
}

LK_API lk_tensor lk_one_hot(lk_tensor a, int64_t num_classes) {
  return lk::tensor_call([&] { return at::one_hot(T(a), num_classes); });
}

LK_API lk_tensor lk_masked_select(lk_tensor a, lk_tensor mask) {
  return lk::tensor_call([&] { return at::masked_select(T(a), T(mask)); });
}

LK_API lk_tensor lk_clone(lk_tensor a) {
  return lk::tensor_call([&] { return T(a).clone(); });
}

LK_API lk_tensor lk_detach(lk_tensor a) {
  return lk::tensor_call([&] { return T(a).detach(); });
}

LK_API lk_tensor lk_to(lk_tensor a, int32_t dtype, int32_t device_type, int32_t device_index, int32_t copy) {
  return lk::tensor_call([&] {
    const at::Tensor& x = T(a);
    at::ScalarType st = dtype == LK_DTYPE_DEFAULT ? x.scalar_type() : lk::dtype(dtype);
    at::Device dev = device_type < 0 ? x.device() : lk::device(device_type, device_index);
    return x.to(dev, st, /*non_blocking=*/false, copy != 0);
  });
}
