// conv2d's Winograd path for 3x3 kernels at stride 1 (conv_winograd.cpp): the im2col
// path's values and gradients on the same inputs for every way a 4x4 tile can meet the
// output's edge, finite-difference gradients through ops::conv2d, which shapes take it,
// and sums that do not change from run to run.
#include <catch2/catch.hpp>

#include <array>
#include <vector>

#include "autograd/ops/conv_winograd.hpp"
#include "strata/ops.hpp"
#include "support/conv_gradient_check.hpp"
#include "support/conv_kernel_paths.hpp"
#include "support/tensor_helpers.hpp"

using strata::Shape;
using strata::Tensor;
using strata::kernels::ConvGeometry;
using strata::ops::Padding;
using strata::testing::ConvKernels;
using strata::testing::ConvWindow;
using strata::testing::conv_geometry;
using strata::testing::max_relative_diff;
using strata::testing::random_tensor;
using strata::testing::run_conv_kernels;

namespace {

const ConvKernels winograd_kernels{strata::kernels::conv2d_winograd_forward,
                                   strata::kernels::conv2d_winograd_backward};
const ConvWindow same{{3, 3}, {1, 1}, {1, 1}, Padding::same}, valid{{3, 3}, {1, 1}, {1, 1}, Padding::valid};

}  // namespace

TEST_CASE("conv2d's Winograd kernels give the im2col path's values and gradients", "[conv][winograd]") {
  // F(4x4, 3x3) adds and scales by up to 8 and 1/24 around the products, so it rounds
  // more than a plain dot product: equal to 2e-5 of the largest value (these 96 cases
  // differ by at most 5.1e-6).
  constexpr double tolerance = 2e-5;
  std::uint64_t seed = 500;
  const std::array<std::size_t, 5> channel_counts{8, 13, 16, 32, 40};
  const std::array<std::size_t, 4> filter_counts{8, 17, 32, 64};
  std::size_t i = 0;
  // Output sides from 3 to 14: whole tiles, and tiles hanging 1, 2 or 3 past the edge.
  for (std::size_t height = 5; height <= 14; height += 3)
    for (std::size_t width = 3; width <= 14; ++width)
      for (const ConvWindow& w : {same, valid}) {
        ++i;
        const std::size_t channels = channel_counts[i % channel_counts.size()];
        const std::size_t filters = filter_counts[(i / 2) % filter_counts.size()];
        const std::size_t batch = 1 + i % 3;
        const Shape xs{batch, height, width + (w.padding == Padding::valid ? 2 : 0), channels};
        const Shape ks{3, 3, channels, filters};
        const ConvGeometry g = conv_geometry(xs, w);
        const Tensor x = random_tensor(xs, ++seed), k = random_tensor(ks, ++seed), b = random_tensor({filters}, ++seed);
        const Tensor dy = random_tensor({batch, g.height.windows, g.width.windows, filters}, ++seed);
        INFO("x " << strata::shape_to_string(xs) << ", kernel " << strata::shape_to_string(ks) << ", "
                  << (w.padding == Padding::same ? "same" : "valid"));
        const auto winograd = run_conv_kernels(winograd_kernels, g, x, k, b, dy);
        const auto im2col = run_conv_kernels(strata::testing::im2col_kernels, g, x, k, b, dy);
        CHECK(max_relative_diff(winograd[0], im2col[0]) < tolerance);
        CHECK(max_relative_diff(winograd[1], im2col[1]) < tolerance);
        CHECK(max_relative_diff(winograd[2], im2col[2]) < tolerance);
        CHECK(max_relative_diff(winograd[3], im2col[3]) < tolerance);
      }
}

TEST_CASE("conv2d's Winograd kernels give the im2col path's values over several blocks of tiles per thread",
          "[conv][winograd]") {
  // 64 channels and filters make blocks of 28 tiles; a 22x22 output has 36 tiles per image,
  // so each thread's share spans blocks whatever the thread count (the kernel gradient's
  // first block writes the partial sum, the later ones add to it).
  for (const ConvWindow& w : {same, valid}) {
    const std::size_t width = w.padding == Padding::valid ? 24 : 22;  // 22 output columns either way
    const Shape xs{3, 22, width, 64}, ks{3, 3, 64, 64};
    const ConvGeometry g = conv_geometry(xs, w);
    const Tensor x = random_tensor(xs, 21), k = random_tensor(ks, 22), b = random_tensor({64}, 23);
    const Tensor dy = random_tensor({3, g.height.windows, g.width.windows, 64}, 24);
    INFO((w.padding == Padding::same ? "same" : "valid"));
    const auto winograd = run_conv_kernels(winograd_kernels, g, x, k, b, dy);
    const auto im2col = run_conv_kernels(strata::testing::im2col_kernels, g, x, k, b, dy);
    for (std::size_t i = 0; i < winograd.size(); ++i) CHECK(max_relative_diff(winograd[i], im2col[i]) < 2e-5);
  }
}

TEST_CASE("conv2d's Winograd path has finite-difference gradients", "[conv][winograd]") {
  struct Case {
    Shape x;
    ConvWindow w;
    std::size_t filters;
  };
  // One partial tile each way; a 2x2 grid of tiles; 'same' padding on both sides.
  const std::vector<Case> cases{
      {{4, 5, 5, 8}, valid, 8},
      {{2, 7, 6, 9}, same, 10},
      {{1, 10, 10, 8}, valid, 8},
  };
  std::uint64_t seed = 600;
  for (const Case& c : cases) {
    REQUIRE(strata::kernels::conv2d_winograd_suits(conv_geometry(c.x, c.w), c.filters));
    strata::testing::check_conv2d_gradients(c.x, {3, 3, c.x[3], c.filters}, {.padding = c.w.padding}, seed);
  }
}

TEST_CASE("conv2d takes the Winograd path for 3x3 kernels at stride 1 with 8 or more channels", "[conv][winograd]") {
  using strata::kernels::conv2d_winograd_suits;
  CHECK(conv2d_winograd_suits(conv_geometry({64, 13, 13, 32}, valid), 64));  // the seed CNN's second conv
  CHECK(conv2d_winograd_suits(conv_geometry({64, 5, 5, 64}, valid), 64));    // and its third: one tile
  CHECK(conv2d_winograd_suits(conv_geometry({32, 32, 32, 64}, same), 64));
  CHECK(conv2d_winograd_suits(conv_geometry({1, 7, 7, 8}, same), 8));
  CHECK_FALSE(conv2d_winograd_suits(conv_geometry({8, 32, 32, 7}, same), 32));  // too few channels
  CHECK_FALSE(conv2d_winograd_suits(conv_geometry({8, 32, 32, 32}, same), 4));  // too few filters
  CHECK_FALSE(conv2d_winograd_suits(conv_geometry({8, 4, 4, 32}, valid), 32));  // a 2x2 output
  // One 3x3 output does not pay for transforming the kernel; a batch of them does.
  CHECK_FALSE(conv2d_winograd_suits(conv_geometry({1, 5, 5, 64}, valid), 64));
  CHECK(conv2d_winograd_suits(conv_geometry({4, 5, 5, 64}, valid), 64));
  CHECK(conv2d_winograd_suits(conv_geometry({1, 13, 13, 32}, valid), 64));
  CHECK_FALSE(conv2d_winograd_suits(conv_geometry({8, 32, 32, 32}, {{3, 3}, {2, 2}, {1, 1}, Padding::same}), 32));
  CHECK_FALSE(conv2d_winograd_suits(conv_geometry({8, 32, 32, 32}, {{3, 3}, {1, 1}, {2, 2}, Padding::same}), 32));
  CHECK_FALSE(conv2d_winograd_suits(conv_geometry({8, 32, 32, 32}, {{5, 5}, {1, 1}, {1, 1}, Padding::same}), 32));
  CHECK_FALSE(conv2d_winograd_suits(conv_geometry({8, 32, 32, 32}, {{3, 1}, {1, 1}, {1, 1}, Padding::same}), 32));
}

TEST_CASE("conv2d's Winograd backward pass gives the same bits from run to run", "[conv][winograd]") {
  const Shape xs{7, 13, 11, 24};
  const ConvGeometry g = conv_geometry(xs, same);
  const Tensor x = random_tensor(xs, 1), k = random_tensor({3, 3, 24, 40}, 2), b = random_tensor({40}, 3);
  const Tensor dy = random_tensor({7, 13, 11, 40}, 4);
  const auto first = run_conv_kernels(winograd_kernels, g, x, k, b, dy);
  const auto second = run_conv_kernels(winograd_kernels, g, x, k, b, dy);
  for (std::size_t i = 0; i < first.size(); ++i) CHECK(first[i] == second[i]);
}

TEST_CASE("conv2d's Winograd path reuses a transformed kernel only while the kernel is unchanged",
          "[conv][winograd]") {
  // The transformed kernel is kept between calls, keyed on the kernel's bits: a kernel
  // written in place, or a kernel of another shape with the same values, must not reuse it.
  const Shape xs{2, 9, 10, 16};
  const ConvGeometry g = conv_geometry(xs, same);
  const Tensor x = random_tensor(xs, 11), b = random_tensor({32}, 12), dy = random_tensor({2, 9, 10, 32}, 13);
  Tensor k = random_tensor({3, 3, 16, 32}, 14);
  const auto before = run_conv_kernels(winograd_kernels, g, x, k, b, dy);

  k[5] += 0.25f;  // the same buffer, one value changed
  const auto changed = run_conv_kernels(winograd_kernels, g, x, k, b, dy);
  const auto reference = run_conv_kernels(strata::testing::im2col_kernels, g, x, k, b, dy);
  for (std::size_t i = 0; i < changed.size(); ++i) {
    INFO("result " << i);
    CHECK(max_relative_diff(changed[i], reference[i]) < 2e-5);
  }
  CHECK_FALSE(changed[0] == before[0]);

  k[5] -= 0.25f;  // back to the first kernel's bits (x + 0.25 - 0.25 may round: compare afresh)
  const auto again = run_conv_kernels(winograd_kernels, g, x, k, b, dy);
  const auto again_reference = run_conv_kernels(strata::testing::im2col_kernels, g, x, k, b, dy);
  CHECK(max_relative_diff(again[0], again_reference[0]) < 2e-5);

  // The same 4,608 values read as a (3, 3, 32, 16) kernel on 32 channels.
  const Shape xs2{2, 9, 10, 32};
  const ConvGeometry g2 = conv_geometry(xs2, same);
  const Tensor x2 = random_tensor(xs2, 15), b2 = random_tensor({16}, 16), dy2 = random_tensor({2, 9, 10, 16}, 17);
  const Tensor k2 = k.reshape({3, 3, 32, 16});
  const auto other = run_conv_kernels(winograd_kernels, g2, x2, k2, b2, dy2);
  const auto other_reference = run_conv_kernels(strata::testing::im2col_kernels, g2, x2, k2, b2, dy2);
  for (std::size_t i = 0; i < other.size(); ++i) {
    INFO("result " << i);
    CHECK(max_relative_diff(other[i], other_reference[i]) < 2e-5);
  }
}
