// What an op may take in after its own computation, and the small option types that
// describe it (kept here, out of ops.hpp, for layer.hpp): ops::FusedActivation, an
// activation that conv2d applies to its output as it stores it, with the activation's
// gradient folded into conv2d's backward pass (the values and gradients of calling
// ops::relu / ops::leaky_relu on conv2d's result, without their two passes over memory),
// and the pooling options that conv2d_max_pool2d takes in. Sequential uses them to run a
// Conv2D, the ReLU or LeakyReLU layer after it and a MaxPooling2D as one op.
#pragma once

#include <array>
#include <cmath>
#include <cstddef>
#include <optional>

namespace strata::ops {

enum class Padding { valid, same };

struct Pool2DOptions {
  std::array<std::size_t, 2> pool_size{2, 2};
  std::array<std::size_t, 2> strides{0, 0};  // 0 = pool_size, as Keras's strides=None
  Padding padding = Padding::valid;
  bool operator==(const Pool2DOptions&) const = default;
};

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
