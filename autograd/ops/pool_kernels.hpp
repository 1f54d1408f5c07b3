// Internal: max pooling's window geometry and its indexed kernels (pool.cpp), shared by
// max_pool2d and conv2d_max_pool2d (conv_pool.cpp), which pools a convolution's output a
// few images at a time while it is in cache.
#pragma once

#include <cstddef>
#include <cstdint>

#include "autograd/ops/conv_geometry.hpp"
#include "strata/ops.hpp"

namespace strata::kernels {

// The windows of pooling with `options` over an NHWC input of shape x; `op` names the op
// in the errors (a rank other than 4, an empty pool, a 'valid' pool larger than the image).
ConvGeometry pool_geometry(const char* op, const Shape& x, const ops::Pool2DOptions& options);
// True when no two windows share a cell (strides >= pool size).
bool pool_windows_disjoint(const ConvGeometry& g);
// Zeros the cells of the images [first, last) of dx (shaped like the pooled input) that lie
// in no window: with disjoint windows the backward pass writes every other cell once, so
// only these need zeroing.
void zero_outside_windows(const ConvGeometry& g, std::size_t first, std::size_t last, float* dx);

// For the images [first, last) of x: out = each window's maximum (NaN never compares
// greater, so a NaN stays only in a window's first cell).
void max_pool(const ConvGeometry& g, std::size_t first, std::size_t last, const float* x, float* out);
// The same maxima, and index = each one's cell number in its window (clipped to the
// image), row-major, the first one on ties. The 1-byte index takes windows of up to 256
// cells.
void max_pool_indexed(const ConvGeometry& g, std::size_t first, std::size_t last, const float* x, float* out,
                      std::uint8_t* index);
void max_pool_indexed(const ConvGeometry& g, std::size_t first, std::size_t last, const float* x, float* out,
                      std::uint32_t* index);
// Its adjoint for the images [first, last): each window's cells of dx get dy at its
// maximum and zero elsewhere, added instead of written where windows overlap; cells in no
// window are left as they are (zero_outside_windows, or zero all of dx where windows overlap).
void max_pool_indexed_backward(const ConvGeometry& g, std::size_t first, std::size_t last, const std::uint8_t* index,
                               const float* dy, float* dx);
void max_pool_indexed_backward(const ConvGeometry& g, std::size_t first, std::size_t last,
                               const std::uint32_t* index, const float* dy, float* dx);

}  // namespace strata::kernels
