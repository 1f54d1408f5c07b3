// 2-d convolution and transposed convolution (NHWC, Keras's kernel layouts) as im2col plus
// OpenBLAS sgemm, with their backward passes (inputs with few channels go to
// conv_direct.cpp instead, 3x3 kernels at stride 1 to conv_winograd.cpp); Keras's
// output-length formulas.
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <climits>
#include <string>
#include <vector>

#include "autograd/node.hpp"
#include "autograd/ops/conv_direct.hpp"
#include "autograd/ops/conv_geometry.hpp"
#include "autograd/ops/conv_winograd.hpp"
#include "autograd/ops/gemm.hpp"
#include "autograd/parallel/parallel.hpp"
#include "strata/error.hpp"
#include "strata/ops.hpp"

namespace strata::kernels {

void im2col(const ConvGeometry& g, const float* image, float* cols) {
  const std::size_t channels = g.channels, kernel_w = g.width.kernel;
  const std::size_t image_w = g.width.image, image_plane = g.height.image * image_w * channels;
  const std::size_t span = kernel_w * channels, row_size = g.patch_size();
  float* row = cols;
  for (std::size_t n = 0; n < g.batch; ++n) {
    const float* img = image + n * image_plane;
    for (std::size_t oh = 0; oh < g.height.windows; ++oh) {
      for (std::size_t ow = 0; ow < g.width.windows; ++ow, row += row_size) {
        // An undilated kernel row that lies inside the image is one contiguous run of memory.
        const std::ptrdiff_t w0 = g.width.start(ow);
        const bool run = g.width.dilation == 1 && w0 >= 0 && g.width.inside(w0 + static_cast<std::ptrdiff_t>(kernel_w) - 1);
        for (std::size_t kh = 0; kh < g.height.kernel; ++kh) {
          float* dst = row + kh * span;
          const std::ptrdiff_t ih = g.height.position(oh, kh);
          if (!g.height.inside(ih)) {
            std::fill_n(dst, span, 0.0f);
            continue;
          }
          const float* src = img + static_cast<std::size_t>(ih) * image_w * channels;
          if (run) {
            std::copy_n(src + static_cast<std::size_t>(w0) * channels, span, dst);
            continue;
          }
          for (std::size_t kw = 0; kw < kernel_w; ++kw) {
            const std::ptrdiff_t iw = g.width.position(ow, kw);
            if (g.width.inside(iw))
              std::copy_n(src + static_cast<std::size_t>(iw) * channels, channels, dst + kw * channels);
            else
              std::fill_n(dst + kw * channels, channels, 0.0f);
          }
        }
      }
    }
  }
}

void col2im(const ConvGeometry& g, const float* cols, float* image) {
  const std::size_t channels = g.channels, kernel_w = g.width.kernel;
  const std::size_t image_w = g.width.image, image_plane = g.height.image * image_w * channels;
  const std::size_t span = kernel_w * channels, row_size = g.patch_size();
  const float* row = cols;
  auto accumulate = [](float* dst, const float* src, std::size_t count) {
    for (std::size_t i = 0; i < count; ++i) dst[i] += src[i];
  };
  for (std::size_t n = 0; n < g.batch; ++n) {
    float* img = image + n * image_plane;
    for (std::size_t oh = 0; oh < g.height.windows; ++oh) {
      for (std::size_t ow = 0; ow < g.width.windows; ++ow, row += row_size) {
        const std::ptrdiff_t w0 = g.width.start(ow);
        const bool run = g.width.dilation == 1 && w0 >= 0 && g.width.inside(w0 + static_cast<std::ptrdiff_t>(kernel_w) - 1);
        for (std::size_t kh = 0; kh < g.height.kernel; ++kh) {
          const std::ptrdiff_t ih = g.height.position(oh, kh);
          if (!g.height.inside(ih)) continue;
          const float* src = row + kh * span;
          float* dst = img + static_cast<std::size_t>(ih) * image_w * channels;
          if (run) {
            accumulate(dst + static_cast<std::size_t>(w0) * channels, src, span);
            continue;
          }
          for (std::size_t kw = 0; kw < kernel_w; ++kw) {
            const std::ptrdiff_t iw = g.width.position(ow, kw);
            if (g.width.inside(iw)) accumulate(dst + static_cast<std::size_t>(iw) * channels, src + kw * channels, channels);
          }
        }
      }
    }
  }
}

namespace {

// conv2d runs over blocks of whole images, spread over the pool: each thread builds the
// window matrix of a few images in its own scratch buffer (small enough to stay in cache)
// and multiplies it right away, so no batch-sized window matrix is ever allocated.
constexpr std::size_t block_floats = std::size_t{1} << 16;  // 256 KB of window matrix

std::size_t window_floats_per_image(const ConvGeometry& g) {
  return g.height.windows * g.width.windows * g.patch_size();
}

std::size_t images_per_block(const ConvGeometry& g) {
  return std::max<std::size_t>(1, block_floats / std::max<std::size_t>(1, window_floats_per_image(g)));
}

// The fewest filters a thread takes when the threads split a convolution's filters.
constexpr std::size_t filter_share = 32;

// Calls f(chunk, first_image, images) for blocks of images; a chunk is one thread's share.
template <class F>
void for_each_image_block(const ConvGeometry& g, F&& f) {
  const std::size_t per_block = images_per_block(g);
  parallel::parallel_for(g.batch, 1, [&](std::size_t chunk, std::size_t begin, std::size_t end) {
    for (std::size_t n = begin; n < end; n += per_block) f(chunk, n, std::min(per_block, end - n));
  });
}

}  // namespace

void add_column_sums(std::size_t rows, std::size_t filters, const float* grad, float* sums) {
  for (std::size_t r = 0; r < rows; ++r)
    for (std::size_t f = 0; f < filters; ++f) sums[f] += grad[r * filters + f];
}

// Adds the partial sums of each chunk into `total`, in chunk order.
void add_partials(const std::vector<std::vector<float>>& partials, float* total) {
  if (partials.empty()) return;
  std::copy(partials[0].begin(), partials[0].end(), total);
  for (std::size_t c = 1; c < partials.size(); ++c)
    for (std::size_t i = 0; i < partials[c].size(); ++i) total[i] += partials[c][i];
}

// out (N*OH*OW, F) = im2col(x) K (+ bias on every row, when given), block by block.
void conv2d_im2col_forward(const ConvGeometry& g, const float* x, const float* kernel, const float* bias,
                           std::size_t filters, const ops::FusedActivation& activation, float* out) {
  const std::size_t patch = g.patch_size(), out_image = g.height.windows * g.width.windows * filters;
  const std::size_t in_image = g.height.image * g.width.image * g.channels;
  if (g.patches() == 0 || filters == 0) return;
  // The images [first, first + count) times the kernel's columns [f0, f1).
  const auto multiply = [&](std::size_t first, std::size_t count, std::size_t f0, std::size_t f1) {
    const ConvGeometry block = g.with_batch(count);
    const float* image = x + first * in_image;
    const float* cols = image;
    if (!g.is_pointwise() && patch != 0) {
      float* buffer = kernels::scratch(0, block.patches() * patch);
      kernels::im2col(block, image, buffer);
      cols = buffer;
    }
    float* block_out = out + first * out_image + f0;
    const std::size_t rows = block.patches(), width = f1 - f0;
    kernels::sgemm(false, false, rows, width, patch, cols, patch, kernel + f0, filters, 0.0f, block_out, filters);
    for (std::size_t r = 0; r < rows; ++r) {
      float* row = block_out + r * filters;
      if (bias)
        for (std::size_t f = 0; f < width; ++f) row[f] += bias[f0 + f];
      apply_activation(activation, row, width);
    }
  };
  // Fewer images than threads (inference on one image): the threads split the filters,
  // each making the window matrix and multiplying it by its share of the kernel. Only for
  // small images, whose window matrix is cheap to make twice; a large one stays on one
  // thread (splitting its window rows would be the way there).
  const std::size_t filter_shares = parallel::chunk_count(filters, filter_share);
  if (parallel::chunk_count(g.batch, 1) < filter_shares && window_floats_per_image(g) <= block_floats) {
    parallel::parallel_for(g.batch * filter_shares, 1, [&](std::size_t, std::size_t begin, std::size_t end) {
      for (std::size_t item = begin; item < end; ++item) {
        const std::size_t n = item / filter_shares, share = item % filter_shares;
        multiply(n, 1, share * filters / filter_shares, (share + 1) * filters / filter_shares);
      }
    });
    return;
  }
  for_each_image_block(g, [&](std::size_t, std::size_t first, std::size_t count) {
    multiply(first, count, 0, filters);
  });
}

// dK = im2col(x)^T dY and dB = the column sums of dY (each thread sums its blocks into its
// own partials, then the partials are added in chunk order, so a given thread count always
// gives the same sums) and dX = col2im(dY K^T); any of them may be null.
void conv2d_im2col_backward(const ConvGeometry& g, const float* x, const float* kernel, std::size_t filters,
                            const ops::FusedActivation& activation, const float* y, const float* dy, float* dx,
                            float* dk, float* dbias) {
  const std::size_t patch = g.patch_size(), out_image = g.height.windows * g.width.windows * filters;
  const std::size_t in_image = g.height.image * g.width.image * g.channels;
  const std::size_t chunks = std::max<std::size_t>(parallel::chunk_count(g.batch, 1), 1);
  std::vector<std::vector<float>> partials(dk ? chunks : 0, std::vector<float>(patch * filters, 0.0f));
  std::vector<std::vector<float>> bias_partials(dbias ? chunks : 0, std::vector<float>(filters, 0.0f));
  if (dx && patch == 0) std::fill_n(dx, g.batch * in_image, 0.0f);
  if (g.patches() != 0 && patch != 0) {
    for_each_image_block(g, [&](std::size_t chunk, std::size_t first, std::size_t count) {
      const ConvGeometry block = g.with_batch(count);
      const std::size_t rows = block.patches();
      const float* image = x + first * in_image;
      const float* grad = dy + first * out_image;
      if (!activation.is_linear()) {
        float* masked = kernels::scratch(2, rows * filters);
        activation_gradient(activation, grad, y + first * out_image, rows * filters, masked);
        grad = masked;
      }
      if (dbias) add_column_sums(rows, filters, grad, bias_partials[chunk].data());
      if (dk) {
        const float* cols = image;
        if (!g.is_pointwise()) {
          float* buffer = kernels::scratch(0, rows * patch);
          kernels::im2col(block, image, buffer);
          cols = buffer;
        }
        kernels::sgemm(true, false, patch, filters, rows, cols, patch, grad, filters, 1.0f, partials[chunk].data(),
                       filters);
      }
      if (dx) {
        float* dimage = dx + first * in_image;
        if (g.is_pointwise()) {
          kernels::sgemm(false, true, rows, patch, filters, grad, filters, kernel, filters, 0.0f, dimage, patch);
        } else {
          float* dcols = kernels::scratch(1, rows * patch);
          kernels::sgemm(false, true, rows, patch, filters, grad, filters, kernel, filters, 0.0f, dcols, patch);
          std::fill_n(dimage, count * in_image, 0.0f);
          kernels::col2im(block, dcols, dimage);
        }
      }
    });
  } else if (dx) {
    std::fill_n(dx, g.batch * in_image, 0.0f);
  }
  if (dk) add_partials(partials, dk);
  if (dbias) add_partials(bias_partials, dbias);
}

}  // namespace strata::kernels

namespace strata::ops {

using autograd::BackwardContext;
using kernels::ConvGeometry;
using kernels::WindowAxis;

Padding parse_padding(std::string_view text) {
  std::string lower(text);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
  if (lower == "valid") return Padding::valid;
  if (lower == "same") return Padding::same;
  throw ValueError(fmt::format("The `padding` argument must be one of \"valid\", \"same\". Received: {}", text));
}

std::string_view to_string(Padding padding) { return padding == Padding::same ? "same" : "valid"; }

namespace {

std::size_t dilated_size(std::size_t kernel, std::size_t dilation) { return (kernel - 1) * dilation + 1; }

void check_positive_lengths(const char* fn, std::size_t kernel, std::size_t stride, std::size_t dilation) {
  if (kernel == 0) throw ValueError(fmt::format("{}: the kernel size must be positive, got 0", fn));
  if (stride == 0) throw ValueError(fmt::format("{}: the stride must be positive, got 0", fn));
  if (dilation == 0) throw ValueError(fmt::format("{}: the dilation rate must be positive, got 0", fn));
}

}  // namespace

std::size_t conv_output_length(std::size_t input, std::size_t kernel, Padding padding, std::size_t stride,
                               std::size_t dilation) {
  check_positive_lengths("conv_output_length", kernel, stride, dilation);
  const std::size_t dilated = dilated_size(kernel, dilation);
  std::size_t length = input;
  if (padding == Padding::valid) {
    if (input < dilated)
      throw ShapeError(fmt::format("conv_output_length: the input length {} is smaller than the dilated kernel "
                                   "size {} (kernel {}, dilation {}) with padding 'valid'",
                                   input, dilated, kernel, dilation));
    length = input - dilated + 1;
  }
  return (length + stride - 1) / stride;
}

std::size_t conv_transpose_output_length(std::size_t input, std::size_t kernel, Padding padding, std::size_t stride,
                                         std::size_t dilation, std::int64_t output_padding) {
  check_positive_lengths("conv_transpose_output_length", kernel, stride, dilation);
  if (output_padding < -1)
    throw ValueError(fmt::format(
        "conv_transpose_output_length: output_padding must be -1 (none) or non-negative, got {}", output_padding));
  const auto in = static_cast<std::int64_t>(input), k = static_cast<std::int64_t>(dilated_size(kernel, dilation)),
             s = static_cast<std::int64_t>(stride);
  std::int64_t length = 0;
  if (output_padding < 0) {
    length = padding == Padding::valid ? in * s + std::max<std::int64_t>(k - s, 0) : in * s;
  } else {
    // Keras's deconv_output_length assumes the symmetric padding k // 2 for 'same'.
    const std::int64_t pad = padding == Padding::same ? k / 2 : 0;
    length = (in - 1) * s + k - 2 * pad + output_padding;
  }
  if (length < 0)
    throw ShapeError(fmt::format("conv_transpose_output_length: input length {} with kernel {}, stride {} and "
                                 "output_padding {} gives a negative output length {}",
                                 input, kernel, stride, output_padding, length));
  return static_cast<std::size_t>(length);
}

namespace {

std::string pair_to_string(const std::array<std::size_t, 2>& v) { return fmt::format("({}, {})", v[0], v[1]); }

void check_rank4(const char* op, const char* what, const Variable& v, const char* layout) {
  if (v.rank() != 4)
    throw ShapeError(fmt::format("{}: expected a 4-d {} {}, got shape {}", op, what, layout, shape_to_string(v.shape())));
}

void check_positive(const char* op, const char* argument, const std::array<std::size_t, 2>& values) {
  if (values[0] == 0 || values[1] == 0)
    throw ValueError(fmt::format("{}: the `{}` argument must be a tuple of 2 positive integers, got {}", op, argument,
                                 pair_to_string(values)));
}

// The checks conv2d and conv2d_transpose share; the kernel's axis `channel_axis` must match
// the input's channels (2 in conv2d's layout, 3 in conv2d_transpose's).
void check_inputs(const char* op, const Variable& x, const Variable& kernel, const char* kernel_layout,
                  std::size_t channel_axis, const std::array<std::size_t, 2>& strides,
                  const std::array<std::size_t, 2>& dilation_rate) {
  check_rank4(op, "input", x, "(batch, height, width, channels)");
  check_rank4(op, "kernel", kernel, kernel_layout);
  const Shape& xs = x.shape();
  const Shape& ks = kernel.shape();
  if (ks[0] == 0 || ks[1] == 0)
    throw ShapeError(fmt::format("{}: the kernel {} has an empty window", op, shape_to_string(ks)));
  check_positive(op, "strides", strides);
  check_positive(op, "dilation_rate", dilation_rate);
  if (xs[3] != ks[channel_axis])
    throw ShapeError(fmt::format("{}: the input {} has {} channels but the kernel {} expects {}", op,
                                 shape_to_string(xs), xs[3], shape_to_string(ks), ks[channel_axis]));
}

// c (m x n) = op(a) op(b) over the pool (conv2d_transpose's products).
void gemm(bool transpose_a, bool transpose_b, std::size_t m, std::size_t n, std::size_t k, const float* a,
          const float* b, float* c) {
  kernels::parallel_sgemm(transpose_a, transpose_b, m, n, k, a, b, 0.0f, c);
}

// The window matrix (patches x patch_size) of image under g. A pointwise geometry reads
// the image in place; otherwise the matrix is built in `storage`.
const float* window_matrix(const ConvGeometry& g, const Tensor& image, Tensor& storage) {
  if (g.is_pointwise()) return image.data();
  storage = Tensor::empty({g.patches(), g.patch_size()});
  kernels::im2col(g, image.data(), storage.data());
  return storage.data();
}

// out = im2col(x) (N*OH*OW, KH*KW*C) x kernel (KH*KW*C, F): Keras's kernel layout is already
// that matrix, and the product's rows are the NHWC output positions.
Variable conv2d_with_bias(const Variable& x, const Variable& kernel, const Variable* bias,
                          const Conv2DOptions& options) {
  const ConvGeometry g = kernels::conv2d_geometry(x, kernel, bias, options);
  const std::size_t filters = kernel.shape()[3];
  Tensor out = Tensor::empty({g.batch, g.height.windows, g.width.windows, filters});
  const kernels::ConvKernels path = kernels::conv2d_path(g, filters);
  const ops::FusedActivation activation = options.activation;
  path.forward(g, x.value().data(), kernel.value().data(), bias ? bias->value().data() : nullptr, filters, activation,
               out.data());
  std::vector<Variable> inputs{x, kernel};
  if (bias) inputs.push_back(*bias);
  return autograd::record("conv2d", std::move(out), std::move(inputs),
                          [x, kernel, g, filters, path, activation, has_bias = bias != nullptr](BackwardContext& c) {
    const bool need_bias = has_bias && c.needs(2);
    Tensor dx = c.needs(0) ? Tensor::empty(x.shape()) : Tensor();
    Tensor dk = c.needs(1) ? Tensor::empty(kernel.shape()) : Tensor();
    Tensor db = need_bias ? Tensor::empty({filters}) : Tensor();
    path.backward(g, x.value().data(), kernel.value().data(), filters, activation, c.output.data(),
                  c.grad_output.data(), c.needs(0) ? dx.data() : nullptr, c.needs(1) ? dk.data() : nullptr,
                  need_bias ? db.data() : nullptr);
    if (need_bias) c.add(2, std::move(db));
    if (c.needs(1)) c.add(1, std::move(dk));
    if (c.needs(0)) c.add(0, std::move(dx));
  });
}

}  // namespace

Variable conv2d(const Variable& x, const Variable& kernel, const Conv2DOptions& options) {
  return conv2d_with_bias(x, kernel, nullptr, options);
}

Variable conv2d(const Variable& x, const Variable& kernel, const Variable& bias, const Conv2DOptions& options) {
  return conv2d_with_bias(x, kernel, &bias, options);
}

// The adjoint of conv2d's input map: out = col2im(x (N*H*W, C_in) x K^T), where K is the
// kernel viewed as (KH*KW*C_out, C_in) and the windows run over the output image.
Variable conv2d_transpose(const Variable& x, const Variable& kernel, const Conv2DTransposeOptions& options) {
  constexpr const char* op = "conv2d_transpose";
  check_inputs(op, x, kernel, "(kernel_height, kernel_width, filters, in_channels)", 3, options.strides,
               options.dilation_rate);
  const Shape& xs = x.shape();
  const Shape& ks = kernel.shape();
  const auto& output_padding = options.output_padding;
  if (output_padding[0] < -1 || output_padding[1] < -1)
    throw ValueError(fmt::format("conv2d_transpose: output_padding must be -1 (none) or non-negative, got ({}, {})",
                                 output_padding[0], output_padding[1]));
  for (std::size_t axis = 0; axis < 2; ++axis)
    if (output_padding[axis] >= static_cast<std::int64_t>(options.strides[axis]))
      throw ValueError(fmt::format("conv2d_transpose: strides {} must be greater than output padding ({}, {})",
                                   pair_to_string(options.strides), output_padding[0], output_padding[1]));
  ConvGeometry g{.batch = xs[0], .channels = ks[2], .height = {}, .width = {}};
  std::array<std::size_t, 2> extent{};
  for (std::size_t axis = 0; axis < 2; ++axis) {
    const std::size_t size = ks[axis], stride = options.strides[axis], dilation = options.dilation_rate[axis];
    extent[axis] = conv_transpose_output_length(xs[1 + axis], size, options.padding, stride, dilation,
                                                output_padding[axis]);
  }
  for (std::size_t axis = 0; axis < 2; ++axis) {
    const std::size_t size = ks[axis], stride = options.strides[axis], dilation = options.dilation_rate[axis];
    const std::size_t windows = xs[1 + axis], image = extent[axis];
    // The output must be an image whose convolution has the input's extent, as TensorFlow's
    // conv2d_transpose requires (an even kernel with 'same' and output_padding 0 is not).
    const bool fits = (options.padding == Padding::same || image >= dilated_size(size, dilation)) &&
                      conv_output_length(image, size, options.padding, stride, dilation) == windows;
    if (!fits)
      throw ShapeError(fmt::format(
          "conv2d_transpose: the input {} with kernel {}, strides {}, padding '{}' and output_padding ({}, {}) gives "
          "a {}x{} output, whose convolution would not have the input's {}x{} positions",
          shape_to_string(xs), shape_to_string(ks), pair_to_string(options.strides), to_string(options.padding),
          output_padding[0], output_padding[1], extent[0], extent[1], xs[1], xs[2]));
    (axis == 0 ? g.height : g.width) =
        WindowAxis{.image = image, .windows = windows, .kernel = size, .stride = stride, .dilation = dilation,
                   .pad_before = kernels::pad_before(options.padding, image, windows, size, stride, dilation)};
  }
  const std::size_t in_channels = ks[3];
  Tensor out({g.batch, g.height.image, g.width.image, g.channels});
  if (g.is_pointwise()) {
    gemm(false, true, g.patches(), g.patch_size(), in_channels, x.value().data(), kernel.value().data(), out.data());
  } else if (g.patches() && g.patch_size()) {
    Tensor cols = Tensor::empty({g.patches(), g.patch_size()});
    gemm(false, true, g.patches(), g.patch_size(), in_channels, x.value().data(), kernel.value().data(), cols.data());
    kernels::col2im(g, cols.data(), out.data());
  }
  return autograd::record(op, std::move(out), {x, kernel}, [x, kernel, g, in_channels](BackwardContext& c) {
    const std::size_t rows = g.patches(), patch = g.patch_size();
    Tensor storage;
    const float* dcols = rows && patch ? window_matrix(g, c.grad_output, storage) : nullptr;
    if (c.needs(0)) {
      // dX = im2col(dY) K
      Tensor dx = Tensor::empty(x.shape());
      gemm(false, false, rows, in_channels, patch, dcols, kernel.value().data(), dx.data());
      c.add(0, std::move(dx));
    }
    if (c.needs(1)) {
      // dK = im2col(dY)^T X
      Tensor dk = Tensor::empty(kernel.shape());
      gemm(true, false, patch, in_channels, rows, dcols, x.value().data(), dk.data());
      c.add(1, std::move(dk));
    }
  });
}

}  // namespace strata::ops

namespace strata::kernels {

ConvGeometry conv2d_geometry(const Variable& x, const Variable& kernel, const Variable* bias,
                             const ops::Conv2DOptions& options) {
  constexpr const char* op = "conv2d";
  ops::check_inputs(op, x, kernel, "(kernel_height, kernel_width, in_channels, filters)", 2, options.strides,
                    options.dilation_rate);
  const Shape& xs = x.shape();
  const Shape& ks = kernel.shape();
  ConvGeometry g{.batch = xs[0], .channels = xs[3], .height = {}, .width = {}};
  for (std::size_t axis = 0; axis < 2; ++axis) {
    const std::size_t image = xs[1 + axis], size = ks[axis];
    const std::size_t stride = options.strides[axis], dilation = options.dilation_rate[axis];
    if (options.padding == ops::Padding::valid && image < ops::dilated_size(size, dilation))
      throw ShapeError(fmt::format(
          "conv2d: one of the dimensions in the output is <= 0 due to downsampling. Consider increasing the input "
          "size. Received input shape {} and kernel {} with dilation_rate {} and padding 'valid'",
          shape_to_string(xs), shape_to_string(ks), ops::pair_to_string(options.dilation_rate)));
    const std::size_t windows = ops::conv_output_length(image, size, options.padding, stride, dilation);
    (axis == 0 ? g.height : g.width) =
        WindowAxis{.image = image, .windows = windows, .kernel = size, .stride = stride, .dilation = dilation,
                   .pad_before = pad_before(options.padding, image, windows, size, stride, dilation)};
  }
  const std::size_t filters = ks[3];
  if (bias && bias->shape() != Shape{filters})
    throw ShapeError(fmt::format("conv2d: the bias {} does not match the kernel's {} filters",
                                 shape_to_string(bias->shape()), filters));
  return g;
}

// Few input channels: direct loops; a 3x3 kernel at stride 1: Winograd; otherwise im2col.
ConvKernels conv2d_path(const ConvGeometry& g, std::size_t filters) {
  if (conv2d_direct_suits(g, filters)) return {conv2d_direct_forward, conv2d_direct_backward};
  if (conv2d_winograd_suits(g, filters)) return {conv2d_winograd_forward, conv2d_winograd_backward};
  return {conv2d_im2col_forward, conv2d_im2col_backward};
}

}  // namespace strata::kernels
