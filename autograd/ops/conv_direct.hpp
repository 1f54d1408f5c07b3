// Internal: conv2d computed straight from NHWC images (conv_direct.cpp), for inputs with
// few channels, where im2col's 9*C-wide window rows make a poor matrix product.
#pragma once

#include <cstddef>

#include "autograd/ops/conv_geometry.hpp"

namespace strata::kernels {

// The direct path takes inputs with at most 4 channels whose window has at most 32 values
// (KH * KW * C: a first layer's 3x3 on gray or RGB, 5x5 on gray). Measured on this
// machine (224x224, 28x28 and 13x13 images, 16 to 64 filters) it runs 1.2x to 3.5x faster
// than im2col + sgemm there; a 3x3 window over 4 channels (36 values) is faster only on
// large images, and deeper layers' long window rows suit sgemm.
inline constexpr std::size_t direct_conv_max_channels = 4;
inline constexpr std::size_t direct_conv_max_window = 32;

// True when conv2d should use conv2d_direct_forward/backward for g (they handle any g).
bool conv2d_direct_suits(const ConvGeometry& g, std::size_t filters);

// The ConvKernels pair (conv_geometry.hpp) computed straight from the images; the backward
// pass's dx is the same for any thread count too.
void conv2d_direct_forward(const ConvGeometry& g, const float* x, const float* kernel, const float* bias,
                           std::size_t filters, const ops::FusedActivation& activation, float* out);
void conv2d_direct_backward(const ConvGeometry& g, const float* x, const float* kernel, std::size_t filters,
                            const ops::FusedActivation& activation, const float* y, const float* dy, float* dx,
                            float* dk, float* dbias);

}  // namespace strata::kernels
