// conv2d_max_pool2d (autograd/ops/conv_pool.cpp): the values and gradients of max_pool2d
// on conv2d's output, on each kernel path, with and without a fused activation, for pools
// that tile the output, leave cells out or clip at a 'same' edge, over one block of images
// and several; finite-difference gradients; overlapping pools taking the two ops.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "strata/gradient_check.hpp"
#include "strata/gradient_tape.hpp"
#include "strata/ops.hpp"
#include "support/tensor_helpers.hpp"

using strata::GradientTape;
using strata::Shape;
using strata::Tensor;
using strata::Variable;
using strata::ops::Conv2DOptions;
using strata::ops::FusedActivation;
using strata::ops::Padding;
using strata::ops::Pool2DOptions;
using strata::testing::max_relative_diff;
using strata::testing::random_tensor;

namespace {

struct Case {
  const char* name;
  Shape x, kernel;
  Conv2DOptions conv;
  Pool2DOptions pool;
};

std::vector<Case> cases() {
  const Pool2DOptions pool2{};  // 2x2, strides 2, 'valid'
  return {
      // The seed CNN's first block: the direct path, 26x26 pooled to 13x13 exactly; 13
      // images make two blocks of images.
      {"direct, 2x2 pool", {13, 28, 28, 1}, {3, 3, 1, 16}, {}, pool2},
      {"direct, one image", {1, 28, 28, 1}, {3, 3, 1, 32}, {}, pool2},
      // The second block: Winograd, 11x11 pooled to 5x5 (the last row and column in no window).
      {"winograd, odd output", {6, 13, 13, 16}, {3, 3, 16, 32}, {}, pool2},
      {"winograd, 'same' pool clipped at the edge", {3, 9, 9, 8}, {3, 3, 8, 24}, {.padding = Padding::same},
       {.pool_size = {2, 2}, .strides = {2, 2}, .padding = Padding::same}},
      // im2col (a 5x5 kernel), a pool with gaps between windows.
      {"im2col, gapped pool", {4, 12, 11, 5}, {5, 5, 5, 12}, {}, {.pool_size = {2, 2}, .strides = {3, 3}}},
  };
}

std::vector<FusedActivation> activations() {
  return {FusedActivation{}, *strata::ops::fused_leaky_relu(0.01f), *strata::ops::fused_relu()};
}

Variable reference(const Case& c, const FusedActivation& a, const Variable& x, const Variable& k, const Variable& b) {
  Conv2DOptions conv = c.conv;
  conv.activation = a;
  return strata::ops::max_pool2d(strata::ops::conv2d(x, k, b, conv), c.pool);
}

}  // namespace

TEST_CASE("conv2d_max_pool2d gives max_pool2d of conv2d's values and gradients", "[conv][pool][conv_pool]") {
  // Each block of images runs the same kernels as the whole batch, so the values agree to
  // rounding (im2col's sgemm may block a shorter product differently); the kernel and bias
  // gradients are summed block by block instead of thread by thread.
  constexpr double tolerance = 1e-5;
  std::uint64_t seed = 1200;
  for (const Case& c : cases())
    for (const FusedActivation& a : activations()) {
      INFO(c.name << ", activation kind " << static_cast<int>(a.kind));
      Variable x(random_tensor(c.x, ++seed), "x"), k(random_tensor(c.kernel, ++seed), "kernel");
      Variable b(random_tensor({c.kernel[3]}, ++seed), "bias");
      GradientTape separate_tape;
      const Variable separate = reference(c, a, x, k, b);
      Conv2DOptions conv = c.conv;
      conv.activation = a;
      GradientTape fused_tape;
      const Variable fused = strata::ops::conv2d_max_pool2d(x, k, b, conv, c.pool);
      REQUIRE(fused.shape() == separate.shape());
      CHECK(max_relative_diff(fused.value(), separate.value()) < tolerance);
      const Tensor dy = random_tensor(fused.shape(), ++seed);
      const auto expected = separate_tape.gradient(separate, {x, k, b}, dy);
      const auto got = fused_tape.gradient(fused, {x, k, b}, dy);
      for (std::size_t i = 0; i < got.size(); ++i) {
        INFO("gradient " << i);
        CHECK(max_relative_diff(got[i], expected[i]) < tolerance);
      }
    }
}

TEST_CASE("conv2d_max_pool2d without a bias, and outside a tape, gives the two ops' values", "[conv][pool][conv_pool]") {
  const Variable x = strata::constant(random_tensor({5, 28, 28, 1}, 1301));
  const Variable k = strata::constant(random_tensor({3, 3, 1, 32}, 1302));
  const Conv2DOptions conv{.activation = *strata::ops::fused_leaky_relu(0.01f)};
  const Tensor fused = strata::ops::conv2d_max_pool2d(x, k, conv, {}).value();
  // The direct path computes each output row alike whatever the batch: the same bits.
  CHECK(fused == strata::ops::max_pool2d(strata::ops::conv2d(x, k, conv)).value());
}

TEST_CASE("conv2d_max_pool2d takes the two ops for overlapping pools", "[conv][pool][conv_pool]") {
  Variable x(random_tensor({2, 9, 9, 3}, 1401), "x"), k(random_tensor({3, 3, 3, 8}, 1402), "kernel");
  const Pool2DOptions overlapping{.pool_size = {3, 3}, .strides = {1, 1}};
  GradientTape tape;
  const Variable y = strata::ops::conv2d_max_pool2d(x, k, {}, overlapping);
  CHECK(y.value() == strata::ops::max_pool2d(strata::ops::conv2d(x, k), overlapping).value());
  const Tensor dy = random_tensor(y.shape(), 1403);
  const auto grads = tape.gradient(y, {x, k}, dy);
  GradientTape reference_tape;
  const Variable z = strata::ops::max_pool2d(strata::ops::conv2d(x, k), overlapping);
  const auto expected = reference_tape.gradient(z, {x, k}, dy);
  CHECK(grads[0] == expected[0]);
  CHECK(grads[1] == expected[1]);
}

TEST_CASE("conv2d_max_pool2d has finite-difference gradients", "[conv][pool][conv_pool]") {
  // A difference must not move a window's maximum to another cell, nor cross the
  // activation's kink: a 1x1 kernel of one sign over inputs 0.1 apart keeps every window's
  // order, and a bias of the same sign keeps the outputs' sign. (The test above ties every
  // path's gradients to those of conv2d and max_pool2d, each checked this way on its own.)
  const strata::GradientCheckOptions tolerance{.epsilon = 1e-2f, .rtol = 2e-2f, .atol = 2e-2f};
  for (const float sign : {1.0f, -1.0f}) {
    INFO((sign > 0 ? "positive outputs" : "negative outputs"));
    Tensor values = Tensor::empty({2, 7, 6, 1});
    for (std::size_t i = 0; i < values.size(); ++i) values[i] = 0.1f * static_cast<float>((i * 37) % values.size()) + 0.1f;
    Variable x(values, "x"), k(Tensor({1, 1, 1, 3}, {0.5f * sign, 1.5f * sign, 1.0f * sign}), "kernel");
    Variable b(Tensor({3}, {0.2f * sign, 0.1f * sign, 0.3f * sign}), "bias");
    const Conv2DOptions conv{.activation = *strata::ops::fused_leaky_relu(0.1f)};
    const Pool2DOptions pool{.pool_size = {2, 2}, .strides = {2, 2}, .padding = Padding::same};
    const auto result = strata::check_gradients([&] { return strata::ops::conv2d_max_pool2d(x, k, b, conv, pool); },
                                                {x, k, b}, tolerance);
    INFO(result.report);
    CHECK(result.ok);
    CHECK(result.checked == x.size() + k.size() + b.size());
  }
}

TEST_CASE("conv2d_max_pool2d on an empty batch gives an empty output and zero gradients", "[conv][pool][conv_pool]") {
  Variable x(Tensor({0, 28, 28, 1}), "x"), k(random_tensor({3, 3, 1, 8}, 1601), "kernel");
  Variable b(random_tensor({8}, 1602), "bias");
  GradientTape tape;
  const Variable y = strata::ops::conv2d_max_pool2d(x, k, b, {}, {});
  CHECK(y.shape() == Shape{0, 13, 13, 8});
  const auto grads = tape.gradient(y, {x, k, b}, Tensor(y.shape()));
  CHECK(grads[0].shape() == x.shape());
  CHECK(grads[1] == Tensor(k.shape()));
  CHECK(grads[2] == Tensor({8}));
}
