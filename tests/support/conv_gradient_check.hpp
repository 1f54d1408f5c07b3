// Test helper shared by the conv2d tests: finite differences for ops::conv2d with a bias.
#pragma once

#include <catch2/catch.hpp>

#include <cstdint>

#include "strata/gradient_check.hpp"
#include "strata/ops.hpp"
#include "support/tensor_helpers.hpp"

namespace strata::testing {

// Checks the gradients of conv2d(x, kernel, bias, options) for x, kernel and bias, all
// random (seeds ++seed, three times), against central differences.
inline void check_conv2d_gradients(const Shape& x_shape, const Shape& kernel_shape, const ops::Conv2DOptions& options,
                                   std::uint64_t& seed) {
  const GradientCheckOptions tolerance{.epsilon = 1e-2f, .rtol = 2e-2f, .atol = 2e-2f};
  Variable x(random_tensor(x_shape, ++seed), "x"), k(random_tensor(kernel_shape, ++seed), "kernel");
  Variable b(random_tensor({kernel_shape[3]}, ++seed), "bias");
  INFO("x " << shape_to_string(x_shape) << ", kernel " << shape_to_string(kernel_shape));
  const auto result = check_gradients([&] { return ops::conv2d(x, k, b, options); }, {x, k, b}, tolerance);
  INFO(result.report);
  CHECK(result.ok);
  CHECK(result.checked == x.size() + k.size() + b.size());
}

}  // namespace strata::testing
