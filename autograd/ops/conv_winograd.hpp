// Internal: conv2d for 3x3 kernels at stride 1 as Winograd's F(4x4, 3x3) minimal filtering
// (conv_winograd.cpp; Lavin and Gray, "Fast Algorithms for Convolutional Neural Networks",
// 2015): each 4x4 block of outputs comes from a 6x6 input tile with 36 multiplications per
// channel pair instead of 144, as 36 matrix products over the batch's tiles.
#pragma once

#include <cstddef>

#include "autograd/ops/conv_geometry.hpp"

namespace strata::kernels {

// True when conv2d should use the Winograd path for g: a 3x3 kernel at stride 1 without
// dilation, at least 8 input channels and 8 filters (fewer make the products too thin), an
// output large enough that whole 4x4 tiles do not waste the saving, and a batch whose
// saving pays for transforming the kernel on every call.
bool conv2d_winograd_suits(const ConvGeometry& g, std::size_t filters);

// The ConvKernels pair (conv_geometry.hpp) for a g with a 3x3 kernel, stride 1 and
// dilation 1. The backward pass differentiates the Winograd computation itself (which
// equals the convolution exactly, up to rounding).
void conv2d_winograd_forward(const ConvGeometry& g, const float* x, const float* kernel, const float* bias,
                             std::size_t filters, const ops::FusedActivation& activation, float* out);
void conv2d_winograd_backward(const ConvGeometry& g, const float* x, const float* kernel, std::size_t filters,
                              const ops::FusedActivation& activation, const float* y, const float* dy, float* dx,
                              float* dk, float* dbias);

}  // namespace strata::kernels
