// 2-d max and average pooling (NHWC) with TensorFlow's 'same' padding, and their
// backward passes. Padded cells never take part: max ignores them, average does not count them.
#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <vector>

#include "autograd/node.hpp"
#include "autograd/ops/conv_geometry.hpp"
#include "autograd/ops/pool_kernels.hpp"
#include "autograd/ops/simd.hpp"
#include "autograd/parallel/parallel.hpp"
#include "strata/error.hpp"
#include "strata/ops.hpp"

namespace strata::ops {

using autograd::BackwardContext;
using kernels::ConvGeometry;
using kernels::WindowAxis;

namespace {

std::string pair_to_string(const std::array<std::size_t, 2>& v) { return fmt::format("({}, {})", v[0], v[1]); }

// The part [begin, end) of window w's cells that lies inside the image.
struct Span {
  std::size_t begin, end;
};
Span clip(const WindowAxis& a, std::size_t window) {
  const std::ptrdiff_t start = a.start(window);
  const std::ptrdiff_t stop = start + static_cast<std::ptrdiff_t>(a.kernel);
  return {static_cast<std::size_t>(std::max<std::ptrdiff_t>(start, 0)),
          static_cast<std::size_t>(std::clamp<std::ptrdiff_t>(stop, 0, static_cast<std::ptrdiff_t>(a.image)))};
}

// Calls f(out, base, rows, cols) for every output position (n, oh, ow) of the images
// [first, last): out is its flat offset in the output, base the offset of image n in x,
// and rows/cols the part of its window inside the image (never empty with TensorFlow's
// padding).
template <class F>
void visit_windows(const ConvGeometry& g, std::size_t first, std::size_t last, F& visit) {
  const std::size_t image_plane = g.height.image * g.width.image * g.channels;
  const std::size_t channels = g.channels, out_plane = g.height.windows * g.width.windows * channels;
  for (std::size_t n = first; n < last; ++n) {
    std::size_t out = n * out_plane;
    for (std::size_t oh = 0; oh < g.height.windows; ++oh) {
      const Span rows = clip(g.height, oh);
      for (std::size_t ow = 0; ow < g.width.windows; ++ow, out += channels)
        visit(out, n * image_plane, rows, clip(g.width, ow));
    }
  }
}

// f(first, last) for ranges of whole images split over the pool (at least 128 KB of input
// each).
template <class F>
void for_image_ranges(const ConvGeometry& g, F&& f) {
  const std::size_t image_plane = g.height.image * g.width.image * g.channels;
  const std::size_t grain = std::max<std::size_t>(1, (std::size_t{1} << 15) / std::max<std::size_t>(image_plane, 1));
  parallel::for_ranges(g.batch, grain, f);
}

// visit_windows over the whole batch, split over the pool. f should capture by value: each
// thread calls a private copy, whose pointers and sizes the compiler then knows the
// outputs cannot overwrite.
template <class F>
void for_each_window(const ConvGeometry& geometry, F&& f) {
  for_image_ranges(geometry, [&](std::size_t first, std::size_t last) {
    const ConvGeometry g = geometry;
    F visit = f;
    visit_windows(g, first, last, visit);
  });
}

// Zero-filled like x, filled in parallel (first touch by the threads that use it).
Tensor zeros_like_images(const ConvGeometry& g, const Shape& shape) {
  Tensor t = Tensor::empty(shape);
  const std::size_t image_plane = g.height.image * g.width.image * g.channels;
  parallel::parallel_for(g.batch, 1, [&](std::size_t, std::size_t first, std::size_t last) {
    std::fill(t.data() + first * image_plane, t.data() + last * image_plane, 0.0f);
  });
  return t;
}

Shape output_shape(const ConvGeometry& g) { return {g.batch, g.height.windows, g.width.windows, g.channels}; }


// covered[i] is 1 when position i along `a` lies in some window.
std::vector<char> covered(const WindowAxis& a) {
  std::vector<char> inside(a.image, 0);
  for (std::size_t w = 0; w < a.windows; ++w) {
    const Span span = clip(a, w);
    std::fill(inside.begin() + static_cast<std::ptrdiff_t>(span.begin),
              inside.begin() + static_cast<std::ptrdiff_t>(span.end), 1);
  }
  return inside;
}

// The max-pool kernels run on explicit vectors of simd::lanes channels: written as plain
// loops, GCC turned the selects beside a byte index into branches, and copied each
// window's first cell with a call to memcpy.
namespace simd = kernels::simd;
using simd::ivec;
using simd::vec;

// f.template operator()<Partial>(c0, width) for the channels [c0, c0 + width): whole
// vectors of simd::lanes, then a narrower rest (Partial).
template <class F>
void for_lane_groups(std::size_t channels, F&& f) {
  std::size_t c0 = 0;
  for (; c0 + simd::lanes <= channels; c0 += simd::lanes) f.template operator()<false>(c0, simd::lanes);
  if (c0 < channels) f.template operator()<true>(c0, channels - c0);
}

// The maxima only (inference).
void max_pool_images(const ConvGeometry& geometry, std::size_t first, std::size_t last, const float* x, float* out) {
  const ConvGeometry g = geometry;
  const std::size_t channels = g.channels, row = g.width.image * channels;
  const auto pool_lanes = [&]<bool Partial>(std::size_t o, std::size_t base, Span rows, Span cols, std::size_t c0,
                                            std::size_t width) {
    vec best = simd::load_cols<Partial>(x + base + rows.begin * row + cols.begin * channels + c0, width);
    for (std::size_t ih = rows.begin; ih < rows.end; ++ih)
      for (std::size_t iw = cols.begin; iw < cols.end; ++iw) {
        const vec v = simd::load_cols<Partial>(x + base + ih * row + iw * channels + c0, width);
        best = v > best ? v : best;  // NaN never compares greater
      }
    simd::store_cols<Partial>(out + o + c0, best, width);
  };
  auto visit = [=](std::size_t o, std::size_t base, Span rows, Span cols) {
    for_lane_groups(channels, [&]<bool Partial>(std::size_t c0, std::size_t width) {
      pool_lanes.template operator()<Partial>(o, base, rows, cols, c0, width);
    });
  };
  visit_windows(g, first, last, visit);
}

template <class Index>
void max_pool_indexed_images(const ConvGeometry& geometry, std::size_t first, std::size_t last, const float* x,
                             float* out, Index* index) {
  const ConvGeometry g = geometry;  // a local copy: the stores below cannot change it
  const std::size_t channels = g.channels, row = g.width.image * channels;
  // The maxima and cell numbers of `width` channels from c0 of one window.
  const auto pool_lanes = [&]<bool Partial>(std::size_t o, std::size_t base, Span rows, Span cols, std::size_t c0,
                                            std::size_t width) {
    vec best = simd::load_cols<Partial>(x + base + rows.begin * row + cols.begin * channels + c0, width);
    ivec best_cell{};
    std::int32_t cell = 0;
    for (std::size_t ih = rows.begin; ih < rows.end; ++ih)
      for (std::size_t iw = cols.begin; iw < cols.end; ++iw, ++cell) {
        const vec v = simd::load_cols<Partial>(x + base + ih * row + iw * channels + c0, width);
        const ivec greater = v > best;  // NaN never compares greater
        best = greater ? v : best;
        best_cell = greater ? cell - ivec{} : best_cell;
      }
    simd::store_cols<Partial>(out + o + c0, best, width);
    for (std::size_t l = 0; l < width; ++l) index[o + c0 + l] = static_cast<Index>(best_cell[l]);
  };
  auto visit = [=](std::size_t o, std::size_t base, Span rows, Span cols) {
    for_lane_groups(channels, [&]<bool Partial>(std::size_t c0, std::size_t width) {
      pool_lanes.template operator()<Partial>(o, base, rows, cols, c0, width);
    });
  };
  visit_windows(g, first, last, visit);
}

template <class Index>
void max_pool_indexed_backward_images(const ConvGeometry& geometry, std::size_t first, std::size_t last,
                                      const Index* index, const float* dy, float* dx) {
  const ConvGeometry g = geometry;
  const std::size_t channels = g.channels, row = g.width.image * channels;
  const bool overlap = !kernels::pool_windows_disjoint(g);
  const auto spread_lanes = [&]<bool Partial>(std::size_t o, std::size_t base, Span rows, Span cols, std::size_t c0,
                                              std::size_t width) {
    ivec max_cell{};
    for (std::size_t l = 0; l < width; ++l) max_cell[l] = static_cast<std::int32_t>(index[o + c0 + l]);
    const vec grad = simd::load_cols<Partial>(dy + o + c0, width);
    std::int32_t cell = 0;
    for (std::size_t ih = rows.begin; ih < rows.end; ++ih)
      for (std::size_t iw = cols.begin; iw < cols.end; ++iw, ++cell) {
        float* at = dx + base + ih * row + iw * channels + c0;
        vec part = max_cell == cell ? grad : vec{};
        if (overlap) part += simd::load_cols<Partial>(at, width);
        simd::store_cols<Partial>(at, part, width);
      }
  };
  auto visit = [=](std::size_t o, std::size_t base, Span rows, Span cols) {
    for_lane_groups(channels, [&]<bool Partial>(std::size_t c0, std::size_t width) {
      spread_lanes.template operator()<Partial>(o, base, rows, cols, c0, width);
    });
  };
  visit_windows(g, first, last, visit);
}

// max_pool2d under a tape: the maxima and their cell numbers (kernels::max_pool_indexed),
// Index being 1 byte for windows of up to 256 cells, 8 times less to write and read back
// than a flat index.
template <class Index>
Variable record_max_pool2d(const Variable& x, const ConvGeometry& g, Tensor out) {
  auto argmax = std::make_shared<std::vector<Index>>(out.size());
  const float* px = x.value().data();
  float* po = out.data();
  Index* pa = argmax->data();
  for_image_ranges(g,
                   [&](std::size_t first, std::size_t last) { kernels::max_pool_indexed(g, first, last, px, po, pa); });
  return autograd::record("max_pool2d", std::move(out), {x}, [x, argmax, g](BackwardContext& c) {
    // Disjoint windows write each of their cells once, so only the cells outside them need
    // zeroing first; overlapping ones add into all of dx.
    const bool disjoint = kernels::pool_windows_disjoint(g);
    Tensor dx = disjoint ? Tensor::empty(x.shape()) : zeros_like_images(g, x.shape());
    const float* dy = c.grad_output.data();
    float* pd = dx.data();
    const Index* index = argmax->data();
    // Each image's windows lie in that image, so threads taking whole images never collide.
    parallel::parallel_for(g.batch, 1, [&](std::size_t, std::size_t first, std::size_t last) {
      if (disjoint) kernels::zero_outside_windows(g, first, last, pd);
      kernels::max_pool_indexed_backward(g, first, last, index, dy, pd);
    });
    c.add(0, std::move(dx));
  });
}

}  // namespace

Variable max_pool2d(const Variable& x, const Pool2DOptions& options) {
  const ConvGeometry g = kernels::pool_geometry("max_pool2d", x.shape(), options);
  Tensor out = Tensor::empty(output_shape(g));  // every window has a first cell
  const float* px = x.value().data();
  float* po = out.data();
  if (!autograd::is_recording({&x})) {
    for_image_ranges(g, [&](std::size_t first, std::size_t last) { kernels::max_pool(g, first, last, px, po); });
    return constant(std::move(out));
  }
  if (g.height.kernel * g.width.kernel <= 256) return record_max_pool2d<std::uint8_t>(x, g, std::move(out));
  return record_max_pool2d<std::uint32_t>(x, g, std::move(out));
}

Variable avg_pool2d(const Variable& x, const Pool2DOptions& options) {
  const ConvGeometry g = kernels::pool_geometry("avg_pool2d", x.shape(), options);
  const std::size_t channels = g.channels, row = g.width.image * channels;
  Tensor out(output_shape(g));
  const float* px = x.value().data();
  float* po = out.data();
  for_each_window(g, [=](std::size_t o, std::size_t base, Span rows, Span cols) {
    float* sum = po + o;
    for (std::size_t ih = rows.begin; ih < rows.end; ++ih)
      for (std::size_t iw = cols.begin; iw < cols.end; ++iw) {
        const float* cell = px + base + ih * row + iw * channels;
        for (std::size_t c = 0; c < channels; ++c) sum[c] += cell[c];
      }
    const std::size_t count = (rows.end - rows.begin) * (cols.end - cols.begin);
    if (count == 0) return;
    const float scale = 1.0f / static_cast<float>(count);
    for (std::size_t c = 0; c < channels; ++c) sum[c] *= scale;
  });
  return autograd::record("avg_pool2d", std::move(out), {x}, [x, g](BackwardContext& c) {
    Tensor dx = zeros_like_images(g, x.shape());
    const std::size_t channels = g.channels, row = g.width.image * channels;
    const float* dy = c.grad_output.data();
    float* pd = dx.data();
    for_each_window(g, [=](std::size_t o, std::size_t base, Span rows, Span cols) {
      const std::size_t count = (rows.end - rows.begin) * (cols.end - cols.begin);
      if (count == 0) return;
      const float scale = 1.0f / static_cast<float>(count);
      for (std::size_t ih = rows.begin; ih < rows.end; ++ih)
        for (std::size_t iw = cols.begin; iw < cols.end; ++iw) {
          float* cell = pd + base + ih * row + iw * channels;
          for (std::size_t c = 0; c < channels; ++c) cell[c] += dy[o + c] * scale;
        }
    });
    c.add(0, std::move(dx));
  });
}

}  // namespace strata::ops

namespace strata::kernels {

using ops::Padding;
using ops::Pool2DOptions;

ConvGeometry pool_geometry(const char* op, const Shape& xs, const Pool2DOptions& options) {
  if (xs.size() != 4)
    throw ShapeError(fmt::format("{}: expected a 4-d input (batch, height, width, channels), got shape {}", op,
                                 shape_to_string(xs)));
  if (options.pool_size[0] == 0 || options.pool_size[1] == 0)
    throw ValueError(fmt::format("{}: the `pool_size` argument must be a tuple of 2 positive integers, got {}", op,
                                 ops::pair_to_string(options.pool_size)));
  ConvGeometry g{.batch = xs[0], .channels = xs[3], .height = {}, .width = {}};
  for (std::size_t axis = 0; axis < 2; ++axis) {
    const std::size_t image = xs[1 + axis], size = options.pool_size[axis];
    const std::size_t stride = options.strides[axis] == 0 ? size : options.strides[axis];
    if (options.padding == Padding::valid && image < size)
      throw ShapeError(fmt::format("{}: computed output size would be zero or negative. Received input shape {} "
                                   "with pool_size {} and padding 'valid'",
                                   op, shape_to_string(xs), ops::pair_to_string(options.pool_size)));
    const std::size_t windows = ops::conv_output_length(image, size, options.padding, stride);
    (axis == 0 ? g.height : g.width) =
        WindowAxis{.image = image, .windows = windows, .kernel = size, .stride = stride, .dilation = 1,
                   .pad_before = pad_before(options.padding, image, windows, size, stride, 1)};
  }
  return g;
}

bool pool_windows_disjoint(const ConvGeometry& g) {
  return g.height.stride >= g.height.kernel && g.width.stride >= g.width.kernel;
}

void zero_outside_windows(const ConvGeometry& g, std::size_t first, std::size_t last, float* dx) {
  const std::vector<char> rows = ops::covered(g.height), cols = ops::covered(g.width);
  const auto all = [](const std::vector<char>& v) { return std::find(v.begin(), v.end(), 0) == v.end(); };
  if (all(rows) && all(cols)) return;
  const std::size_t channels = g.channels, row = g.width.image * channels;
  for (std::size_t n = first; n < last; ++n)
    for (std::size_t h = 0; h < g.height.image; ++h) {
      float* at = dx + (n * g.height.image + h) * row;
      if (!rows[h]) {
        std::fill_n(at, row, 0.0f);
        continue;
      }
      for (std::size_t w = 0; w < g.width.image; ++w)
        if (!cols[w]) std::fill_n(at + w * channels, channels, 0.0f);
    }
}

void max_pool(const ConvGeometry& g, std::size_t first, std::size_t last, const float* x, float* out) {
  ops::max_pool_images(g, first, last, x, out);
}
void max_pool_indexed(const ConvGeometry& g, std::size_t first, std::size_t last, const float* x, float* out,
                      std::uint8_t* index) {
  ops::max_pool_indexed_images(g, first, last, x, out, index);
}
void max_pool_indexed(const ConvGeometry& g, std::size_t first, std::size_t last, const float* x, float* out,
                      std::uint32_t* index) {
  ops::max_pool_indexed_images(g, first, last, x, out, index);
}
void max_pool_indexed_backward(const ConvGeometry& g, std::size_t first, std::size_t last, const std::uint8_t* index,
                               const float* dy, float* dx) {
  ops::max_pool_indexed_backward_images(g, first, last, index, dy, dx);
}
void max_pool_indexed_backward(const ConvGeometry& g, std::size_t first, std::size_t last,
                               const std::uint32_t* index, const float* dy, float* dx) {
  ops::max_pool_indexed_backward_images(g, first, last, index, dy, dx);
}

}  // namespace strata::kernels
