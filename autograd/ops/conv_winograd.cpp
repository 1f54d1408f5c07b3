// conv2d's Winograd path: F(4x4, 3x3) for 3x3 kernels at stride 1 (Lavin and Gray 2015).
// With B, G and A the matrices below, a 4x4 output tile is Y = A^T [(G g G^T) . (B^T d B)] A
// for the 6x6 input tile d and the 3x3 kernel g of one channel pair, summed over channels.
// Over a block of tiles that sum is, for each of the 36 tile points p, one matrix product
// M_p (tiles x F) = V_p (tiles x C) U_p (C x F). The tiles' transforms are stored tile by
// tile (all 36 points of a tile together), so the products read their rows with a stride.
//
// The backward pass differentiates these same steps: dM = A dY A^T, dU_p = V_p^T dM_p,
// dV_p = dM_p U_p^T, dX = B dV B^T (tiles overlap, so their parts add) and dK = G^T dU G.
// All transforms run on vectors of `lanes` channels or filters (NHWC keeps them adjacent).
#include "autograd/ops/conv_winograd.hpp"

#include <algorithm>
#include <array>
#include <cstring>
#include <list>
#include <memory>
#include <mutex>
#include <vector>

#include "autograd/ops/gemm.hpp"
#include "autograd/ops/simd.hpp"
#include "autograd/ops/small_gemm.hpp"
#include "autograd/parallel/parallel.hpp"
#include "strata/tensor.hpp"

namespace strata::kernels {
namespace {

constexpr std::size_t tile_out = 4;                // outputs along each side of a tile
constexpr std::size_t tile_in = 6;                 // inputs along each side (tile_out + 3 - 1)
constexpr std::size_t points = tile_in * tile_in;  // transform points: one matrix product each
constexpr std::size_t lanes = simd::lanes;         // channels or filters transformed together

template <std::size_t Rows, std::size_t Cols>
using Matrix = std::array<std::array<float, Cols>, Rows>;

template <std::size_t Rows, std::size_t Cols>
constexpr Matrix<Cols, Rows> transposed(const Matrix<Rows, Cols>& m) {
  Matrix<Cols, Rows> t{};
  for (std::size_t i = 0; i < Rows; ++i)
    for (std::size_t j = 0; j < Cols; ++j) t[j][i] = m[i][j];
  return t;
}

// B^T, G and A^T of F(4x4, 3x3), interpolating at 0, 1, -1, 2, -2 and infinity.
constexpr Matrix<6, 6> input_bt{{{4, 0, -5, 0, 1, 0},
                                 {0, -4, -4, 1, 1, 0},
                                 {0, 4, -4, -1, 1, 0},
                                 {0, -2, -1, 2, 1, 0},
                                 {0, 2, -1, -2, 1, 0},
                                 {0, 4, 0, -5, 0, 1}}};
constexpr Matrix<6, 3> kernel_g{{{1.0f / 4, 0, 0},
                                 {-1.0f / 6, -1.0f / 6, -1.0f / 6},
                                 {-1.0f / 6, 1.0f / 6, -1.0f / 6},
                                 {1.0f / 24, 1.0f / 12, 1.0f / 6},
                                 {1.0f / 24, -1.0f / 12, 1.0f / 6},
                                 {0, 0, 1}}};
constexpr Matrix<4, 6> output_at{{{1, 1, 1, 1, 1, 0},
                                  {0, 1, -1, 2, -2, 0},
                                  {0, 1, 1, 4, 4, 0},
                                  {0, 1, -1, 8, -8, 1}}};
// Their transposes, for the backward pass.
constexpr Matrix<6, 6> input_b = transposed(input_bt);
constexpr Matrix<3, 6> kernel_gt = transposed(kernel_g);
constexpr Matrix<6, 4> output_a = transposed(output_at);

template <std::size_t N>
using Tile = float[N][N][lanes];

// Copies `width` <= lanes floats; a full vector (the common case) as one fixed-size move.
inline void copy_lanes(const float* src, std::size_t width, float* dst) {
  if (width == lanes)
    std::copy_n(src, lanes, dst);
  else
    std::copy_n(src, width, dst);
}

// out = sum over a of w[a] in[a * stride], for vectors of `lanes` floats.
template <std::size_t In>
[[gnu::always_inline]] inline void weighted_sum(const std::array<float, In>& w, const float* in, std::size_t stride,
                                                float* out) {
  float acc[lanes] = {};
#pragma GCC unroll 6
  for (std::size_t a = 0; a < In; ++a) {
    if (w[a] == 0.0f) continue;
    for (std::size_t l = 0; l < lanes; ++l) acc[l] += w[a] * in[a * stride + l];
  }
  std::copy_n(acc, lanes, out);
}

// out = m in m^T on tiles of lane vectors: m along the columns, then along the rows. m is
// a compile-time constant, so once the loops unroll the zero coefficients drop out.
template <std::size_t Out, std::size_t In>
inline void transform(const Matrix<Out, In>& m, const Tile<In>& in, Tile<Out>& out) {
  float half[Out][In][lanes];
#pragma GCC unroll 6
  for (std::size_t i = 0; i < Out; ++i)
#pragma GCC unroll 6
    for (std::size_t b = 0; b < In; ++b) weighted_sum(m[i], in[0][b], In * lanes, half[i][b]);
#pragma GCC unroll 6
  for (std::size_t i = 0; i < Out; ++i)
#pragma GCC unroll 6
    for (std::size_t j = 0; j < Out; ++j) weighted_sum(m[j], half[i][0], lanes, out[i][j]);
}

// The tiles of g's output, and where each starts in the image.
struct Tiling {
  const ConvGeometry& g;
  std::size_t rows = (g.height.windows + tile_out - 1) / tile_out;
  std::size_t cols = (g.width.windows + tile_out - 1) / tile_out;
  std::size_t per_image() const { return rows * cols; }
  // The image position of a tile's first input row or column (stride 1: window w starts at w - pad).
  std::ptrdiff_t input_row(std::size_t tile_row) const { return g.height.start(tile_row * tile_out); }
  std::ptrdiff_t input_col(std::size_t tile_col) const { return g.width.start(tile_col * tile_out); }
  // True when the tiles' inputs reach every image position (stride 1 and TensorFlow's
  // padding give that; the input gradient relies on it to write, not add, each first part).
  bool cover_image() const {
    return input_row(0) <= 0 && input_col(0) <= 0 &&
           input_row(rows - 1) + static_cast<std::ptrdiff_t>(tile_in) >= static_cast<std::ptrdiff_t>(g.height.image) &&
           input_col(cols - 1) + static_cast<std::ptrdiff_t>(tile_in) >= static_cast<std::ptrdiff_t>(g.width.image);
  }
  // True when the tile's inputs all lie inside the image (and so its outputs inside the output).
  bool interior(std::size_t tile_row, std::size_t tile_col) const {
    return input_row(tile_row) >= 0 && g.height.inside(input_row(tile_row) + tile_in - 1) &&
           input_col(tile_col) >= 0 && g.width.inside(input_col(tile_col) + tile_in - 1);
  }
};

// Calls f(image, slot, row, col) for the tiles [first, first + count) of the batch, tiles
// numbered image by image in row-major order; slot is the tile's place in the block.
template <class F>
void for_each_tile(const Tiling& t, std::size_t first, std::size_t count, F&& f) {
  const std::size_t per_image = t.per_image();
  for (std::size_t slot = 0; slot < count; ++slot) {
    const std::size_t tile = first + slot, place = tile % per_image;
    f(tile / per_image, slot, place / t.cols, place % t.cols);
  }
}

// v[slot][p][c] = (B^T d B)_p for the input tile d of each of `tiles` tiles from `first`.
void transform_input(const Tiling& t, const float* images, std::size_t first, std::size_t tiles, float* v) {
  const ConvGeometry& g = t.g;
  const std::size_t channels = g.channels;
  const std::size_t image_size = g.height.image * g.width.image * channels;
  for_each_tile(t, first, tiles, [&](std::size_t n, std::size_t tile, std::size_t r, std::size_t c) {
    const float* image = images + n * image_size;
    const std::ptrdiff_t row0 = t.input_row(r), col0 = t.input_col(c);
    const bool interior = t.interior(r, c);
    for (std::size_t c0 = 0; c0 < channels; c0 += lanes) {
      const std::size_t width = std::min(lanes, channels - c0);
      Tile<tile_in> d, transformed;
      if (!interior || width < lanes) std::fill_n(&d[0][0][0], tile_in * tile_in * lanes, 0.0f);
      for (std::size_t a = 0; a < tile_in; ++a) {
        const std::ptrdiff_t ih = row0 + static_cast<std::ptrdiff_t>(a);
        if (!g.height.inside(ih)) continue;
        for (std::size_t b = 0; b < tile_in; ++b) {
          const std::ptrdiff_t iw = col0 + static_cast<std::ptrdiff_t>(b);
          if (g.width.inside(iw))
            copy_lanes(image + (static_cast<std::size_t>(ih) * g.width.image + static_cast<std::size_t>(iw)) * channels + c0,
                       width, d[a][b]);
        }
      }
      transform(input_bt, d, transformed);
      for (std::size_t p = 0; p < points; ++p)
        copy_lanes(transformed[p / tile_in][p % tile_in], width, v + (tile * points + p) * channels + c0);
    }
  });
}

// The filters [begin, end) of the output, whose products m hold (end - begin values per point).
struct FilterRange {
  std::size_t begin, end;
  std::size_t size() const { return end - begin; }
};

// out (N, OH, OW, F) = A^T m A (+ bias) at each of `tiles` tiles from `first`, for the
// filters in `range`; outputs past the output's edge are dropped.
void transform_output(const Tiling& t, const float* m, std::size_t first, std::size_t tiles, const float* bias,
                      const ops::FusedActivation& activation, std::size_t filters, FilterRange range, float* out) {
  const ConvGeometry& g = t.g;
  const std::size_t out_w = g.width.windows, stride = range.size();
  const std::size_t image_size = g.height.windows * out_w * filters;
  for_each_tile(t, first, tiles, [&](std::size_t n, std::size_t tile, std::size_t r, std::size_t c) {
    for (std::size_t f0 = range.begin; f0 < range.end; f0 += lanes) {
      const std::size_t width = std::min(lanes, range.end - f0);
      Tile<tile_in> gathered;
      Tile<tile_out> y;
      if (width < lanes) std::fill_n(&gathered[0][0][0], points * lanes, 0.0f);
      for (std::size_t p = 0; p < points; ++p)
        copy_lanes(m + (tile * points + p) * stride + f0 - range.begin, width, gathered[p / tile_in][p % tile_in]);
      transform(output_at, gathered, y);
      const simd::vec bias_lanes = bias ? simd::load_n(bias + f0, width) : simd::vec{};
      for (std::size_t i = 0; i < tile_out && r * tile_out + i < g.height.windows; ++i)
        for (std::size_t j = 0; j < tile_out && c * tile_out + j < out_w; ++j) {
          // Bias and activation in registers, then one store (a store of lanes read back as
          // a vector could not be forwarded and stalled).
          float* dst = out + n * image_size + ((r * tile_out + i) * out_w + c * tile_out + j) * filters + f0;
          simd::store_n(dst, simd::activate(activation, simd::load(y[i][j]) + bias_lanes), width);
        }
    }
  });
}

// dm[slot][p][f] = (A dZ A^T)_p for the 4x4 tile of dz (zeros past the output's edge) at
// each of `tiles` tiles from `first`, where dz is dy turned into the gradient of the
// convolution's output (activation_gradient with the activated output y). The tiles cover
// each output once, so bias_sum (when not null) adds up dz's columns on the way.
void transform_output_gradient(const Tiling& t, const ops::FusedActivation& activation, const float* y,
                               const float* dy, std::size_t first, std::size_t tiles, std::size_t filters, float* dm,
                               float* bias_sum) {
  const ConvGeometry& g = t.g;
  const std::size_t out_w = g.width.windows;
  const std::size_t image_size = g.height.windows * out_w * filters;
  for_each_tile(t, first, tiles, [&](std::size_t n, std::size_t tile, std::size_t r, std::size_t c) {
    for (std::size_t f0 = 0; f0 < filters; f0 += lanes) {
      const std::size_t width = std::min(lanes, filters - f0);
      Tile<tile_out> grad;
      Tile<tile_in> transformed;
      if (!t.interior(r, c)) std::fill_n(&grad[0][0][0], tile_out * tile_out * lanes, 0.0f);
      simd::vec tile_sum{};
      for (std::size_t i = 0; i < tile_out && r * tile_out + i < g.height.windows; ++i)
        for (std::size_t j = 0; j < tile_out && c * tile_out + j < out_w; ++j) {
          const std::size_t at = n * image_size + ((r * tile_out + i) * out_w + c * tile_out + j) * filters + f0;
          // In registers (zeros past `width`), then one store into the tile.
          const simd::vec dz = simd::activation_gradient(activation, simd::load_n(dy + at, width),
                                                         activation.is_linear() ? simd::vec{} : simd::load_n(y + at, width));
          simd::store(grad[i][j], dz);
          tile_sum += dz;
        }
      if (bias_sum)
        for (std::size_t l = 0; l < width; ++l) bias_sum[f0 + l] += tile_sum[l];
      transform(output_a, grad, transformed);
      for (std::size_t p = 0; p < points; ++p)
        copy_lanes(transformed[p / tile_in][p % tile_in], width, dm + (tile * points + p) * filters + f0);
    }
  });
}

// dimages += B dv B^T for each of `tiles` tiles from `first`, added at the input positions
// the tile was read from. With `first_write`, the tiles of each image come in row-major
// order from its first, and a tile's positions that no earlier tile of its image has
// reached (all but its first two rows after the first tile row, and its first two columns
// after the first tile column) are written instead of added: where the tiles cover the
// image (cover_image), dimages then needs no zeroing.
void transform_input_gradient(const Tiling& t, const float* dv, std::size_t first, std::size_t tiles,
                              bool first_write, float* dimages) {
  const ConvGeometry& g = t.g;
  const std::size_t channels = g.channels;
  const std::size_t image_size = g.height.image * g.width.image * channels;
  for_each_tile(t, first, tiles, [&](std::size_t n, std::size_t tile, std::size_t r, std::size_t c) {
    float* image = dimages + n * image_size;
    const std::ptrdiff_t row0 = t.input_row(r), col0 = t.input_col(c);
    for (std::size_t c0 = 0; c0 < channels; c0 += lanes) {
      const std::size_t width = std::min(lanes, channels - c0);
      Tile<tile_in> gathered, d;
      if (width < lanes) std::fill_n(&gathered[0][0][0], points * lanes, 0.0f);
      for (std::size_t p = 0; p < points; ++p)
        copy_lanes(dv + (tile * points + p) * channels + c0, width, gathered[p / tile_in][p % tile_in]);
      transform(input_b, gathered, d);
      for (std::size_t a = 0; a < tile_in; ++a) {
        const std::ptrdiff_t ih = row0 + static_cast<std::ptrdiff_t>(a);
        if (!g.height.inside(ih)) continue;
        for (std::size_t b = 0; b < tile_in; ++b) {
          const std::ptrdiff_t iw = col0 + static_cast<std::ptrdiff_t>(b);
          if (!g.width.inside(iw)) continue;
          float* dst =
              image + (static_cast<std::size_t>(ih) * g.width.image + static_cast<std::size_t>(iw)) * channels + c0;
          const bool reached = (a < tile_in - tile_out && r > 0) || (b < tile_in - tile_out && c > 0);
          if (first_write && !reached)
            copy_lanes(d[a][b], width, dst);
          else
            for (std::size_t l = 0; l < width; ++l) dst[l] += d[a][b][l];
        }
      }
    }
  });
}

// Channels per thread range in the kernel transforms (small kernels stay on the calling thread).
constexpr std::size_t kernel_grain = 8;

// The transformed kernel is stored channel by channel, u[c][p][f] = (G g G^T)_p for the
// kernel (3, 3, C, F): each channel's 36 x F values are written as one run (36 scattered
// vectors per channel missed the cache on every store), and the point p's (C x F) matrix
// has rows points * F apart.
Tensor transform_kernel(const float* kernel, std::size_t channels, std::size_t filters) {
  Tensor u = Tensor::empty({channels, points, filters});
  float* pu = u.data();
  const std::size_t size = channels * filters;
  parallel::for_ranges(channels, kernel_grain, [&](std::size_t begin, std::size_t end) {
    for (std::size_t c = begin; c < end; ++c)
      for (std::size_t f0 = 0; f0 < filters; f0 += lanes) {
        const std::size_t width = std::min(lanes, filters - f0), at = c * filters + f0;
        Tile<3> k{};
        Tile<tile_in> transformed;
        for (std::size_t a = 0; a < 3; ++a)
          for (std::size_t b = 0; b < 3; ++b) copy_lanes(kernel + (a * 3 + b) * size + at, width, k[a][b]);
        transform(kernel_g, k, transformed);
        for (std::size_t p = 0; p < points; ++p)
          copy_lanes(transformed[p / tile_in][p % tile_in], width, pu + (c * points + p) * filters + f0);
      }
  });
  return u;
}

// ut (F, 36, C), ut[f][p][c] = u[c][p][f], for the input gradient's products: the
// transform of the kernel with its channel and filter axes swapped, which is 4 times less
// to rearrange than u itself (36 values per channel pair against 9).
Tensor transform_kernel_transposed(const float* kernel, std::size_t channels, std::size_t filters) {
  Tensor swapped = Tensor::empty({3, 3, filters, channels});
  float* ps = swapped.data();
  for (std::size_t tap = 0; tap < 9; ++tap)
    for (std::size_t c = 0; c < channels; ++c)
      for (std::size_t f = 0; f < filters; ++f)
        ps[(tap * filters + f) * channels + c] = kernel[(tap * channels + c) * filters + f];
  return transform_kernel(ps, filters, channels);
}

// Transformed kernels, kept for reuse: inference applies the same kernel call after call,
// and a training step's backward pass the kernel its forward pass has just transformed.
// Each is kept with a copy of the kernel it came from and reused only while the kernel is
// bit-identical: the compare costs a fraction of the transform and stays right whatever
// wrote to the weights. The least recently used go first past a few MB.
class TransformedKernels {
 public:
  // u (C, 36, F) for the kernel (3, 3, C, F), or with `transposed` ut (F, 36, C).
  std::shared_ptr<const Tensor> get(const float* kernel, std::size_t channels, std::size_t filters,
                                    bool transposed) {
    const std::size_t size = 9 * channels * filters;
    const bool kept = size <= max_entry_floats;
    std::shared_ptr<const Tensor> u;
    if (kept) {
      const std::lock_guard lock(mutex_);
      for (auto it = entries_.begin(); it != entries_.end(); ++it) {
        if (it->channels != channels || it->filters != filters ||
            std::memcmp(it->kernel.data(), kernel, size * sizeof(float)) != 0)
          continue;
        entries_.splice(entries_.begin(), entries_, it);  // most recently used first
        if (!transposed) return it->u;
        if (it->ut) return it->ut;
        u = it->u;
        break;
      }
    }
    // Transforms run on the pool, outside the lock; a thread that races here computes the
    // same values, and whichever stores last wins.
    const bool found = u != nullptr;
    if (!found) u = std::make_shared<const Tensor>(transform_kernel(kernel, channels, filters));
    std::shared_ptr<const Tensor> ut =
        transposed ? std::make_shared<const Tensor>(transform_kernel_transposed(kernel, channels, filters)) : nullptr;
    if (kept) {
      const std::lock_guard lock(mutex_);
      if (found) {
        for (Entry& e : entries_)
          if (e.u == u) e.ut = ut;
      } else {
        entries_.push_front({channels, filters, std::vector<float>(kernel, kernel + size), u, ut});
        floats_ += footprint(channels, filters);
        while (floats_ > max_total_floats && entries_.size() > 1) {
          floats_ -= footprint(entries_.back().channels, entries_.back().filters);
          entries_.pop_back();
        }
      }
    }
    return transposed ? ut : u;
  }

 private:
  static constexpr std::size_t max_entry_floats = std::size_t{1} << 18;  // 1 MB: 3x3 from 128 to 227 channels
  static constexpr std::size_t max_total_floats = std::size_t{1} << 23;  // 32 MB in all
  // Floats an entry may hold: the kernel copy (9 per channel pair), u and ut (36 each).
  static std::size_t footprint(std::size_t channels, std::size_t filters) { return 81 * channels * filters; }
  struct Entry {
    std::size_t channels, filters;
    std::vector<float> kernel;
    std::shared_ptr<const Tensor> u, ut;
  };
  std::mutex mutex_;
  std::list<Entry> entries_;
  std::size_t floats_ = 0;
};

TransformedKernels& transformed_kernels() {
  static TransformedKernels cache;
  return cache;
}

// dk (3, 3, C, F) = G^T du G, the adjoint of transform_kernel, where du (laid out like u)
// is the sum of the threads' partial sums, added in thread order so that the bits do not
// depend on scheduling.
void transform_kernel_gradient(const std::vector<Tensor>& du_partials, std::size_t channels, std::size_t filters,
                               float* dk) {
  const std::size_t size = channels * filters;
  parallel::for_ranges(channels, kernel_grain, [&](std::size_t begin, std::size_t end) {
    for (std::size_t c = begin; c < end; ++c)
      for (std::size_t f0 = 0; f0 < filters; f0 += lanes) {
        const std::size_t width = std::min(lanes, filters - f0);
        Tile<tile_in> du{};
        Tile<3> k;
        for (const Tensor& partial : du_partials)
          for (std::size_t p = 0; p < points; ++p) {
            const float* src = partial.data() + (c * points + p) * filters + f0;
            float* dst = du[p / tile_in][p % tile_in];
            for (std::size_t l = 0; l < width; ++l) dst[l] += src[l];
          }
        transform(kernel_gt, du, k);
        for (std::size_t a = 0; a < 3; ++a)
          for (std::size_t b = 0; b < 3; ++b) copy_lanes(k[a][b], width, dk + (a * 3 + b) * size + c * filters + f0);
      }
  });
}

// Tiles per block: the block's transformed tiles (inputs and products) take about 512 KB,
// so that they stay in the core's 2 MB second-level cache next to the transformed kernel.
std::size_t tiles_per_block(const Tiling& t, std::size_t filters) {
  constexpr std::size_t block_floats = std::size_t{1} << 17;
  return std::max<std::size_t>(4, block_floats / (points * (t.g.channels + filters)) / 4 * 4);
}

// For each thread's share of the batch (whole images, so no two threads add into the same
// image's gradient): chunk_start(chunk, first_image, images), then block(chunk, first_tile,
// tiles) for its tiles in blocks of tiles_per_block.
template <class Chunk, class Block>
void for_each_block(const Tiling& t, std::size_t filters, Chunk&& chunk_start, Block&& block) {
  const std::size_t per_block = tiles_per_block(t, filters), per_image = t.per_image();
  parallel::parallel_for(t.g.batch, 1, [&](std::size_t chunk, std::size_t begin, std::size_t end) {
    chunk_start(chunk, begin, end - begin);
    for (std::size_t tile = begin * per_image; tile < end * per_image; tile += per_block)
      block(chunk, tile, std::min(per_block, end * per_image - tile));
  });
}

}  // namespace

bool conv2d_winograd_suits(const ConvGeometry& g, std::size_t filters) {
  const auto plain3 = [](const WindowAxis& a) { return a.kernel == 3 && a.stride == 1 && a.dilation == 1; };
  if (!plain3(g.height) || !plain3(g.width) || g.channels < 8 || filters < 8 || g.patches() == 0) return false;
  // Multiplications per channel pair: 36 per tile against 9 per output. Tiles that hang
  // far over the output's edge (a 2x2 output: 36 against 36) lose the saving, and what is
  // saved must also pay for transforming the kernel on every call (36 values per pair,
  // about as costly as 144 multiplications: measured on a batch of one 5x5 image).
  const Tiling t{g};
  const std::size_t direct = g.height.windows * g.width.windows * 9, winograd = t.per_image() * points;
  return 3 * winograd <= 2 * direct && g.batch * (direct - winograd) >= 4 * points;
}

void conv2d_winograd_forward(const ConvGeometry& g, const float* x, const float* kernel, const float* bias,
                             std::size_t filters, const ops::FusedActivation& activation, float* out) {
  const Tiling t{g};
  const std::size_t channels = g.channels;
  const std::shared_ptr<const Tensor> transformed = transformed_kernels().get(kernel, channels, filters, false);
  const float* u = transformed->data();
  // The tiles from `first` through the products for the filters in `range`.
  const auto tile_block = [&](std::size_t first, std::size_t tiles, FilterRange range) {
    float* v = scratch(0, points * tiles * channels);
    float* m = scratch(1, points * tiles * range.size());
    transform_input(t, x, first, tiles, v);
    const std::size_t n = range.size();
    for (std::size_t p = 0; p < points; ++p) {
      const float* vp = v + p * channels;
      const float* up = u + p * filters + range.begin;
      float* mp = m + p * n;
      if (!fixed_n_gemm(false, tiles, n, channels, vp, points * channels, up, points * filters, 0.0f, mp, points * n))
        sgemm(false, false, tiles, n, channels, vp, points * channels, up, points * filters, 0.0f, mp, points * n);
    }
    transform_output(t, m, first, tiles, bias, activation, filters, range, out);
  };
  // Fewer images than threads (inference on one image): the threads split the filters
  // instead, each transforming every tile's inputs (cheap next to its products).
  const std::size_t filter_groups = (filters + 2 * lanes - 1) / (2 * lanes);
  if (parallel::chunk_count(g.batch, 1) < parallel::chunk_count(filter_groups, 1)) {
    const std::size_t per_block = tiles_per_block(t, filters), tiles = g.batch * t.per_image();
    parallel::for_ranges(filter_groups, 1, [&](std::size_t begin, std::size_t end) {
      const FilterRange range{begin * 2 * lanes, std::min(filters, end * 2 * lanes)};
      for (std::size_t first = 0; first < tiles; first += per_block)
        tile_block(first, std::min(per_block, tiles - first), range);
    });
    return;
  }
  const auto no_setup = [](std::size_t, std::size_t, std::size_t) {};
  for_each_block(t, filters, no_setup, [&](std::size_t, std::size_t first, std::size_t tiles) {
    tile_block(first, tiles, {0, filters});
  });
}

void conv2d_winograd_backward(const ConvGeometry& g, const float* x, const float* kernel, std::size_t filters,
                              const ops::FusedActivation& activation, const float* y, const float* dy, float* dx,
                              float* dk, float* dbias) {
  const Tiling t{g};
  const std::size_t channels = g.channels;
  const std::size_t in_image = g.height.image * g.width.image * channels;
  const std::size_t chunks = std::max<std::size_t>(parallel::chunk_count(g.batch, 1), 1);
  // Tensors, not vectors: the allocator's cache hands back last step's memory instead of
  // fresh pages to fault in. Each chunk's first block writes its partial sum (beta 0, so
  // whatever the memory held is never read) and its later blocks add to it.
  std::vector<Tensor> du_partials;
  for (std::size_t c = 0; dk && c < chunks; ++c) du_partials.push_back(Tensor::empty({channels, points, filters}));
  std::vector<char> du_written(chunks, 0);
  std::vector<std::vector<float>> bias_partials(dbias ? chunks : 0, std::vector<float>(filters, 0.0f));
  const std::shared_ptr<const Tensor> transposed = dx ? transformed_kernels().get(kernel, channels, filters, true)
                                                     : nullptr;
  const float* ut = dx ? transposed->data() : nullptr;
  // Per chunk of images: the input gradient is written by its first tile parts, or zeroed
  // for the tiles to add into where they do not reach every position.
  const bool first_write = t.cover_image();
  const auto chunk_start = [&](std::size_t, std::size_t first, std::size_t count) {
    if (dx && !first_write) std::fill_n(dx + first * in_image, count * in_image, 0.0f);
  };
  for_each_block(t, filters, chunk_start, [&](std::size_t chunk, std::size_t first, std::size_t tiles) {
    float* dm = scratch(1, points * tiles * filters);
    transform_output_gradient(t, activation, y, dy, first, tiles, filters, dm,
                              dbias ? bias_partials[chunk].data() : nullptr);
    if (dk) {
      float* v = scratch(0, points * tiles * channels);
      transform_input(t, x, first, tiles, v);
      float* du = du_partials[chunk].data();
      const float beta = du_written[chunk] ? 1.0f : 0.0f;
      du_written[chunk] = 1;
      for (std::size_t p = 0; p < points; ++p) {
        const float* vp = v + p * channels;
        const float* dmp = dm + p * filters;
        if (!fixed_n_gemm(true, channels, filters, tiles, vp, points * channels, dmp, points * filters, beta,
                          du + p * filters, points * filters))
          sgemm(true, false, channels, filters, tiles, vp, points * channels, dmp, points * filters, beta,
                du + p * filters, points * filters);
      }
    }
    if (dx) {
      float* dv = scratch(2, points * tiles * channels);
      for (std::size_t p = 0; p < points; ++p) {
        const float* dmp = dm + p * filters;
        const float* utp = ut + p * channels;
        float* dvp = dv + p * channels;
        if (!fixed_n_gemm(false, tiles, channels, filters, dmp, points * filters, utp, points * channels, 0.0f, dvp,
                          points * channels))
          sgemm(false, false, tiles, channels, filters, dmp, points * filters, utp, points * channels, 0.0f, dvp,
                points * channels);
      }
      transform_input_gradient(t, dv, first, tiles, first_write, dx);
    }
  });
  for (std::size_t c = 0; c < du_partials.size(); ++c)  // a chunk without images (an empty batch)
    if (!du_written[c]) du_partials[c].fill(0.0f);
  if (dk) transform_kernel_gradient(du_partials, channels, filters, dk);
  if (dbias) add_partials(bias_partials, dbias);
}

}  // namespace strata::kernels
