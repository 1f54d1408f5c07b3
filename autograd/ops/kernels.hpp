// Internal Tensor-level helpers shared by the op files: broadcasting walks, element-wise
// maps, accumulation and reduction back to an input's shape. Backward closures use these
// (plain Tensors), so backward passes are never recorded.
#pragma once

#include <array>
#include <cstddef>
#include <vector>

#include "autograd/parallel/parallel.hpp"
#include "strata/tensor.hpp"

namespace strata::kernels {

// acc += x (same shape).
void add_into(Tensor& acc, const Tensor& x);

// numpy's broadcast of two shapes; ShapeError naming op otherwise.
Shape broadcast_shape(const Shape& a, const Shape& b, const char* op);
// Strides (in elements) that read `in` while walking `out` (0 along broadcast axes).
std::vector<std::size_t> broadcast_strides(const Shape& in, const Shape& out);

// Calls f(out_flat, offsets) for every element of `out`, in row-major order, where
// offsets[k] is the matching flat index into operand k.
template <std::size_t N, class F>
void for_each_broadcast(const Shape& out, const std::array<std::vector<std::size_t>, N>& strides, F&& f) {
  const std::size_t total = shape_size(out);
  if (total == 0) return;
  const std::size_t rank = out.size();
  if (rank == 0) {
    f(std::size_t{0}, std::array<std::size_t, N>{});
    return;
  }
  const std::size_t inner = out[rank - 1];
  std::array<std::size_t, N> inner_stride{}, base{};
  for (std::size_t k = 0; k < N; ++k) inner_stride[k] = strides[k][rank - 1];
  std::vector<std::size_t> index(rank - 1, 0);
  for (std::size_t o = 0; o < total; o += inner) {
    std::array<std::size_t, N> off = base;
    for (std::size_t j = 0; j < inner; ++j) {
      f(o + j, off);
      for (std::size_t k = 0; k < N; ++k) off[k] += inner_stride[k];
    }
    for (std::size_t d = rank - 1; d-- > 0;) {
      ++index[d];
      for (std::size_t k = 0; k < N; ++k) base[k] += strides[k][d];
      if (index[d] < out[d]) break;
      for (std::size_t k = 0; k < N; ++k) base[k] -= strides[k][d] * out[d];
      index[d] = 0;
    }
  }
}

template <class F>
Tensor unary_map(const Tensor& x, F f) {
  Tensor out = Tensor::empty(x.shape());
  const float* in = x.data();
  float* o = out.data();
  parallel::for_ranges(x.size(), parallel::elementwise_grain, [&, in, o](std::size_t begin, std::size_t end) {
    const F fn = f;  // a local copy: stores to o cannot touch its captures, so the loop vectorizes
    for (std::size_t i = begin; i < end; ++i) o[i] = fn(in[i]);
  });
  return out;
}

// out[i] = f(a[i], b[i]) over the broadcast shape, with fast paths for equal shapes and scalars.
template <class F>
Tensor binary_map(const Tensor& a, const Tensor& b, const char* op, F f) {
  if (a.shape() == b.shape()) {
    Tensor out = Tensor::empty(a.shape());
    const float *pa = a.data(), *pb = b.data();
    float* o = out.data();
    parallel::for_ranges(a.size(), parallel::elementwise_grain, [&, pa, pb, o](std::size_t begin, std::size_t end) {
      const F fn = f;  // see unary_map
      for (std::size_t i = begin; i < end; ++i) o[i] = fn(pa[i], pb[i]);
    });
    return out;
  }
  Shape shape = broadcast_shape(a.shape(), b.shape(), op);
  Tensor out = Tensor::empty(shape);
  float* o = out.data();
  const float *pa = a.data(), *pb = b.data();
  if (b.size() == 1 && a.size() == out.size()) {
    const float vb = pb[0];
    for (std::size_t i = 0, n = out.size(); i < n; ++i) o[i] = f(pa[i], vb);
  } else if (a.size() == 1 && b.size() == out.size()) {
    const float va = pa[0];
    for (std::size_t i = 0, n = out.size(); i < n; ++i) o[i] = f(va, pb[i]);
  } else {
    for_each_broadcast<2>(shape, {broadcast_strides(a.shape(), shape), broadcast_strides(b.shape(), shape)},
                          [&](std::size_t i, const std::array<std::size_t, 2>& off) { o[i] = f(pa[off[0]], pb[off[1]]); });
  }
  return out;
}

// Sums g over the axes along which `shape` was broadcast to g's shape.
Tensor sum_to_shape(Tensor g, const Shape& shape);

// Sum / max over a set of axes (flags per axis), keeping reduced axes as size 1.
Tensor reduce_sum_keepdims(const Tensor& x, const std::vector<bool>& reduce_axis);
Tensor reduce_max_keepdims(const Tensor& x, const std::vector<bool>& reduce_axis);

// A tensor seen as (outer, n, inner) around `axis`: element (o, j, i) sits at
// (o * n + j) * inner + i, so a row along the axis starts at o * n * inner + i, stride inner.
struct Rows {
  std::size_t outer = 1, n = 1, inner = 1;
  Rows(const Shape& shape, std::size_t axis) {
    for (std::size_t i = 0; i < axis; ++i) outer *= shape[i];
    n = shape[axis];
    for (std::size_t i = axis + 1; i < shape.size(); ++i) inner *= shape[i];
  }
  std::size_t count() const { return outer * inner; }
  // Where row `row` (0 <= row < count()) starts.
  std::size_t base(std::size_t row) const { return (row / inner) * n * inner + row % inner; }
  template <class F>
  void for_each_row(F f) const {  // f(base offset, stride)
    for (std::size_t o = 0; o < outer; ++o)
      for (std::size_t i = 0; i < inner; ++i) f(o * n * inner + i, inner);
  }
};

}  // namespace strata::kernels
