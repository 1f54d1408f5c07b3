// Internal: records a one-input element-wise op from its function and local derivative,
// shared by the unary ops and the activation ops.
#pragma once

#include "autograd/node.hpp"
#include "autograd/ops/kernels.hpp"

namespace strata::ops::detail {

// Records y = f(x) whose derivative is dydx(x, y), evaluated element-wise.
template <class F, class D>
Variable unary(const char* op, const Variable& x, F f, D dydx) {
  Tensor out = kernels::unary_map(x.value(), f);
  return autograd::record(op, std::move(out), {x}, [x, dydx](autograd::BackwardContext& c) {
    Tensor g = Tensor::empty(c.grad_output.shape());
    const float *pg = c.grad_output.data(), *px = x.value().data(), *py = c.output.data();
    float* o = g.data();
    parallel::for_ranges(g.size(), parallel::elementwise_grain, [&, pg, px, py, o](std::size_t begin, std::size_t end) {
      const D derivative = dydx;  // a local copy, see kernels::unary_map
      for (std::size_t i = begin; i < end; ++i) o[i] = pg[i] * derivative(px[i], py[i]);
    });
    c.add(0, std::move(g));
  });
}

}  // namespace strata::ops::detail
