// conv2d and conv2d_transpose: hand-computed values, direct-loop references, Keras's output
// lengths, finite-difference gradients and error messages.
#include <catch2/catch.hpp>

#include <cmath>
#include <string>
#include <vector>

#include "strata/error.hpp"
#include "strata/gradient_check.hpp"
#include "strata/gradient_tape.hpp"
#include "strata/ops.hpp"
#include "strata/random.hpp"
#include "support/tensor_helpers.hpp"

using strata::Shape;
using strata::Tensor;
using strata::Variable;
using strata::testing::random_tensor;
using strata::ops::Padding;

namespace {

float max_abs_diff(const Tensor& a, const Tensor& b) {
  REQUIRE(a.shape() == b.shape());
  float diff = 0.0f;
  for (std::size_t i = 0; i < a.size(); ++i) diff = std::max(diff, std::fabs(a[i] - b[i]));
  return diff;
}

// One spatial axis of a convolution, computed straight from TensorFlow's documentation:
// 'valid': out = ceil((in - dk + 1) / s), no padding; 'same': out = ceil(in / s) and
// pad_total = max((out - 1) * s + dk - in, 0), of which pad_total / 2 goes before.
struct Axis {
  std::size_t out;
  long pad_before;
};
Axis reference_axis(std::size_t in, std::size_t kernel, std::size_t stride, std::size_t dilation, bool same) {
  const long dk = static_cast<long>((kernel - 1) * dilation + 1), s = static_cast<long>(stride), n = static_cast<long>(in);
  if (!same) return {static_cast<std::size_t>((n - dk) / s + 1), 0};
  const long out = (n + s - 1) / s;
  const long total = std::max((out - 1) * s + dk - n, 0L);
  return {static_cast<std::size_t>(out), total / 2};
}

struct ConvCase {
  Shape x;       // (n, h, w, c_in)
  Shape kernel;  // (kh, kw, c_in, c_out)
  std::array<std::size_t, 2> strides;
  std::array<std::size_t, 2> dilation;
  Padding padding;
  std::string describe() const {
    return strata::shape_to_string(x) + " * " + strata::shape_to_string(kernel) + " strides (" +
           std::to_string(strides[0]) + ", " + std::to_string(strides[1]) + ") dilation (" +
           std::to_string(dilation[0]) + ", " + std::to_string(dilation[1]) + ") padding " +
           std::string(strata::ops::to_string(padding));
  }
};

// Odd and even sizes, non-square images and kernels, several channels in and out.
const std::vector<ConvCase> kConvCases = {
    {{2, 5, 5, 3}, {3, 3, 3, 4}, {1, 1}, {1, 1}, Padding::valid},
    {{2, 5, 5, 3}, {3, 3, 3, 4}, {1, 1}, {1, 1}, Padding::same},
    {{1, 6, 7, 2}, {3, 2, 2, 3}, {2, 2}, {1, 1}, Padding::valid},
    {{1, 6, 7, 2}, {3, 2, 2, 3}, {2, 2}, {1, 1}, Padding::same},
    {{2, 4, 4, 2}, {3, 3, 2, 2}, {2, 2}, {1, 1}, Padding::same},
    {{1, 7, 6, 2}, {3, 3, 2, 3}, {1, 1}, {2, 2}, Padding::valid},
    {{1, 7, 6, 2}, {3, 3, 2, 3}, {1, 1}, {2, 2}, Padding::same},
    {{1, 8, 9, 3}, {2, 3, 3, 2}, {2, 3}, {2, 1}, Padding::same},
    {{2, 5, 6, 3}, {1, 1, 3, 4}, {1, 1}, {1, 1}, Padding::valid},
    {{1, 6, 6, 2}, {1, 1, 2, 3}, {2, 2}, {1, 1}, Padding::same},
    {{1, 3, 3, 1}, {4, 4, 1, 2}, {1, 1}, {1, 1}, Padding::same},
};

// The definition: y[n, oh, ow, f] = sum over kh, kw, c of
// x[n, oh * s - pad + kh * d, ow * s - pad + kw * d, c] * k[kh, kw, c, f], outside = 0.
Tensor naive_conv2d(const Tensor& x, const Tensor& k, const ConvCase& cc) {
  const bool same = cc.padding == Padding::same;
  const Axis ah = reference_axis(x.dim(1), k.dim(0), cc.strides[0], cc.dilation[0], same);
  const Axis aw = reference_axis(x.dim(2), k.dim(1), cc.strides[1], cc.dilation[1], same);
  Tensor y({x.dim(0), ah.out, aw.out, k.dim(3)});
  for (std::size_t n = 0; n < x.dim(0); ++n)
    for (std::size_t oh = 0; oh < ah.out; ++oh)
      for (std::size_t ow = 0; ow < aw.out; ++ow)
        for (std::size_t f = 0; f < k.dim(3); ++f)
          for (std::size_t kh = 0; kh < k.dim(0); ++kh)
            for (std::size_t kw = 0; kw < k.dim(1); ++kw)
              for (std::size_t c = 0; c < k.dim(2); ++c) {
                const long ih = static_cast<long>(oh * cc.strides[0] + kh * cc.dilation[0]) - ah.pad_before;
                const long iw = static_cast<long>(ow * cc.strides[1] + kw * cc.dilation[1]) - aw.pad_before;
                if (ih < 0 || iw < 0 || ih >= static_cast<long>(x.dim(1)) || iw >= static_cast<long>(x.dim(2))) continue;
                y.at({n, oh, ow, f}) +=
                    x.at({n, static_cast<std::size_t>(ih), static_cast<std::size_t>(iw), c}) * k.at({kh, kw, c, f});
              }
  return y;
}

strata::ops::Conv2DOptions conv_options(const ConvCase& cc) {
  return {.strides = cc.strides, .padding = cc.padding, .dilation_rate = cc.dilation};
}

struct TransposeCase {
  Shape x;       // (n, h, w, c_in)
  Shape kernel;  // (kh, kw, c_out, c_in), Keras's Conv2DTranspose layout
  std::array<std::size_t, 2> strides;
  std::array<std::size_t, 2> dilation;
  Padding padding;
  std::array<std::int64_t, 2> output_padding;
  std::string describe() const {
    return strata::shape_to_string(x) + " * " + strata::shape_to_string(kernel) + " strides (" +
           std::to_string(strides[0]) + ", " + std::to_string(strides[1]) + ") dilation (" +
           std::to_string(dilation[0]) + ", " + std::to_string(dilation[1]) + ") padding " +
           std::string(strata::ops::to_string(padding)) + " output_padding (" + std::to_string(output_padding[0]) +
           ", " + std::to_string(output_padding[1]) + ")";
  }
};

const std::vector<TransposeCase> kTransposeCases = {
    {{2, 3, 3, 2}, {3, 3, 4, 2}, {1, 1}, {1, 1}, Padding::valid, {-1, -1}},
    {{2, 3, 3, 2}, {3, 3, 4, 2}, {1, 1}, {1, 1}, Padding::same, {-1, -1}},
    {{1, 3, 4, 3}, {3, 3, 2, 3}, {2, 2}, {1, 1}, Padding::valid, {-1, -1}},
    {{1, 3, 4, 3}, {3, 3, 2, 3}, {2, 2}, {1, 1}, Padding::same, {-1, -1}},
    {{1, 3, 4, 2}, {2, 2, 3, 2}, {2, 2}, {1, 1}, Padding::same, {-1, -1}},
    {{1, 3, 3, 2}, {3, 3, 2, 2}, {2, 2}, {1, 1}, Padding::valid, {1, 0}},
    {{1, 3, 3, 2}, {3, 3, 2, 2}, {2, 3}, {1, 1}, Padding::same, {1, 2}},
    {{1, 4, 3, 2}, {3, 2, 3, 2}, {1, 1}, {2, 2}, Padding::valid, {-1, -1}},
    {{1, 4, 3, 2}, {3, 3, 3, 2}, {1, 1}, {2, 2}, Padding::same, {-1, -1}},
    {{1, 3, 3, 2}, {1, 1, 3, 2}, {1, 1}, {1, 1}, Padding::valid, {-1, -1}},
    {{1, 2, 3, 2}, {2, 2, 2, 2}, {3, 3}, {1, 1}, Padding::valid, {-1, -1}},
};

strata::ops::Conv2DTransposeOptions transpose_options(const TransposeCase& tc) {
  return {.strides = tc.strides, .padding = tc.padding, .dilation_rate = tc.dilation,
          .output_padding = tc.output_padding};
}

// Keras's deconv_output_length, written out from its documentation.
std::size_t keras_deconv_length(std::size_t in, std::size_t kernel, Padding padding, std::int64_t output_padding,
                                std::size_t stride, std::size_t dilation) {
  const long k = static_cast<long>((kernel - 1) * dilation + 1), s = static_cast<long>(stride), n = static_cast<long>(in);
  if (output_padding < 0) return static_cast<std::size_t>(padding == Padding::valid ? n * s + std::max(k - s, 0L) : n * s);
  const long pad = padding == Padding::same ? k / 2 : 0;
  return static_cast<std::size_t>((n - 1) * s + k - 2 * pad + output_padding);
}

// Scatter form of the transpose: each input pixel adds x[n, i, j, ci] * k[kh, kw, co, ci] to
// output position (i * s - pad + kh * d, j * s - pad + kw * d), where pad is the padding of
// the conv2d that maps the output back onto the input.
Tensor naive_conv2d_transpose(const Tensor& x, const Tensor& k, const TransposeCase& tc) {
  const bool same = tc.padding == Padding::same;
  const std::size_t oh_size =
      keras_deconv_length(x.dim(1), k.dim(0), tc.padding, tc.output_padding[0], tc.strides[0], tc.dilation[0]);
  const std::size_t ow_size =
      keras_deconv_length(x.dim(2), k.dim(1), tc.padding, tc.output_padding[1], tc.strides[1], tc.dilation[1]);
  const long pad_h = reference_axis(oh_size, k.dim(0), tc.strides[0], tc.dilation[0], same).pad_before;
  const long pad_w = reference_axis(ow_size, k.dim(1), tc.strides[1], tc.dilation[1], same).pad_before;
  Tensor y({x.dim(0), oh_size, ow_size, k.dim(2)});
  for (std::size_t n = 0; n < x.dim(0); ++n)
    for (std::size_t i = 0; i < x.dim(1); ++i)
      for (std::size_t j = 0; j < x.dim(2); ++j)
        for (std::size_t ci = 0; ci < x.dim(3); ++ci)
          for (std::size_t kh = 0; kh < k.dim(0); ++kh)
            for (std::size_t kw = 0; kw < k.dim(1); ++kw)
              for (std::size_t co = 0; co < k.dim(2); ++co) {
                const long oh = static_cast<long>(i * tc.strides[0] + kh * tc.dilation[0]) - pad_h;
                const long ow = static_cast<long>(j * tc.strides[1] + kw * tc.dilation[1]) - pad_w;
                if (oh < 0 || ow < 0 || oh >= static_cast<long>(oh_size) || ow >= static_cast<long>(ow_size)) continue;
                y.at({n, static_cast<std::size_t>(oh), static_cast<std::size_t>(ow), co}) +=
                    x.at({n, i, j, ci}) * k.at({kh, kw, co, ci});
              }
  return y;
}

// Convolutions are linear in each operand, so central differences are exact up to float
// rounding; a larger step than the default keeps that rounding small.
const strata::GradientCheckOptions kGradientCheck{.epsilon = 1e-2f, .rtol = 1e-3f, .atol = 1e-3f};

}  // namespace

TEST_CASE("parse_padding accepts 'valid' and 'same' in any case", "[conv]") {
  CHECK(strata::ops::parse_padding("valid") == Padding::valid);
  CHECK(strata::ops::parse_padding("SAME") == Padding::same);
  CHECK(strata::ops::parse_padding("Same") == Padding::same);
  CHECK(strata::ops::to_string(Padding::valid) == "valid");
  CHECK(strata::ops::to_string(Padding::same) == "same");
}

TEST_CASE("parse_padding rejects other names with Keras's message", "[conv]") {
  CHECK_THROWS_AS(strata::ops::parse_padding("full"), strata::ValueError);
  CHECK_THROWS_WITH(strata::ops::parse_padding("Causal"),
                    "The `padding` argument must be one of \"valid\", \"same\". Received: Causal");
}

TEST_CASE("conv_output_length follows Keras's conv_output_length", "[conv]") {
  using strata::ops::conv_output_length;
  CHECK(conv_output_length(28, 3, Padding::valid, 1) == 26);  // 28 - 3 + 1
  CHECK(conv_output_length(28, 3, Padding::same, 1) == 28);
  CHECK(conv_output_length(28, 3, Padding::same, 2) == 14);   // ceil(28 / 2)
  CHECK(conv_output_length(7, 3, Padding::same, 2) == 4);     // ceil(7 / 2)
  CHECK(conv_output_length(7, 3, Padding::valid, 2) == 3);    // ceil((7 - 3 + 1) / 2)
  CHECK(conv_output_length(8, 3, Padding::valid, 2) == 3);    // ceil((8 - 3 + 1) / 2)
  CHECK(conv_output_length(7, 3, Padding::valid, 1, 2) == 3); // dilated kernel 5: 7 - 5 + 1
  CHECK(conv_output_length(5, 3, Padding::valid, 1, 2) == 1);
  CHECK(conv_output_length(9, 3, Padding::same, 1, 3) == 9);
}

TEST_CASE("conv_output_length rejects a valid-padded input shorter than the dilated kernel", "[conv]") {
  using strata::ops::conv_output_length;
  CHECK_THROWS_AS(conv_output_length(4, 3, Padding::valid, 1, 2), strata::ShapeError);
  CHECK_THROWS_WITH(conv_output_length(4, 3, Padding::valid, 1, 2),
                    "conv_output_length: the input length 4 is smaller than the dilated kernel size 5 (kernel 3, "
                    "dilation 2) with padding 'valid'");
  CHECK_THROWS_WITH(conv_output_length(4, 3, Padding::valid, 0),
                    "conv_output_length: the stride must be positive, got 0");
}

TEST_CASE("conv_transpose_output_length follows Keras's deconv_output_length", "[conv]") {
  using strata::ops::conv_transpose_output_length;
  CHECK(conv_transpose_output_length(7, 3, Padding::same, 2, 1, -1) == 14);   // 7 * 2
  CHECK(conv_transpose_output_length(7, 3, Padding::valid, 2, 1, -1) == 15);  // 7 * 2 + max(3 - 2, 0)
  CHECK(conv_transpose_output_length(7, 2, Padding::valid, 3, 1, -1) == 21);  // 7 * 3 + max(2 - 3, 0)
  CHECK(conv_transpose_output_length(7, 3, Padding::valid, 2, 1, 1) == 16);   // 6 * 2 + 3 + 1
  CHECK(conv_transpose_output_length(7, 3, Padding::same, 2, 1, 1) == 14);    // 6 * 2 + 3 - 2 * 1 + 1
  CHECK(conv_transpose_output_length(7, 3, Padding::same, 2, 1, 0) == 13);    // 6 * 2 + 3 - 2 * 1
  CHECK(conv_transpose_output_length(5, 3, Padding::valid, 1, 2, -1) == 9);   // dilated kernel 5: 5 + 4
}

TEST_CASE("conv2d of a 3x3 image with a 2x2 kernel gives the hand-computed sums", "[conv]") {
  // x = [[1, 2, 3], [4, 5, 6], [7, 8, 9]], k = [[1, 2], [3, 4]]:
  // y[0][0] = 1*1 + 2*2 + 4*3 + 5*4 = 37   y[0][1] = 2*1 + 3*2 + 5*3 + 6*4 = 47
  // y[1][0] = 4*1 + 5*2 + 7*3 + 8*4 = 67   y[1][1] = 5*1 + 6*2 + 8*3 + 9*4 = 77
  Variable x(Tensor({1, 3, 3, 1}, {1, 2, 3, 4, 5, 6, 7, 8, 9}));
  Variable k(Tensor({2, 2, 1, 1}, {1, 2, 3, 4}));
  CHECK(strata::ops::conv2d(x, k).value() == Tensor({1, 2, 2, 1}, {37, 47, 67, 77}));
}

TEST_CASE("conv2d with 'same' padding and stride 1 zero-pads one cell on every side of a 3x3 kernel", "[conv]") {
  // All-ones image and kernel: each output counts the real cells under its window,
  // 4 at the corners, 6 on the edges and 9 in the middle.
  Variable x(Tensor::ones({1, 3, 3, 1}));
  Variable k(Tensor::ones({3, 3, 1, 1}));
  CHECK(strata::ops::conv2d(x, k, {.padding = Padding::same}).value() ==
        Tensor({1, 3, 3, 1}, {4, 6, 4, 6, 9, 6, 4, 6, 4}));
}

TEST_CASE("conv2d with 'same' padding on an even input puts the extra padding row and column after", "[conv]") {
  // 4x4 input, 3x3 kernel, stride 2: out = ceil(4 / 2) = 2, pad_total = (2 - 1) * 2 + 3 - 4 = 1,
  // so pad top/left 0 and bottom/right 1. With x[i][j] = 4i + j + 1 and an all-ones kernel:
  // y[0][0] = rows 0-2, cols 0-2 = (1+2+3) + (5+6+7) + (9+10+11) = 54
  // y[0][1] = rows 0-2, cols 2-3 = (3+4) + (7+8) + (11+12) = 45
  // y[1][0] = rows 2-3, cols 0-2 = (9+10+11) + (13+14+15) = 72
  // y[1][1] = rows 2-3, cols 2-3 = 11 + 12 + 15 + 16 = 54
  std::vector<float> values(16);
  for (std::size_t i = 0; i < 16; ++i) values[i] = static_cast<float>(i + 1);
  Variable x(Tensor({1, 4, 4, 1}, values));
  Variable k(Tensor::ones({3, 3, 1, 1}));
  CHECK(strata::ops::conv2d(x, k, {.strides = {2, 2}, .padding = Padding::same}).value() ==
        Tensor({1, 2, 2, 1}, {54, 45, 72, 54}));
}

TEST_CASE("conv2d with two input channels and two filters sums over the channels per filter", "[conv]") {
  // One pixel, 1x1 kernel: y[f] = sum over c of x[c] * k[c][f].
  // x = (1, 2), k = [[3, 4], [5, 6]]: y = (1*3 + 2*5, 1*4 + 2*6) = (13, 16)
  Variable x(Tensor({1, 1, 1, 2}, {1, 2}));
  Variable k(Tensor({1, 1, 2, 2}, {3, 4, 5, 6}));
  CHECK(strata::ops::conv2d(x, k).value() == Tensor({1, 1, 1, 2}, {13, 16}));
}

TEST_CASE("conv2d matches a direct seven-loop convolution for every padding, stride and dilation", "[conv]") {
  std::uint64_t seed = 10;
  for (const ConvCase& cc : kConvCases) {
    INFO(cc.describe());
    const Tensor x = random_tensor(cc.x, ++seed), k = random_tensor(cc.kernel, ++seed);
    const Tensor y = strata::ops::conv2d(Variable(x), Variable(k), conv_options(cc)).value();
    CHECK(max_abs_diff(y, naive_conv2d(x, k, cc)) < 1e-5f);
  }
}

TEST_CASE("conv2d's input and kernel gradients match finite differences for every padding, stride and dilation",
          "[conv]") {
  std::uint64_t seed = 100;
  for (const ConvCase& cc : kConvCases) {
    INFO(cc.describe());
    Variable x(random_tensor(cc.x, ++seed), "x"), k(random_tensor(cc.kernel, ++seed), "kernel");
    const auto result =
        strata::check_gradients([&] { return strata::ops::conv2d(x, k, conv_options(cc)); }, {x, k}, kGradientCheck);
    INFO(result.report);
    CHECK(result.ok);
    CHECK(result.checked == x.size() + k.size());
  }
}

TEST_CASE("conv2d's gradient is right when only one operand is watched", "[conv]") {
  const ConvCase cc{{2, 5, 4, 2}, {3, 2, 2, 3}, {2, 1}, {1, 1}, Padding::same};
  Variable x = strata::constant(random_tensor(cc.x, 7)), k = strata::constant(random_tensor(cc.kernel, 8));
  auto f = [&] { return strata::ops::conv2d(x, k, conv_options(cc)); };
  const auto only_kernel = strata::check_gradients(f, {k}, kGradientCheck);
  INFO(only_kernel.report);
  CHECK(only_kernel.ok);
  const auto only_input = strata::check_gradients(f, {x}, kGradientCheck);
  INFO(only_input.report);
  CHECK(only_input.ok);
}

TEST_CASE("conv2d rejects inputs and kernels that are not 4-d", "[conv]") {
  Variable x(Tensor({28, 28})), k(Tensor({3, 3, 1})), good_k(Tensor({3, 3, 1, 2}));
  Variable good_x(Tensor({1, 5, 5, 1}));
  CHECK_THROWS_AS(strata::ops::conv2d(x, good_k), strata::ShapeError);
  CHECK_THROWS_WITH(strata::ops::conv2d(x, good_k),
                    "conv2d: expected a 4-d input (batch, height, width, channels), got shape (28, 28)");
  CHECK_THROWS_WITH(strata::ops::conv2d(good_x, k),
                    "conv2d: expected a 4-d kernel (kernel_height, kernel_width, in_channels, filters), got shape "
                    "(3, 3, 1)");
}

TEST_CASE("conv2d names both shapes when the input's channels do not match the kernel's", "[conv]") {
  Variable x(Tensor({1, 28, 28, 3})), k(Tensor({3, 3, 1, 32}));
  CHECK_THROWS_AS(strata::ops::conv2d(x, k), strata::ShapeError);
  CHECK_THROWS_WITH(strata::ops::conv2d(x, k),
                    "conv2d: the input (1, 28, 28, 3) has 3 channels but the kernel (3, 3, 1, 32) expects 1");
}

TEST_CASE("conv2d rejects zero strides and dilation rates", "[conv]") {
  Variable x(Tensor({1, 5, 5, 1})), k(Tensor({3, 3, 1, 1}));
  CHECK_THROWS_AS(strata::ops::conv2d(x, k, {.strides = {0, 1}}), strata::ValueError);
  CHECK_THROWS_WITH(strata::ops::conv2d(x, k, {.strides = {0, 1}}),
                    "conv2d: the `strides` argument must be a tuple of 2 positive integers, got (0, 1)");
  CHECK_THROWS_WITH(strata::ops::conv2d(x, k, {.dilation_rate = {1, 0}}),
                    "conv2d: the `dilation_rate` argument must be a tuple of 2 positive integers, got (1, 0)");
}

TEST_CASE("conv2d rejects an input smaller than the dilated kernel with 'valid' padding", "[conv]") {
  Variable x(Tensor({1, 4, 6, 1})), k(Tensor({3, 3, 1, 1}));
  CHECK_NOTHROW(strata::ops::conv2d(x, k));
  CHECK_THROWS_AS(strata::ops::conv2d(x, k, {.dilation_rate = {2, 2}}), strata::ShapeError);
  CHECK_THROWS_WITH(strata::ops::conv2d(x, k, {.dilation_rate = {2, 2}}),
                    "conv2d: one of the dimensions in the output is <= 0 due to downsampling. Consider increasing "
                    "the input size. Received input shape (1, 4, 6, 1) and kernel (3, 3, 1, 1) with dilation_rate "
                    "(2, 2) and padding 'valid'");
  CHECK(strata::ops::conv2d(x, k, {.padding = Padding::same, .dilation_rate = {2, 2}}).shape() == Shape{1, 4, 6, 1});
}

TEST_CASE("conv2d_transpose output shapes follow Keras's Conv2DTranspose", "[conv]") {
  Variable x(random_tensor({2, 7, 7, 3}, 1));
  Variable k(random_tensor({3, 3, 5, 3}, 2));  // (kh, kw, filters, in_channels)
  using strata::ops::conv2d_transpose;
  CHECK(conv2d_transpose(x, k, {.strides = {2, 2}, .padding = Padding::same}).shape() == Shape{2, 14, 14, 5});
  CHECK(conv2d_transpose(x, k, {.strides = {2, 2}, .padding = Padding::valid}).shape() == Shape{2, 15, 15, 5});
  CHECK(conv2d_transpose(x, k, {.strides = {2, 2}, .output_padding = {1, 0}}).shape() == Shape{2, 16, 15, 5});
  CHECK(conv2d_transpose(x, k).shape() == Shape{2, 9, 9, 5});  // 7 + 3 - 1
  CHECK(conv2d_transpose(x, k, {.padding = Padding::same}).shape() == Shape{2, 7, 7, 5});
}

TEST_CASE("conv2d_transpose with stride 2 stamps the kernel once per input pixel", "[conv]") {
  // 2x2 input, 2x2 kernel, stride 2, 'valid': the 4x4 output holds x[i][j] * k in block (i, j).
  // x = [[1, 2], [3, 4]], k = [[1, 10], [100, 1000]].
  Variable x(Tensor({1, 2, 2, 1}, {1, 2, 3, 4}));
  Variable k(Tensor({2, 2, 1, 1}, {1, 10, 100, 1000}));
  CHECK(strata::ops::conv2d_transpose(x, k, {.strides = {2, 2}}).value() ==
        Tensor({1, 4, 4, 1}, {1, 10, 2, 20,  //
                              100, 1000, 200, 2000,  //
                              3, 30, 4, 40,  //
                              300, 3000, 400, 4000}));
}

TEST_CASE("conv2d_transpose is the gradient of conv2d with respect to its input", "[conv]") {
  std::uint64_t seed = 200;
  for (const TransposeCase& tc : kTransposeCases) {
    INFO(tc.describe());
    const Tensor x = random_tensor(tc.x, ++seed), k = random_tensor(tc.kernel, ++seed);
    const Tensor y = strata::ops::conv2d_transpose(Variable(x), Variable(k), transpose_options(tc)).value();
    // conv2d maps an image shaped like y (channels c_out) to one shaped like x (channels c_in);
    // Conv2DTranspose's kernel (kh, kw, c_out, c_in) is exactly that conv2d's kernel.
    Variable z = strata::constant(Tensor(y.shape()));
    strata::GradientTape tape;
    tape.watch(z);
    Variable conv = strata::ops::conv2d(z, strata::constant(k),
                                        {.strides = tc.strides, .padding = tc.padding, .dilation_rate = tc.dilation});
    REQUIRE(conv.shape() == x.shape());
    const Tensor dz = tape.gradient(conv, z, x);
    CHECK(max_abs_diff(y, dz) < 1e-5f);
  }
}

TEST_CASE("conv2d_transpose matches a direct scatter of every input pixel through the kernel", "[conv]") {
  std::uint64_t seed = 300;
  for (const TransposeCase& tc : kTransposeCases) {
    INFO(tc.describe());
    const Tensor x = random_tensor(tc.x, ++seed), k = random_tensor(tc.kernel, ++seed);
    const Tensor y = strata::ops::conv2d_transpose(Variable(x), Variable(k), transpose_options(tc)).value();
    CHECK(max_abs_diff(y, naive_conv2d_transpose(x, k, tc)) < 1e-5f);
  }
}

TEST_CASE("conv2d_transpose's input and kernel gradients match finite differences for every padding, stride "
          "and dilation",
          "[conv]") {
  std::uint64_t seed = 400;
  for (const TransposeCase& tc : kTransposeCases) {
    INFO(tc.describe());
    Variable x(random_tensor(tc.x, ++seed), "x"), k(random_tensor(tc.kernel, ++seed), "kernel");
    const auto result = strata::check_gradients(
        [&] { return strata::ops::conv2d_transpose(x, k, transpose_options(tc)); }, {x, k}, kGradientCheck);
    INFO(result.report);
    CHECK(result.ok);
    CHECK(result.checked == x.size() + k.size());
  }
}

TEST_CASE("conv2d_transpose names both shapes when the input's channels do not match the kernel's", "[conv]") {
  Variable x(Tensor({1, 7, 7, 3})), k(Tensor({3, 3, 16, 8}));
  CHECK_THROWS_AS(strata::ops::conv2d_transpose(x, k), strata::ShapeError);
  CHECK_THROWS_WITH(strata::ops::conv2d_transpose(x, k),
                    "conv2d_transpose: the input (1, 7, 7, 3) has 3 channels but the kernel (3, 3, 16, 8) expects 8");
  CHECK_THROWS_WITH(strata::ops::conv2d_transpose(x, Variable(Tensor({3, 3, 3}))),
                    "conv2d_transpose: expected a 4-d kernel (kernel_height, kernel_width, filters, in_channels), "
                    "got shape (3, 3, 3)");
}

TEST_CASE("conv2d_transpose rejects an output_padding that is not smaller than the stride", "[conv]") {
  Variable x(Tensor({1, 7, 7, 3})), k(Tensor({3, 3, 4, 3}));
  CHECK_THROWS_AS(strata::ops::conv2d_transpose(x, k, {.strides = {2, 2}, .output_padding = {2, 0}}),
                  strata::ValueError);
  CHECK_THROWS_WITH(strata::ops::conv2d_transpose(x, k, {.strides = {2, 2}, .output_padding = {2, 0}}),
                    "conv2d_transpose: strides (2, 2) must be greater than output padding (2, 0)");
  CHECK_THROWS_WITH(strata::ops::conv2d_transpose(x, k, {.output_padding = {-2, 0}}),
                    "conv2d_transpose: output_padding must be -1 (none) or non-negative, got (-2, 0)");
}

TEST_CASE("conv2d_transpose rejects an output whose convolution would not give back the input's size", "[conv]") {
  // Even kernel, 'same', output_padding 0: (4 - 1) * 2 + 2 - 2 * 1 + 0 = 6, and a stride-2
  // 'same' convolution of 6 positions has 3, not 4 (TensorFlow rejects this too).
  Variable x(Tensor({1, 4, 4, 3})), k(Tensor({2, 2, 4, 3}));
  CHECK_THROWS_AS(
      strata::ops::conv2d_transpose(x, k, {.strides = {2, 2}, .padding = Padding::same, .output_padding = {0, 0}}),
      strata::ShapeError);
  CHECK_THROWS_WITH(
      strata::ops::conv2d_transpose(x, k, {.strides = {2, 2}, .padding = Padding::same, .output_padding = {0, 0}}),
      "conv2d_transpose: the input (1, 4, 4, 3) with kernel (2, 2, 4, 3), strides (2, 2), padding 'same' and "
      "output_padding (0, 0) gives a 6x6 output, whose convolution would not have the input's 4x4 positions");
}
