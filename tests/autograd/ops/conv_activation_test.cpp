// conv2d with a fused activation (strata/fused_ops.hpp): each kernel path gives the
// bits of the plain convolution followed by the activation, forward and backward; through
// ops::conv2d, the values and gradients of ops::relu / ops::leaky_relu on conv2d's result,
// and finite-difference gradients.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "autograd/ops/conv_direct.hpp"
#include "autograd/ops/conv_winograd.hpp"
#include "strata/gradient_check.hpp"
#include "strata/gradient_tape.hpp"
#include "strata/ops.hpp"
#include "support/conv_kernel_paths.hpp"
#include "support/tensor_helpers.hpp"

using strata::GradientTape;
using strata::Shape;
using strata::Tensor;
using strata::Variable;
using strata::kernels::ConvGeometry;
using strata::ops::FusedActivation;
using strata::ops::Padding;
using strata::testing::ConvKernels;
using strata::testing::ConvWindow;
using strata::testing::conv_geometry;
using strata::testing::random_tensor;
using strata::testing::run_conv_kernels;

namespace {

struct Path {
  const char* name;
  ConvKernels kernels;
  Shape x;
  ConvWindow window;
  std::size_t filters;
};

const ConvWindow same3{{3, 3}, {1, 1}, {1, 1}, Padding::same};

// One shape per kernel path (the seed CNN's first and second layers, and a strided conv).
std::vector<Path> paths() {
  return {
      {"direct", {strata::kernels::conv2d_direct_forward, strata::kernels::conv2d_direct_backward}, {3, 10, 9, 1},
       {{3, 3}, {1, 1}, {1, 1}, Padding::valid}, 32},
      {"winograd", {strata::kernels::conv2d_winograd_forward, strata::kernels::conv2d_winograd_backward},
       {2, 13, 11, 16}, same3, 24},
      {"im2col", strata::testing::im2col_kernels, {2, 9, 9, 6}, {{3, 3}, {2, 2}, {1, 1}, Padding::same}, 20},
  };
}

std::vector<FusedActivation> activations() {
  return {*strata::ops::fused_relu(), *strata::ops::fused_leaky_relu(0.01f), *strata::ops::fused_leaky_relu(0.3f),
          *strata::ops::fused_leaky_relu(0.0f)};
}

std::string describe(const FusedActivation& a) {
  return a.kind == FusedActivation::Kind::relu ? "relu" : "leaky_relu " + std::to_string(a.alpha);
}

// The activation and its slope, written out independently of the kernels' helpers.
float activate(const FusedActivation& a, float v) {
  if (a.kind == FusedActivation::Kind::relu) return v < 0.0f ? 0.0f : v;
  return v > 0.0f ? v : v * a.alpha;
}
float slope(const FusedActivation& a, float v) {
  if (v > 0.0f) return 1.0f;
  return a.kind == FusedActivation::Kind::relu ? 0.0f : a.alpha;
}

Variable apply_op(const FusedActivation& a, const Variable& z) {
  return a.kind == FusedActivation::Kind::relu ? strata::ops::relu(z) : strata::ops::leaky_relu(z, a.alpha);
}

}  // namespace

TEST_CASE("conv2d's kernels with a fused activation give the bits of the convolution then the activation",
          "[conv][fused_activation]") {
  std::uint64_t seed = 900;
  for (const Path& path : paths())
    for (const FusedActivation& a : activations()) {
      INFO(path.name << ", " << describe(a));
      const ConvGeometry g = conv_geometry(path.x, path.window);
      const Shape ks{path.window.kernel[0], path.window.kernel[1], path.x[3], path.filters};
      const Tensor x = random_tensor(path.x, ++seed), k = random_tensor(ks, ++seed);
      const Tensor b = random_tensor({path.filters}, ++seed);
      const Tensor dy = random_tensor({g.batch, g.height.windows, g.width.windows, path.filters}, ++seed);
      // The plain convolution's output z, then dz = dy times the activation's slope at z.
      Tensor z = Tensor::empty(dy.shape());
      path.kernels.forward(g, x.data(), k.data(), b.data(), path.filters, {}, z.data());
      Tensor expected_y = Tensor::empty(z.shape()), dz = Tensor::empty(z.shape());
      std::size_t negatives = 0;
      for (std::size_t i = 0; i < z.size(); ++i) {
        expected_y[i] = activate(a, z[i]);
        dz[i] = dy[i] * slope(a, z[i]);
        negatives += z[i] < 0.0f;
      }
      REQUIRE(negatives > z.size() / 4);  // both sides of the kink are exercised
      REQUIRE(negatives < 3 * z.size() / 4);
      const auto plain = run_conv_kernels(path.kernels, g, x, k, b, dz);
      const auto fused = run_conv_kernels(path.kernels, g, x, k, b, dy, a);
      CHECK(fused[0] == expected_y);
      CHECK(fused[1] == plain[1]);  // dx
      CHECK(fused[2] == plain[2]);  // dk
      CHECK(fused[3] == plain[3]);  // db
    }
}

TEST_CASE("ops::conv2d with a fused activation matches relu and leaky_relu on its result",
          "[conv][fused_activation]") {
  std::uint64_t seed = 950;
  for (const Path& path : paths())
    for (const FusedActivation& a : activations()) {
      INFO(path.name << ", " << describe(a));
      const Shape ks{path.window.kernel[0], path.window.kernel[1], path.x[3], path.filters};
      Variable x(random_tensor(path.x, ++seed), "x"), k(random_tensor(ks, ++seed), "kernel");
      Variable b(random_tensor({path.filters}, ++seed), "bias");
      strata::ops::Conv2DOptions options{.strides = path.window.strides, .padding = path.window.padding};
      GradientTape separate_tape;
      const Variable separate = apply_op(a, strata::ops::conv2d(x, k, b, options));
      options.activation = a;
      GradientTape fused_tape;
      const Variable fused = strata::ops::conv2d(x, k, b, options);
      CHECK(fused.value() == separate.value());
      const Tensor dy = random_tensor(fused.shape(), ++seed);
      const auto expected = separate_tape.gradient(separate, {x, k, b}, dy);
      const auto got = fused_tape.gradient(fused, {x, k, b}, dy);
      for (std::size_t i = 0; i < got.size(); ++i) {
        INFO("gradient " << i);
        CHECK(got[i] == expected[i]);
      }
    }
}

TEST_CASE("ops::conv2d with a fused activation has finite-difference gradients", "[conv][fused_activation]") {
  // A difference across the kink mixes both slopes, so each check keeps every output on
  // one side: positive inputs, and a kernel and bias all of one sign, for each sign.
  const strata::GradientCheckOptions tolerance{.epsilon = 1e-2f, .rtol = 2e-2f, .atol = 2e-2f};
  std::uint64_t seed = 990;
  for (const Path& path : paths())
    for (const float sign : {1.0f, -1.0f}) {
      INFO(path.name << (sign > 0 ? ", positive outputs" : ", negative outputs"));
      Shape xs = path.x;
      xs[0] = 1;  // one image keeps the check quick
      const Shape ks{path.window.kernel[0], path.window.kernel[1], xs[3], path.filters};
      const float low = sign > 0 ? 0.1f : -1.0f, high = sign > 0 ? 1.0f : -0.1f;
      Variable x(random_tensor(xs, ++seed, 0.1f, 1.0f), "x"), k(random_tensor(ks, ++seed, low, high), "kernel");
      Variable b(random_tensor({path.filters}, ++seed, low, high), "bias");
      const strata::ops::Conv2DOptions options{.strides = path.window.strides,
                                               .padding = path.window.padding,
                                               .activation = *strata::ops::fused_leaky_relu(0.1f)};
      const auto result = strata::check_gradients([&] { return strata::ops::conv2d(x, k, b, options); }, {x, k, b},
                                                  tolerance);
      INFO(result.report);
      CHECK(result.ok);
      CHECK(result.checked == x.size() + k.size() + b.size());
    }
}
