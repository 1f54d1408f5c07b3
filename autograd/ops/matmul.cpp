// Matrix products on OpenBLAS sgemm (over strata's pool): 2-d, and batched over leading axes (equal batch
// shapes, or one 2-d side shared by every batch entry).
#include <fmt/format.h>

#include "autograd/node.hpp"
#include "autograd/ops/gemm.hpp"
#include "strata/error.hpp"
#include "strata/ops.hpp"

namespace strata::ops {

using autograd::BackwardContext;

namespace {
struct Operand {
  const Tensor& t;
  bool transposed;
  bool batched() const { return t.rank() > 2; }
  std::size_t rows() const { return t.dim(transposed ? -1 : -2); }  // of op(t)
  std::size_t cols() const { return t.dim(transposed ? -2 : -1); }
  std::size_t matrix_size() const { return t.dim(-1) * t.dim(-2); }
  Shape batch_shape() const { return Shape(t.shape().begin(), t.shape().end() - 2); }
};

// c (m x n) = op(a) op(b) + beta * c for one matrix pair, single-threaded.
void gemm(const Operand& a, const float* pa, const Operand& b, const float* pb, float* c, float beta) {
  kernels::sgemm(a.transposed, b.transposed, a.rows(), b.cols(), a.cols(), pa, a.t.dim(-1), pb, b.t.dim(-1), beta, c,
                 b.cols());
}

// op(a) op(b) over the batch; when `sum_batches`, the batch is summed into one matrix
// (the gradient of a 2-d operand that was shared by every batch entry).
Tensor product(const Operand& a, const Operand& b, bool sum_batches) {
  const std::size_t m = a.rows(), n = b.cols();
  Shape batch = a.batched() ? a.batch_shape() : b.batch_shape();
  const std::size_t batches = shape_size(batch);
  if (!sum_batches && !a.batched() && !b.batched()) {
    Tensor out = Tensor::empty({m, n});
    kernels::parallel_sgemm(a.transposed, b.transposed, m, n, a.cols(), a.t.data(), b.t.data(), 0.0f, out.data());
    return out;
  }
  // A batched, untransposed left side times a shared right side is one tall GEMM.
  if (a.batched() && !a.transposed && !b.batched()) {
    Shape shape = batch;
    shape.push_back(m);
    shape.push_back(n);
    Tensor out = Tensor::empty(shape);
    kernels::parallel_sgemm(false, b.transposed, batches * m, n, a.cols(), a.t.data(), b.t.data(), 0.0f, out.data());
    return out;
  }
  Shape shape = sum_batches ? Shape{} : batch;
  shape.push_back(m);
  shape.push_back(n);
  Tensor out(shape);
  for (std::size_t i = 0; i < batches; ++i) {
    const float* pa = a.t.data() + (a.batched() ? i * a.matrix_size() : 0);
    const float* pb = b.t.data() + (b.batched() ? i * b.matrix_size() : 0);
    float* pc = out.data() + (sum_batches ? 0 : i * m * n);
    if (m * n != 0) gemm(a, pa, b, pb, pc, sum_batches ? 1.0f : 0.0f);
  }
  return out;
}
}  // namespace

Variable matmul(const Variable& a, const Variable& b, bool transpose_a, bool transpose_b) {
  if (a.rank() < 2 || b.rank() < 2)
    throw ShapeError(fmt::format("matmul: both operands need rank >= 2, got shapes {} and {}",
                                 shape_to_string(a.shape()), shape_to_string(b.shape())));
  const Operand oa{a.value(), transpose_a}, ob{b.value(), transpose_b};
  if (oa.cols() != ob.rows())
    throw ShapeError(fmt::format("matmul: inner dimensions do not match: {}{} x {}{} ({} vs {})",
                                 shape_to_string(a.shape()), transpose_a ? "^T" : "", shape_to_string(b.shape()),
                                 transpose_b ? "^T" : "", oa.cols(), ob.rows()));
  if (oa.batched() && ob.batched() && oa.batch_shape() != ob.batch_shape())
    throw ShapeError(fmt::format("matmul: batch shapes differ: {} and {}", shape_to_string(a.shape()),
                                 shape_to_string(b.shape())));
  Tensor out = product(oa, ob, false);
  return autograd::record("matmul", std::move(out), {a, b}, [a, b, transpose_a, transpose_b](BackwardContext& c) {
    // With C = A'B' (A' = op(A)): dA' = dC B'^T, dB' = A'^T dC; a transposed operand
    // takes the transpose of that, computed directly by swapping the factors.
    const Operand g{c.grad_output, false};
    const bool a_shared = a.rank() == 2, b_shared = b.rank() == 2;
    const bool batched = a.rank() > 2 || b.rank() > 2;
    if (c.needs(0)) {
      Tensor da = transpose_a ? product({b.value(), transpose_b}, {c.grad_output, true}, batched && a_shared)
                              : product(g, {b.value(), !transpose_b}, batched && a_shared);
      c.add(0, std::move(da).reshape(a.shape()));
    }
    if (c.needs(1)) {
      Tensor db = transpose_b ? product({c.grad_output, true}, {a.value(), transpose_a}, batched && b_shared)
                              : product({a.value(), !transpose_a}, g, batched && b_shared);
      c.add(1, std::move(db).reshape(b.shape()));
    }
  });
}

}  // namespace strata::ops
