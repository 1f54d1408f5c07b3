// conv2d's direct path for inputs with 1 to 4 channels (conv_direct.cpp): the same values
// and gradients as the im2col + sgemm path on the same inputs, finite-difference gradients
// through ops::conv2d, and sums that do not change from run to run.
#include <catch2/catch.hpp>

#include <array>
#include <string>
#include <vector>

#include "autograd/ops/conv_direct.hpp"
#include "support/conv_gradient_check.hpp"
#include "support/conv_kernel_paths.hpp"
#include "strata/gradient_check.hpp"
#include "strata/ops.hpp"
#include "strata/threads.hpp"
#include "support/tensor_helpers.hpp"

using strata::Shape;
using strata::Tensor;
using strata::Variable;
using strata::kernels::ConvGeometry;
using strata::ops::Padding;
using strata::testing::max_relative_diff;
using strata::testing::random_tensor;
using Window = strata::testing::ConvWindow;
using strata::testing::ConvKernels;
constexpr auto geometry = strata::testing::conv_geometry;

namespace {

// 3x3 'same' and 'valid' (a first layer), uneven strides and dilations, 1x1, a kernel
// larger than the image, and a 7x7 window that leaves no column free of padding.
const std::vector<Window> windows{
    {{3, 3}, {1, 1}, {1, 1}, Padding::same},  {{3, 3}, {1, 1}, {1, 1}, Padding::valid},
    {{2, 3}, {2, 1}, {1, 1}, Padding::same},  {{3, 3}, {1, 2}, {2, 2}, Padding::same},
    {{5, 5}, {2, 2}, {1, 1}, Padding::valid}, {{1, 1}, {1, 1}, {1, 1}, Padding::valid},
    {{1, 1}, {2, 3}, {1, 1}, Padding::same},  {{4, 4}, {1, 1}, {1, 1}, Padding::same},
    {{7, 7}, {3, 2}, {1, 2}, Padding::same},
};

const ConvKernels direct_kernels{strata::kernels::conv2d_direct_forward, strata::kernels::conv2d_direct_backward};

std::array<Tensor, 4> run_path(bool direct, const ConvGeometry& g, const Tensor& x, const Tensor& k, const Tensor& b,
                               const Tensor& dy) {
  return strata::testing::run_conv_kernels(direct ? direct_kernels : strata::testing::im2col_kernels, g, x, k, b, dy);
}

}  // namespace

TEST_CASE("conv2d's direct kernels give the im2col path's values and gradients for 1 to 4 channels",
          "[conv][direct]") {
  // Both paths sum the same float products in different orders: equal to 1e-5 of the
  // largest value (sums of at most a few hundred products of values in [-1, 1]).
  constexpr double tolerance = 1e-5;
  std::uint64_t seed = 300;
  const std::array<std::size_t, 7> filter_counts{1, 7, 16, 20, 32, 45, 64};
  for (std::size_t channels = 1; channels <= strata::kernels::direct_conv_max_channels; ++channels)
    for (std::size_t i = 0; i < windows.size(); ++i) {
      const Window& w = windows[i];
      const std::size_t filters = filter_counts[(channels + i) % filter_counts.size()];
      const std::size_t batch = 1 + (i + channels) % 3;
      const Shape xs{batch, 9, 11, channels}, ks{w.kernel[0], w.kernel[1], channels, filters};
      const ConvGeometry g = geometry(xs, w);  // the direct kernels take any window, used or not
      const Tensor x = random_tensor(xs, ++seed), k = random_tensor(ks, ++seed), b = random_tensor({filters}, ++seed);
      const Tensor dy = random_tensor({batch, g.height.windows, g.width.windows, filters}, ++seed);
      INFO("x " << strata::shape_to_string(xs) << ", kernel " << strata::shape_to_string(ks) << ", window " << i);
      const auto direct = run_path(true, g, x, k, b, dy), im2col = run_path(false, g, x, k, b, dy);
      CHECK(max_relative_diff(direct[0], im2col[0]) < tolerance);
      CHECK(max_relative_diff(direct[1], im2col[1]) < tolerance);
      CHECK(max_relative_diff(direct[2], im2col[2]) < tolerance);
      CHECK(max_relative_diff(direct[3], im2col[3]) < tolerance);
    }
}

TEST_CASE("conv2d's direct path has finite-difference gradients for every padding, stride and dilation",
          "[conv][direct]") {
  struct Case {
    Shape x;
    Window w;
    std::size_t filters;
  };
  // Batch 1 and odd sizes; 17 and 33 filters end in a partial tile of the filter lanes.
  const std::vector<Case> cases{
      {{1, 5, 7, 1}, {{3, 3}, {1, 1}, {1, 1}, Padding::same}, 17},
      {{2, 6, 5, 2}, {{3, 3}, {2, 2}, {1, 1}, Padding::valid}, 16},
      {{1, 7, 6, 3}, {{3, 3}, {1, 1}, {2, 2}, Padding::same}, 33},
      {{1, 5, 5, 4}, {{2, 3}, {1, 2}, {1, 1}, Padding::same}, 5},
      {{2, 4, 5, 3}, {{1, 1}, {2, 2}, {1, 1}, Padding::same}, 32},
      {{1, 3, 4, 2}, {{4, 4}, {1, 1}, {1, 1}, Padding::same}, 3},
  };
  std::uint64_t seed = 400;
  for (const Case& c : cases) {
    REQUIRE(strata::kernels::conv2d_direct_suits(geometry(c.x, c.w), c.filters));
    strata::testing::check_conv2d_gradients(
        c.x, {c.w.kernel[0], c.w.kernel[1], c.x[3], c.filters},
        {.strides = c.w.strides, .padding = c.w.padding, .dilation_rate = c.w.dilation}, seed);
  }
}

TEST_CASE("conv2d takes the direct path for first layers and im2col for wider windows", "[conv][direct]") {
  const Window w3{{3, 3}, {1, 1}, {1, 1}, Padding::same}, w5{{5, 5}, {1, 1}, {1, 1}, Padding::same};
  using strata::kernels::conv2d_direct_suits;
  CHECK(conv2d_direct_suits(geometry({8, 32, 32, 1}, w3), 32));
  CHECK(conv2d_direct_suits(geometry({8, 32, 32, 3}, w3), 64));
  CHECK(conv2d_direct_suits(geometry({8, 32, 32, 1}, w5), 16));
  CHECK_FALSE(conv2d_direct_suits(geometry({8, 32, 32, 4}, w3), 32));  // 36 window values
  CHECK_FALSE(conv2d_direct_suits(geometry({8, 32, 32, 2}, w5), 32));
  CHECK_FALSE(conv2d_direct_suits(geometry({8, 32, 32, 8}, w3), 32));
}

TEST_CASE("conv2d's direct backward pass gives the same bits from run to run", "[conv][direct]") {
  const Window w{{3, 3}, {1, 1}, {1, 1}, Padding::same};
  const Shape xs{5, 13, 10, 3};
  const ConvGeometry g = geometry(xs, w);
  const Tensor x = random_tensor(xs, 1), k = random_tensor({3, 3, 3, 32}, 2), b = random_tensor({32}, 3);
  const Tensor dy = random_tensor({5, 13, 10, 32}, 4);
  const auto first = run_path(true, g, x, k, b, dy), second = run_path(true, g, x, k, b, dy);
  for (std::size_t i = 0; i < first.size(); ++i) CHECK(first[i] == second[i]);
}
