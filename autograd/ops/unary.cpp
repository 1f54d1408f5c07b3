// One-input element-wise ops; each backward multiplies the incoming gradient by the
// local derivative, computed from the saved input or output.
#include <cmath>

#include "autograd/node.hpp"
#include "autograd/ops/kernels.hpp"
#include "autograd/ops/unary_op.hpp"
#include "strata/error.hpp"
#include "strata/ops.hpp"

#include <fmt/format.h>

namespace strata::ops {

using autograd::BackwardContext;
using kernels::binary_map;
using kernels::unary_map;

Variable neg(const Variable& x) {
  return detail::unary("neg", x, [](float v) { return -v; }, [](float, float) { return -1.0f; });
}

Variable exp(const Variable& x) {
  return detail::unary("exp", x, [](float v) { return std::exp(v); }, [](float, float y) { return y; });
}

Variable log(const Variable& x) {
  return detail::unary("log", x, [](float v) { return std::log(v); }, [](float v, float) { return 1.0f / v; });
}

Variable sqrt(const Variable& x) {
  return detail::unary("sqrt", x, [](float v) { return std::sqrt(v); }, [](float, float y) { return 0.5f / y; });
}

Variable square(const Variable& x) {
  return detail::unary("square", x, [](float v) { return v * v; }, [](float v, float) { return 2.0f * v; });
}

Variable abs(const Variable& x) {
  return detail::unary(
      "abs", x, [](float v) { return std::fabs(v); },
      [](float v, float) { return v > 0.0f ? 1.0f : (v < 0.0f ? -1.0f : 0.0f); });
}

Variable tanh(const Variable& x) {
  return detail::unary("tanh", x, [](float v) { return std::tanh(v); }, [](float, float y) { return 1.0f - y * y; });
}

Variable sigmoid(const Variable& x) {
  // Two branches keep exp() from overflowing for large |v|.
  Variable out = detail::unary(
      "sigmoid", x,
      [](float v) {
        if (v >= 0.0f) return 1.0f / (1.0f + std::exp(-v));
        const float e = std::exp(v);
        return e / (1.0f + e);
      },
      [](float, float y) { return y * (1.0f - y); });
  out.node()->logits = x.node();  // for binary crossentropy's logits trick (node.hpp)
  out.node()->logits_of = "sigmoid";
  return out;
}

Variable clip(const Variable& x, float low, float high) {
  if (!(low <= high)) throw ValueError(fmt::format("clip: low ({}) must not exceed high ({})", low, high));
  return detail::unary(
      "clip", x, [low, high](float v) { return v < low ? low : (v > high ? high : v); },
      [low, high](float v, float) { return v >= low && v <= high ? 1.0f : 0.0f; });
}

}  // namespace strata::ops
