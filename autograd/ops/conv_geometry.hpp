// Internal: the window geometry shared by conv2d, conv2d_transpose and pooling (an NHWC
// image, a grid of kernel windows over it, TensorFlow's padding), and the im2col/col2im
// copies between an image and its matrix of windows, and conv2d's im2col path (defined in
// conv.cpp).
#pragma once

#include <cstddef>
#include <vector>

#include "strata/ops.hpp"

namespace strata::kernels {

// One spatial axis: window w covers image positions w * stride - pad_before + k * dilation
// for k < kernel; positions outside [0, image) are padding (zeros, or skipped by pooling).
struct WindowAxis {
  std::size_t image = 0;    // extent of the image along this axis
  std::size_t windows = 0;  // number of windows (the conv output extent)
  std::size_t kernel = 1;
  std::size_t stride = 1;
  std::size_t dilation = 1;
  std::size_t pad_before = 0;

  std::ptrdiff_t start(std::size_t window) const {
    return static_cast<std::ptrdiff_t>(window * stride) - static_cast<std::ptrdiff_t>(pad_before);
  }
  std::ptrdiff_t position(std::size_t window, std::size_t k) const {
    return start(window) + static_cast<std::ptrdiff_t>(k * dilation);
  }
  bool inside(std::ptrdiff_t position) const {
    return position >= 0 && position < static_cast<std::ptrdiff_t>(image);
  }
};

// TensorFlow's padding for `windows` windows over `image` positions: none for 'valid';
// for 'same' max((windows - 1) * stride + dilated_kernel - image, 0) in total, of which
// the smaller half goes before (the odd extra row/column goes after).
inline std::size_t pad_before(ops::Padding padding, std::size_t image, std::size_t windows, std::size_t kernel,
                              std::size_t stride, std::size_t dilation) {
  if (padding == ops::Padding::valid || windows == 0) return 0;
  const std::size_t dilated = (kernel - 1) * dilation + 1;
  const std::size_t needed = (windows - 1) * stride + dilated;
  return needed > image ? (needed - image) / 2 : 0;
}

// A batch of NHWC images with `channels` channels, and the windows of one kernel over them.
struct ConvGeometry {
  std::size_t batch = 0;
  std::size_t channels = 0;
  WindowAxis height, width;

  // One row of the window matrix: (kernel_h, kernel_w, channels), Keras's kernel order.
  std::size_t patch_size() const { return height.kernel * width.kernel * channels; }
  // Rows of the window matrix: (batch, windows_h, windows_w), i.e. NHWC output positions.
  std::size_t patches() const { return batch * height.windows * width.windows; }
  std::size_t image_size() const { return batch * height.image * width.image * channels; }
  // The same windows over the first `count` images (a block of the batch, offset by the caller).
  ConvGeometry with_batch(std::size_t count) const {
    ConvGeometry block = *this;
    block.batch = count;
    return block;
  }
  // A 1x1 kernel at stride 1 without padding: the window matrix is the image itself.
  bool is_pointwise() const {
    auto plain = [](const WindowAxis& a) {
      return a.kernel == 1 && a.stride == 1 && a.pad_before == 0 && a.windows == a.image;
    };
    return plain(height) && plain(width);
  }
};

// cols (patches x patch_size) <- the windows of image, zeros where they cover padding.
void im2col(const ConvGeometry& g, const float* image, float* cols);
// image += each window row of cols scattered back to the positions it was read from
// (the adjoint of im2col); padding positions are dropped.
void col2im(const ConvGeometry& g, const float* cols, float* image);

// conv2d's fused activation (strata/fused_ops.hpp) in the kernels. The forward
// kernels apply it to each block of outputs while the block is in cache; the backward
// kernels start from dy, the gradient of the activated output y, and turn it into the
// gradient of the convolution's output, dy times the slope at y, as they read it.
inline void apply_activation(const ops::FusedActivation& activation, float* values, std::size_t count) {
  if (activation.kind == ops::FusedActivation::Kind::relu) {
    for (std::size_t i = 0; i < count; ++i) values[i] = values[i] < 0.0f ? 0.0f : values[i];  // ops::relu's select
  } else if (activation.kind == ops::FusedActivation::Kind::leaky_relu) {
    const float alpha = activation.alpha;
    for (std::size_t i = 0; i < count; ++i) values[i] = values[i] > 0.0f ? values[i] : values[i] * alpha;
  }
}
// dz[i] = dy[i] times the slope at y[i]: 1 where y > 0, else 0 (relu) or alpha (leaky_relu),
// the same products as the activations' own backward passes.
inline void activation_gradient(const ops::FusedActivation& activation, const float* dy, const float* y,
                                std::size_t count, float* dz) {
  const float below = activation.kind == ops::FusedActivation::Kind::relu ? 0.0f : activation.alpha;
  for (std::size_t i = 0; i < count; ++i) dz[i] = y[i] > 0.0f ? dy[i] : dy[i] * below;
}

// One way of computing conv2d and its gradients (conv.cpp picks one per call), with the
// signatures of conv2d_im2col_forward/backward below. forward: out (N, OH, OW, F) =
// activation(the convolution of x (N, H, W, C) with kernel (KH, KW, C, F), plus bias (F)
// when not null). backward: from dy, the gradient of that output y (y read only for a fused
// activation), dx, dk and dbias, any of them null when not wanted. Both write every value
// of their outputs (whatever the buffers held before does not matter); the sums add in an order
// fixed by the thread count, so a given count gives the same bits from run to run.
struct ConvKernels {
  void (*forward)(const ConvGeometry&, const float*, const float*, const float*, std::size_t,
                  const ops::FusedActivation&, float*);
  void (*backward)(const ConvGeometry&, const float*, const float*, std::size_t, const ops::FusedActivation&,
                   const float*, const float*, float*, float*, float*);
};

// conv2d's checks (errors name conv2d) and its window geometry for x, kernel and bias (conv.cpp).
ConvGeometry conv2d_geometry(const Variable& x, const Variable& kernel, const Variable* bias,
                             const ops::Conv2DOptions& options);
// The kernel pair conv2d uses for g: direct loops for few input channels, Winograd for a
// 3x3 kernel at stride 1, otherwise im2col + sgemm.
ConvKernels conv2d_path(const ConvGeometry& g, std::size_t filters);

// The backward passes' bias gradient, summed per thread and added in thread order:
// sums[f] += the sum over `rows` rows of grad (rows x filters), and total = the partials
// added in order (partials must not be empty).
void add_column_sums(std::size_t rows, std::size_t filters, const float* grad, float* sums);
void add_partials(const std::vector<std::vector<float>>& partials, float* total);

// The ConvKernels pair as im2col + sgemm over blocks of images (out is the product
// im2col(x) K, N*OH*OW rows of F). conv_direct.hpp and conv_winograd.hpp have the other pairs.
void conv2d_im2col_forward(const ConvGeometry& g, const float* x, const float* kernel, const float* bias,
                           std::size_t filters, const ops::FusedActivation& activation, float* out);
void conv2d_im2col_backward(const ConvGeometry& g, const float* x, const float* kernel, std::size_t filters,
                            const ops::FusedActivation& activation, const float* y, const float* dy, float* dx,
                            float* dk, float* dbias);

}  // namespace strata::kernels
