// Test helpers shared by the tests of conv2d's kernel paths (direct, Winograd, im2col):
// a window description, its ConvGeometry, and one path's values and gradients.
#pragma once

#include <array>
#include <cstddef>
#include <limits>

#include "autograd/ops/conv_geometry.hpp"
#include "strata/ops.hpp"
#include "strata/tensor.hpp"

namespace strata::testing {

struct ConvWindow {
  std::array<std::size_t, 2> kernel, strides, dilation;
  ops::Padding padding;
};

inline kernels::ConvGeometry conv_geometry(const Shape& x, const ConvWindow& w) {
  kernels::ConvGeometry g{.batch = x[0], .channels = x[3], .height = {}, .width = {}};
  for (std::size_t axis = 0; axis < 2; ++axis) {
    const std::size_t image = x[1 + axis], k = w.kernel[axis], s = w.strides[axis], d = w.dilation[axis];
    const std::size_t out = ops::conv_output_length(image, k, w.padding, s, d);
    (axis == 0 ? g.height : g.width) = {.image = image, .windows = out, .kernel = k, .stride = s, .dilation = d,
                                        .pad_before = kernels::pad_before(w.padding, image, out, k, s, d)};
  }
  return g;
}

using kernels::ConvKernels;

inline const ConvKernels im2col_kernels{kernels::conv2d_im2col_forward, kernels::conv2d_im2col_backward};

// y, dx, dk and db of one path on the same inputs (dy: the gradient of the activated y).
inline std::array<Tensor, 4> run_conv_kernels(const ConvKernels& path, const kernels::ConvGeometry& g, const Tensor& x,
                                              const Tensor& k, const Tensor& b, const Tensor& dy,
                                              const ops::FusedActivation& activation = {}) {
  const std::size_t filters = k.dim(3);
  Tensor y = Tensor::empty(dy.shape()), dx = Tensor::empty(x.shape()), dk = Tensor::empty(k.shape());
  Tensor db = Tensor::empty({filters});
  // NaN everywhere first: a kernel must write every output, not add to what was there.
  for (Tensor* t : {&y, &dx, &dk, &db}) t->fill(std::numeric_limits<float>::quiet_NaN());
  path.forward(g, x.data(), k.data(), b.data(), filters, activation, y.data());
  path.backward(g, x.data(), k.data(), filters, activation, y.data(), dy.data(), dx.data(), dk.data(), db.data());
  return {y, dx, dk, db};
}

}  // namespace strata::testing
