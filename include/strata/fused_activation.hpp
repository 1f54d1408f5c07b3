// strata::ops::FusedActivation: an activation that conv2d applies to its output as it
// stores it, with the activation's gradient folded into conv2d's backward pass. Values and
// gradients are those of calling ops::relu / ops::leaky_relu on conv2d's result, without
// their two passes over memory. Sequential uses it to run a Conv2D and the ReLU or
// LeakyReLU layer after it as one op.
#pragma once

#include <cmath>
#include <optional>

namespace strata::ops {

struct FusedActivation {
  enum class Kind { linear, relu, leaky_relu };
  Kind kind = Kind::linear;
  float alpha = 0.0f;  // leaky_relu's slope below zero

  bool is_linear() const { return kind == Kind::linear; }
  bool operator==(const FusedActivation&) const = default;
};

// ops::leaky_relu(x, alpha), when it can be fused: the backward pass reads the slope off
// the sign of the activated output, which is the input's sign only for a slope >= 0.
inline std::optional<FusedActivation> fused_leaky_relu(float alpha) {
  if (!std::isfinite(alpha) || alpha < 0.0f) return std::nullopt;
  return FusedActivation{FusedActivation::Kind::leaky_relu, alpha};
}

// ops::relu(x, negative_slope, max_value, threshold), when it can be fused: a plain relu,
// or a leaky_relu (no max_value, threshold 0).
inline std::optional<FusedActivation> fused_relu(float negative_slope = 0.0f,
                                                 std::optional<float> max_value = std::nullopt,
                                                 float threshold = 0.0f) {
  if (max_value || threshold != 0.0f) return std::nullopt;
  if (negative_slope == 0.0f) return FusedActivation{FusedActivation::Kind::relu, 0.0f};
  return fused_leaky_relu(negative_slope);
}

}  // namespace strata::ops
