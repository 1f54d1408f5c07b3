// max_pool2d and avg_pool2d: hand-computed windows, TensorFlow's 'same' padding, a direct
// window-loop reference, finite-difference gradients and error messages.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "strata/error.hpp"
#include "strata/gradient_check.hpp"
#include "strata/gradient_tape.hpp"
#include "strata/ops.hpp"
#include "strata/random.hpp"

using strata::Shape;
using strata::Tensor;
using strata::Variable;
using strata::ops::Padding;
using strata::ops::Pool2DOptions;

namespace {

// x[i][j] = 4i + j + 1 rearranged so that windows have distinct maxima:
// [[ 1,  3,  2,  4],
//  [ 5,  7,  6,  8],
//  [ 9, 11, 10, 12],
//  [13, 15, 14, 16]]
Tensor image_4x4() { return Tensor({1, 4, 4, 1}, {1, 3, 2, 4, 5, 7, 6, 8, 9, 11, 10, 12, 13, 15, 14, 16}); }

// 1..9 in a 3x3 image, scaled by `sign`.
Tensor image_3x3(float sign) {
  std::vector<float> v(9);
  for (std::size_t i = 0; i < 9; ++i) v[i] = sign * static_cast<float>(i + 1);
  return Tensor({1, 3, 3, 1}, v);
}

// Distinct values 0.1 apart in a random order, so no window has a tie and a finite-difference
// step of 0.01 never changes which cell is the maximum.
Tensor distinct_tensor(const Shape& shape, std::uint64_t seed) {
  Tensor t = Tensor::empty(shape);
  for (std::size_t i = 0; i < t.size(); ++i) t[i] = 0.1f * static_cast<float>(i) - 1.0f;
  strata::Generator gen(seed);
  for (std::size_t i = t.size(); i > 1; --i) std::swap(t[i - 1], t[gen.next_u64() % i]);  // Fisher-Yates
  return t;
}

float max_abs_diff(const Tensor& a, const Tensor& b) {
  REQUIRE(a.shape() == b.shape());
  float diff = 0.0f;
  for (std::size_t i = 0; i < a.size(); ++i) diff = std::max(diff, std::fabs(a[i] - b[i]));
  return diff;
}

struct PoolCase {
  Shape x;
  std::array<std::size_t, 2> pool_size;
  std::array<std::size_t, 2> strides;
  Padding padding;
  std::string describe() const {
    return strata::shape_to_string(x) + " pool (" + std::to_string(pool_size[0]) + ", " + std::to_string(pool_size[1]) +
           ") strides (" + std::to_string(strides[0]) + ", " + std::to_string(strides[1]) + ") padding " +
           std::string(strata::ops::to_string(padding));
  }
  Pool2DOptions options() const { return {.pool_size = pool_size, .strides = strides, .padding = padding}; }
};

const std::vector<PoolCase> kPoolCases = {
    {{2, 4, 4, 3}, {2, 2}, {2, 2}, Padding::valid}, {{2, 5, 5, 3}, {2, 2}, {2, 2}, Padding::valid},
    {{2, 5, 5, 3}, {2, 2}, {2, 2}, Padding::same},  {{1, 5, 6, 2}, {3, 3}, {1, 1}, Padding::valid},
    {{1, 5, 6, 2}, {3, 3}, {1, 1}, Padding::same},  {{1, 7, 6, 2}, {3, 2}, {2, 3}, Padding::same},
    {{1, 6, 7, 2}, {2, 3}, {3, 2}, Padding::valid}, {{1, 4, 4, 2}, {3, 3}, {2, 2}, Padding::same},
    // Windows of more than 256 cells (max_pool2d keeps a wider cell number for them).
    {{1, 17, 18, 2}, {16, 17}, {1, 1}, Padding::valid},
    // Channels in whole vectors of 16 and a narrower rest (the kernels' two paths).
    {{2, 5, 5, 16}, {2, 2}, {2, 2}, Padding::same}, {{1, 5, 6, 19}, {3, 3}, {1, 1}, Padding::valid},
};

// The definition, with TensorFlow's padding written out: 'valid' out = (in - k) / s + 1;
// 'same' out = ceil(in / s), pad before = max((out - 1) * s + k - in, 0) / 2. Padded cells
// are skipped by both reductions, and the average divides by the real cells only.
Tensor naive_pool(const Tensor& x, const PoolCase& pc, bool max) {
  std::array<std::size_t, 2> out{};
  std::array<long, 2> pad{};
  for (std::size_t a = 0; a < 2; ++a) {
    const long in = static_cast<long>(x.dim(1 + a)), k = static_cast<long>(pc.pool_size[a]),
               s = static_cast<long>(pc.strides[a]);
    const long o = pc.padding == Padding::same ? (in + s - 1) / s : (in - k) / s + 1;
    out[a] = static_cast<std::size_t>(o);
    pad[a] = pc.padding == Padding::same ? std::max((o - 1) * s + k - in, 0L) / 2 : 0;
  }
  Tensor y({x.dim(0), out[0], out[1], x.dim(3)});
  for (std::size_t n = 0; n < x.dim(0); ++n)
    for (std::size_t oh = 0; oh < out[0]; ++oh)
      for (std::size_t ow = 0; ow < out[1]; ++ow)
        for (std::size_t c = 0; c < x.dim(3); ++c) {
          float best = -std::numeric_limits<float>::infinity(), sum = 0.0f;
          int count = 0;
          for (std::size_t kh = 0; kh < pc.pool_size[0]; ++kh)
            for (std::size_t kw = 0; kw < pc.pool_size[1]; ++kw) {
              const long ih = static_cast<long>(oh * pc.strides[0] + kh) - pad[0];
              const long iw = static_cast<long>(ow * pc.strides[1] + kw) - pad[1];
              if (ih < 0 || iw < 0 || ih >= static_cast<long>(x.dim(1)) || iw >= static_cast<long>(x.dim(2))) continue;
              const float v = x.at({n, static_cast<std::size_t>(ih), static_cast<std::size_t>(iw), c});
              best = std::max(best, v);
              sum += v;
              ++count;
            }
          y.at({n, oh, ow, c}) = max ? best : sum / static_cast<float>(count);
        }
  return y;
}

// Pooling is piecewise linear, so central differences are exact up to float rounding away
// from ties; the inputs keep every value 0.1 from the next.
const strata::GradientCheckOptions kGradientCheck{.epsilon = 1e-2f, .rtol = 1e-3f, .atol = 1e-3f};

}  // namespace

TEST_CASE("max_pool2d over 2x2 windows of a 4x4 image picks each window's maximum", "[pool]") {
  // Windows {1, 3, 5, 7}, {2, 4, 6, 8}, {9, 11, 13, 15}, {10, 12, 14, 16}.
  Variable x(image_4x4());
  CHECK(strata::ops::max_pool2d(x).value() == Tensor({1, 2, 2, 1}, {7, 8, 15, 16}));
}

TEST_CASE("avg_pool2d over 2x2 windows of a 4x4 image averages each window", "[pool]") {
  // (1+3+5+7)/4 = 4, (2+4+6+8)/4 = 5, (9+11+13+15)/4 = 12, (10+12+14+16)/4 = 13.
  Variable x(image_4x4());
  CHECK(strata::ops::avg_pool2d(x).value() == Tensor({1, 2, 2, 1}, {4, 5, 12, 13}));
}

TEST_CASE("Pooling strides of 0 default to the pool size", "[pool]") {
  Variable x(image_4x4());
  CHECK(strata::ops::max_pool2d(x, {.pool_size = {2, 2}, .strides = {0, 0}}).value() ==
        strata::ops::max_pool2d(x, {.pool_size = {2, 2}, .strides = {2, 2}}).value());
  CHECK(strata::ops::avg_pool2d(x, {.pool_size = {1, 2}}).shape() == Shape{1, 4, 2, 1});
}

TEST_CASE("max_pool2d with stride 1 takes overlapping windows and sends each gradient to its window's maximum",
          "[pool]") {
  // 3x3 outputs: max of {1,3,5,7} = 7, {3,2,7,6} = 7, {2,4,6,8} = 8, {5,7,9,11} = 11,
  // {7,6,11,10} = 11, {6,8,10,12} = 12, {9,11,13,15} = 15, {11,10,15,14} = 15, {10,12,14,16} = 16.
  // With an all-ones output gradient, 7, 11 and 15 are the maximum of two windows each.
  Variable x(image_4x4());
  strata::GradientTape tape;
  Variable y = strata::ops::max_pool2d(x, {.pool_size = {2, 2}, .strides = {1, 1}});
  CHECK(y.value() == Tensor({1, 3, 3, 1}, {7, 7, 8, 11, 11, 12, 15, 15, 16}));
  const Tensor dx = tape.gradient(strata::ops::sum(y), x);
  CHECK(dx == Tensor({1, 4, 4, 1}, {0, 0, 0, 0,  //
                                    0, 2, 0, 1,  //
                                    0, 2, 0, 1,  //
                                    0, 2, 0, 1}));
}

TEST_CASE("max_pool2d sends the gradient of a tied window to its first maximum", "[pool]") {
  // Window [[5, 5], [5, 1]]: three cells share the maximum; the first in row-major order wins.
  Variable x(Tensor({1, 2, 2, 1}, {5, 5, 5, 1}));
  strata::GradientTape tape;
  Variable y = strata::ops::max_pool2d(x);
  CHECK(y.value() == Tensor({1, 1, 1, 1}, {5}));
  CHECK(tape.gradient(strata::ops::sum(y), x) == Tensor({1, 2, 2, 1}, {1, 0, 0, 0}));
}

TEST_CASE("avg_pool2d with 'same' padding divides each window by its count of real cells", "[pool]") {
  // 3x3 input, pool 2, stride 2: out = ceil(3 / 2) = 2, pad_total = (2 - 1) * 2 + 2 - 3 = 1,
  // all of it after. Windows over x = [[1, 2, 3], [4, 5, 6], [7, 8, 9]]:
  // (0,0) rows 0-1 cols 0-1: (1+2+4+5)/4 = 3    (0,1) rows 0-1 col 2: (3+6)/2 = 4.5
  // (1,0) row 2 cols 0-1:    (7+8)/2 = 7.5      (1,1) row 2 col 2:    9/1 = 9
  Variable x(image_3x3(1.0f));
  strata::GradientTape tape;
  Variable y = strata::ops::avg_pool2d(x, {.padding = Padding::same});
  CHECK(y.value() == Tensor({1, 2, 2, 1}, {3, 4.5f, 7.5f, 9}));
  // Each cell's gradient is 1 / (the count of its window).
  CHECK(tape.gradient(strata::ops::sum(y), x) ==
        Tensor({1, 3, 3, 1}, {0.25f, 0.25f, 0.5f, 0.25f, 0.25f, 0.5f, 0.5f, 0.5f, 1.0f}));
}

TEST_CASE("max_pool2d with 'same' padding ignores the padded cells", "[pool]") {
  // Same windows as above over -1..-9: were the padding zeros taken, the clipped windows
  // would give 0 instead of -3, -7 and -9.
  Variable x(image_3x3(-1.0f));
  CHECK(strata::ops::max_pool2d(x, {.padding = Padding::same}).value() == Tensor({1, 2, 2, 1}, {-1, -3, -7, -9}));
}

TEST_CASE("Pooling output shapes follow Keras's MaxPooling2D", "[pool]") {
  // The shapes of the TensorFlow CNN tutorial's summary: 26 -> 13, 11 -> 5, 3 -> 1.
  CHECK(strata::ops::max_pool2d(Variable(Tensor({1, 26, 26, 2}))).shape() == Shape{1, 13, 13, 2});
  CHECK(strata::ops::max_pool2d(Variable(Tensor({1, 11, 11, 2}))).shape() == Shape{1, 5, 5, 2});
  CHECK(strata::ops::max_pool2d(Variable(Tensor({1, 3, 3, 2}))).shape() == Shape{1, 1, 1, 2});
  CHECK(strata::ops::avg_pool2d(Variable(Tensor({1, 11, 11, 2})), {.padding = Padding::same}).shape() ==
        Shape{1, 6, 6, 2});
}

TEST_CASE("max_pool2d and avg_pool2d match a direct window loop on random multi-channel inputs", "[pool]") {
  std::uint64_t seed = 20;
  for (const PoolCase& pc : kPoolCases) {
    INFO(pc.describe());
    const Tensor x = distinct_tensor(pc.x, ++seed);
    CHECK(strata::ops::max_pool2d(Variable(x), pc.options()).value() == naive_pool(x, pc, true));
    CHECK(max_abs_diff(strata::ops::avg_pool2d(Variable(x), pc.options()).value(), naive_pool(x, pc, false)) < 1e-5f);
    // Under a tape max_pool2d also keeps each maximum's position (another loop).
    strata::GradientTape tape;
    CHECK(strata::ops::max_pool2d(Variable(x), pc.options()).value() == naive_pool(x, pc, true));
  }
}

TEST_CASE("max_pool2d gives the same values with and without a tape, ties and NaN included", "[pool]") {
  // Values from a small set, so windows tie; a NaN in the first cell of a window stays,
  // a NaN later in a window is passed over (as in the comparison `cell > max`).
  strata::Generator gen(7);
  const std::size_t channels = GENERATE(3, 19);  // within one vector of 16, and past it
  Tensor x = Tensor::empty({2, 5, 6, channels});
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = static_cast<float>(gen.next_u64() % 4);
  x[0] = x[channels * 6 * 2 + 4] = std::numeric_limits<float>::quiet_NaN();
  x[17] = std::numeric_limits<float>::quiet_NaN();  // the second vector's first cell, with 19
  for (const Padding padding : {Padding::valid, Padding::same}) {
    const Pool2DOptions options{.pool_size = {2, 2}, .strides = {2, 2}, .padding = padding};
    const Tensor inference = strata::ops::max_pool2d(Variable(x), options).value();
    strata::GradientTape tape;
    const Tensor recorded = strata::ops::max_pool2d(Variable(x), options).value();
    REQUIRE(inference.size() == recorded.size());
    for (std::size_t i = 0; i < inference.size(); ++i) {
      INFO(i);
      CHECK(std::isnan(inference[i]) == std::isnan(recorded[i]));
      if (!std::isnan(recorded[i])) CHECK(inference[i] == recorded[i]);
    }
    CHECK(std::isnan(inference[0]));
  }
}

TEST_CASE("max_pool2d sends each window's gradient to its first maximum on every channel, ties and NaN included",
          "[pool]") {
  // Values from a small set, so most windows tie; 19 channels take a vector of 16 and a
  // narrower rest. The reference scans each window's cells in row-major order with
  // `cell > max`, so a NaN first cell keeps the gradient and a later NaN never takes it.
  strata::Generator gen(11);
  const std::size_t channels = 19;
  Tensor values = Tensor::empty({2, 6, 7, channels});
  for (std::size_t i = 0; i < values.size(); ++i) values[i] = static_cast<float>(gen.next_u64() % 3);
  values[0] = values[5 * channels + 17] = values[(7 + 1) * channels + 18] = std::numeric_limits<float>::quiet_NaN();
  for (const PoolCase& pc : {PoolCase{values.shape(), {2, 2}, {2, 2}, Padding::valid},
                             PoolCase{values.shape(), {3, 3}, {1, 1}, Padding::same}}) {
    INFO(pc.describe());
    Variable x(values);
    strata::GradientTape tape;
    const Tensor dx = tape.gradient(strata::ops::sum(strata::ops::max_pool2d(x, pc.options())), x);
    Tensor expected(values.shape());
    const std::size_t height = pc.x[1], width = pc.x[2];
    const auto windows = [&](std::size_t image, std::size_t axis) {
      return pc.padding == Padding::valid ? (image - pc.pool_size[axis]) / pc.strides[axis] + 1
                                          : (image + pc.strides[axis] - 1) / pc.strides[axis];
    };
    const auto pad = [&](std::size_t image, std::size_t axis) -> std::ptrdiff_t {
      if (pc.padding == Padding::valid) return 0;
      const std::ptrdiff_t needed = static_cast<std::ptrdiff_t>((windows(image, axis) - 1) * pc.strides[axis] +
                                                                pc.pool_size[axis]) -
                                    static_cast<std::ptrdiff_t>(image);
      return std::max<std::ptrdiff_t>(needed, 0) / 2;
    };
    const auto at = [&](std::size_t n, std::size_t h, std::size_t w, std::size_t c) {
      return ((n * height + h) * width + w) * channels + c;
    };
    for (std::size_t n = 0; n < pc.x[0]; ++n)
      for (std::size_t oh = 0; oh < windows(height, 0); ++oh)
        for (std::size_t ow = 0; ow < windows(width, 1); ++ow)
          for (std::size_t c = 0; c < channels; ++c) {
            std::ptrdiff_t best = -1;
            for (std::size_t kh = 0; kh < pc.pool_size[0]; ++kh)
              for (std::size_t kw = 0; kw < pc.pool_size[1]; ++kw) {
                const std::ptrdiff_t h = static_cast<std::ptrdiff_t>(oh * pc.strides[0] + kh) - pad(height, 0);
                const std::ptrdiff_t w = static_cast<std::ptrdiff_t>(ow * pc.strides[1] + kw) - pad(width, 1);
                if (h < 0 || w < 0 || h >= static_cast<std::ptrdiff_t>(height) ||
                    w >= static_cast<std::ptrdiff_t>(width))
                  continue;
                const auto cell = static_cast<std::ptrdiff_t>(
                    at(n, static_cast<std::size_t>(h), static_cast<std::size_t>(w), c));
                if (best < 0 || values[static_cast<std::size_t>(cell)] > values[static_cast<std::size_t>(best)])
                  best = cell;
              }
            expected[static_cast<std::size_t>(best)] += 1.0f;
          }
    CHECK(dx == expected);
  }
}

TEST_CASE("max_pool2d's gradient matches finite differences on inputs without ties", "[pool]") {
  std::uint64_t seed = 40;
  for (const PoolCase& pc : kPoolCases) {
    INFO(pc.describe());
    Variable x(distinct_tensor(pc.x, ++seed), "x");
    const auto result = strata::check_gradients([&] { return strata::ops::max_pool2d(x, pc.options()); }, {x},
                                                kGradientCheck);
    INFO(result.report);
    CHECK(result.ok);
    CHECK(result.checked == x.size());
  }
}

TEST_CASE("avg_pool2d's gradient matches finite differences for valid and same padding", "[pool]") {
  std::uint64_t seed = 60;
  for (const PoolCase& pc : kPoolCases) {
    INFO(pc.describe());
    Variable x(distinct_tensor(pc.x, ++seed), "x");
    const auto result = strata::check_gradients([&] { return strata::ops::avg_pool2d(x, pc.options()); }, {x},
                                                kGradientCheck);
    INFO(result.report);
    CHECK(result.ok);
    CHECK(result.checked == x.size());
  }
}

TEST_CASE("Pooling rejects an input that is not 4-d", "[pool]") {
  Variable x(Tensor({4, 4, 1}));
  CHECK_THROWS_AS(strata::ops::max_pool2d(x), strata::ShapeError);
  CHECK_THROWS_WITH(strata::ops::max_pool2d(x),
                    "max_pool2d: expected a 4-d input (batch, height, width, channels), got shape (4, 4, 1)");
  CHECK_THROWS_WITH(strata::ops::avg_pool2d(x),
                    "avg_pool2d: expected a 4-d input (batch, height, width, channels), got shape (4, 4, 1)");
}

TEST_CASE("Pooling rejects a zero pool size", "[pool]") {
  Variable x(Tensor({1, 4, 4, 1}));
  CHECK_THROWS_AS(strata::ops::max_pool2d(x, {.pool_size = {0, 2}}), strata::ValueError);
  CHECK_THROWS_WITH(strata::ops::max_pool2d(x, {.pool_size = {0, 2}}),
                    "max_pool2d: the `pool_size` argument must be a tuple of 2 positive integers, got (0, 2)");
}

TEST_CASE("Pooling rejects an input smaller than the window with 'valid' padding", "[pool]") {
  Variable x(Tensor({1, 1, 3, 1}));
  CHECK_THROWS_AS(strata::ops::avg_pool2d(x), strata::ShapeError);
  CHECK_THROWS_WITH(strata::ops::avg_pool2d(x),
                    "avg_pool2d: computed output size would be zero or negative. Received input shape (1, 1, 3, 1) "
                    "with pool_size (2, 2) and padding 'valid'");
  CHECK(strata::ops::avg_pool2d(x, {.padding = Padding::same}).shape() == Shape{1, 1, 2, 1});
}
