// softmax and log_softmax along any axis, stable by subtracting the max of each row.
#include <cmath>
#include <limits>

#include "autograd/node.hpp"
#include "autograd/ops/kernels.hpp"
#include "strata/ops.hpp"

namespace strata::ops {

using autograd::BackwardContext;

namespace {
using kernels::Rows;

// Writes log-softmax (log_space) or softmax of each row of x into out.
Tensor softmax_rows(const Tensor& x, const Rows& rows, bool log_space) {
  Tensor out = Tensor::empty(x.shape());
  const float* px = x.data();
  float* po = out.data();
  rows.for_each_row([&](std::size_t base, std::size_t stride) {
    float m = -std::numeric_limits<float>::infinity();
    for (std::size_t j = 0; j < rows.n; ++j) m = std::max(m, px[base + j * stride]);
    double total = 0.0;
    for (std::size_t j = 0; j < rows.n; ++j) {
      const float e = std::exp(px[base + j * stride] - m);
      total += e;
      if (!log_space) po[base + j * stride] = e;
    }
    if (log_space) {
      const float shift = m + static_cast<float>(std::log(total));
      for (std::size_t j = 0; j < rows.n; ++j) po[base + j * stride] = px[base + j * stride] - shift;
    } else {
      const float inv = static_cast<float>(1.0 / total);
      for (std::size_t j = 0; j < rows.n; ++j) po[base + j * stride] *= inv;
    }
  });
  return out;
}
}  // namespace

Variable softmax(const Variable& x, int axis) {
  const std::size_t a = normalize_axis(axis, x.rank());
  const Rows rows(x.shape(), a);
  Variable out = autograd::record("softmax", softmax_rows(x.value(), rows, false), {x}, [rows](BackwardContext& c) {
    // dx = y * (g - sum(g * y)) along the axis
    Tensor dx = Tensor::empty(c.output.shape());
    const float *py = c.output.data(), *pg = c.grad_output.data();
    float* pd = dx.data();
    rows.for_each_row([&](std::size_t base, std::size_t stride) {
      float dot = 0.0f;
      for (std::size_t j = 0; j < rows.n; ++j) dot += pg[base + j * stride] * py[base + j * stride];
      for (std::size_t j = 0; j < rows.n; ++j) {
        const std::size_t k = base + j * stride;
        pd[k] = py[k] * (pg[k] - dot);
      }
    });
    c.add(0, std::move(dx));
  });
  if (a + 1 == x.rank()) {  // what crossentropy's logits trick recognises (node.hpp)
    out.node()->logits = x.node();
    out.node()->logits_of = "softmax";
  }
  return out;
}

Variable log_softmax(const Variable& x, int axis) {
  const Rows rows(x.shape(), normalize_axis(axis, x.rank()));
  return autograd::record("log_softmax", softmax_rows(x.value(), rows, true), {x}, [rows](BackwardContext& c) {
    // dx = g - softmax * sum(g) along the axis, softmax = exp(output)
    Tensor dx = Tensor::empty(c.output.shape());
    const float *py = c.output.data(), *pg = c.grad_output.data();
    float* pd = dx.data();
    rows.for_each_row([&](std::size_t base, std::size_t stride) {
      float total = 0.0f;
      for (std::size_t j = 0; j < rows.n; ++j) total += pg[base + j * stride];
      for (std::size_t j = 0; j < rows.n; ++j) {
        const std::size_t k = base + j * stride;
        pd[k] = pg[k] - std::exp(py[k]) * total;
      }
    });
    c.add(0, std::move(dx));
  });
}

}  // namespace strata::ops
