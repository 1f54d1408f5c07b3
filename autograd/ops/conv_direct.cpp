// Direct NHWC convolution for few input channels: the filters are the vector lanes, each
// window value is broadcast against a kernel row, and a block of output positions is
// accumulated in registers, so no window matrix is built or read back.
#include "autograd/ops/conv_direct.hpp"

#include <algorithm>
#include <cstring>
#include <type_traits>
#include <vector>

#include "autograd/ops/simd.hpp"
#include "autograd/parallel/parallel.hpp"

namespace strata::kernels {
namespace {

using simd::lanes;
using simd::load;
using simd::load_cols;
using simd::splat;
using simd::store;
using simd::store_cols;
using simd::vec;

// Output positions (or taps) per register block: blocks of V-vector rows that fill most of
// the 32 AVX-512 registers (16 with AVX2, where a vec takes two), leaving room for operands.
template <std::size_t V>
constexpr std::size_t block_rows() {
#if defined(__AVX512F__)
  return 8;
#else
  return V == 2 ? 3 : 6;
#endif
}

std::size_t round_up(std::size_t n, std::size_t m) { return (n + m - 1) / m * m; }

// One kernel value of an output row: kernel row `index` = (kh * KW + kw) * C + c meets the
// image value at `offset` + ow * step (step = stride * C) for window ow, whose image
// column is ow * stride + column.
struct Tap {
  std::ptrdiff_t offset;
  std::ptrdiff_t column;
  std::size_t index;
};

// The taps of output row oh whose image row exists (a padding row adds nothing), in
// kernel order.
void row_taps(const ConvGeometry& g, std::size_t oh, std::vector<Tap>& taps) {
  taps.clear();
  const auto channels = static_cast<std::ptrdiff_t>(g.channels), width = static_cast<std::ptrdiff_t>(g.width.image);
  for (std::size_t kh = 0; kh < g.height.kernel; ++kh) {
    const std::ptrdiff_t ih = g.height.position(oh, kh);
    if (!g.height.inside(ih)) continue;
    for (std::size_t kw = 0; kw < g.width.kernel; ++kw) {
      const std::ptrdiff_t column = g.width.position(0, kw);
      for (std::size_t c = 0; c < g.channels; ++c)
        taps.push_back({(ih * width + column) * channels + static_cast<std::ptrdiff_t>(c), column,
                        (kh * g.width.kernel + kw) * g.channels + c});
    }
  }
}

// The windows [begin, end) of a row whose every column lies inside the image: they need
// no bounds checks. The others (at most a few at each end) check every tap.
struct Interior {
  std::size_t begin = 0, end = 0;
};

Interior interior(const WindowAxis& a) {
  const auto stride = static_cast<std::ptrdiff_t>(a.stride), pad = static_cast<std::ptrdiff_t>(a.pad_before);
  const auto windows = static_cast<std::ptrdiff_t>(a.windows);
  // start(w) = w * stride - pad >= 0, and start(w) + (kernel - 1) * dilation < image.
  const std::ptrdiff_t first = std::min((pad + stride - 1) / stride, windows);
  const std::ptrdiff_t last_start =
      static_cast<std::ptrdiff_t>(a.image) - 1 + pad - static_cast<std::ptrdiff_t>((a.kernel - 1) * a.dilation);
  const std::ptrdiff_t end = last_start < 0 ? 0 : std::min(last_start / stride + 1, windows);
  return {static_cast<std::size_t>(first), static_cast<std::size_t>(std::max(first, end))};
}

bool column_inside(const ConvGeometry& g, const Tap& t, std::size_t ow) {
  return g.width.inside(static_cast<std::ptrdiff_t>(ow * g.width.stride) + t.column);
}

// Calls f(V, Partial, first filter, filters in the tile) over tiles of 32, then 16, then
// fewer filters; a partial tile reads and writes only its own columns.
template <class F>
void for_each_filter_tile(std::size_t filters, F&& f) {
  std::size_t f0 = 0;
  for (; filters - f0 >= 2 * lanes; f0 += 2 * lanes)
    f(std::integral_constant<std::size_t, 2>{}, std::false_type{}, f0, 2 * lanes);
  if (filters - f0 >= lanes) {
    f(std::integral_constant<std::size_t, 1>{}, std::false_type{}, f0, lanes);
    f0 += lanes;
  }
  if (f0 < filters) f(std::integral_constant<std::size_t, 1>{}, std::true_type{}, f0, filters - f0);
}

// ---- forward -----------------------------------------------------------------------------

// The geometry of one call, and the kernel and bias zero-padded to a multiple of 16 filters.
struct Packed {
  std::size_t taps, filters, padded;  // padded: the row length of kernel
  std::vector<float> kernel, bias;
};

Packed pack(const ConvGeometry& g, const float* kernel, const float* bias, std::size_t filters) {
  Packed p{.taps = g.patch_size(), .filters = filters, .padded = round_up(filters, lanes), .kernel = {}, .bias = {}};
  p.kernel.assign(p.taps * p.padded, 0.0f);
  p.bias.assign(p.padded, 0.0f);
  for (std::size_t t = 0; t < p.taps; ++t) std::copy_n(kernel + t * filters, filters, p.kernel.data() + t * p.padded);
  if (bias) std::copy_n(bias, filters, p.bias.data());
  return p;
}

// P windows from `out` on (x = the image shifted to the first window): bias + the sum
// over taps of x value * kernel row, for the V-vector tile at the kernel's column 0.
template <std::size_t V, std::size_t P, bool Partial>
void forward_block(const std::vector<Tap>& taps, const float* x, std::size_t step, const float* kernel,
                   std::size_t padded, const float* bias, float* out, std::size_t filters, std::size_t cols) {
  vec acc[P][V];
  for (std::size_t v = 0; v < V; ++v) {
    const vec b = load(bias + v * lanes);
    for (std::size_t p = 0; p < P; ++p) acc[p][v] = b;
  }
  for (const Tap& t : taps) {
    const float* k = kernel + t.index * padded;
    vec kv[V];
    for (std::size_t v = 0; v < V; ++v) kv[v] = load(k + v * lanes);
    const float* xp = x + t.offset;
    for (std::size_t p = 0; p < P; ++p) {
      const vec xv = splat(xp[p * step]);
      for (std::size_t v = 0; v < V; ++v) acc[p][v] += xv * kv[v];
    }
  }
  for (std::size_t p = 0; p < P; ++p)
    for (std::size_t v = 0; v < V; ++v)
      store_cols<Partial>(out + p * filters + v * lanes, acc[p][v], cols - v * lanes);
}

// One window near the row's ends, skipping taps on padding columns.
template <std::size_t V, bool Partial>
void forward_edge(const ConvGeometry& g, const std::vector<Tap>& taps, const float* image, std::size_t ow,
                  const float* kernel, std::size_t padded, const float* bias, float* out, std::size_t cols) {
  vec acc[V];
  for (std::size_t v = 0; v < V; ++v) acc[v] = load(bias + v * lanes);
  const std::size_t step = g.width.stride * g.channels;
  for (const Tap& t : taps) {
    if (!column_inside(g, t, ow)) continue;
    const vec xv = splat(image[t.offset + static_cast<std::ptrdiff_t>(ow * step)]);
    for (std::size_t v = 0; v < V; ++v) acc[v] += xv * load(kernel + t.index * padded + v * lanes);
  }
  for (std::size_t v = 0; v < V; ++v) store_cols<Partial>(out + v * lanes, acc[v], cols - v * lanes);
}

template <std::size_t V, bool Partial>
void forward_row(const ConvGeometry& g, const std::vector<Tap>& taps, Interior inside, const float* image,
                 const Packed& k, std::size_t f0, std::size_t cols, float* out_row) {
  constexpr std::size_t P = block_rows<V>();
  const std::size_t step = g.width.stride * g.channels, filters = k.filters, windows = g.width.windows;
  const float* kernel = k.kernel.data() + f0;
  const float* bias = k.bias.data() + f0;
  float* out = out_row + f0;
  std::size_t ow = 0;
  for (; ow < inside.begin; ++ow) forward_edge<V, Partial>(g, taps, image, ow, kernel, k.padded, bias, out + ow * filters, cols);
  for (; ow + P <= inside.end; ow += P)
    forward_block<V, P, Partial>(taps, image + ow * step, step, kernel, k.padded, bias, out + ow * filters, filters, cols);
  for (; ow < inside.end; ++ow)
    forward_block<V, 1, Partial>(taps, image + ow * step, step, kernel, k.padded, bias, out + ow * filters, filters, cols);
  for (; ow < windows; ++ow) forward_edge<V, Partial>(g, taps, image, ow, kernel, k.padded, bias, out + ow * filters, cols);
}

// ---- backward ----------------------------------------------------------------------------

// dk (rows `index` of G taps, padded row length) += the sum over the row's windows of
// x value * dy row: G x V accumulators, one dy load per window shared by G taps.
template <std::size_t V, std::size_t G, bool Partial>
void kernel_grad_taps(const ConvGeometry& g, const Tap* taps, Interior inside, const float* image, const float* grad,
                      std::size_t filters, std::size_t cols, float* dk, std::size_t padded) {
  const std::size_t step = g.width.stride * g.channels;
  vec acc[G][V] = {};
  auto window = [&](std::size_t ow, bool checked) {
    vec gv[V];
    for (std::size_t v = 0; v < V; ++v) gv[v] = load_cols<Partial>(grad + ow * filters + v * lanes, cols - v * lanes);
    for (std::size_t j = 0; j < G; ++j) {
      if (checked && !column_inside(g, taps[j], ow)) continue;
      const vec xv = splat(image[taps[j].offset + static_cast<std::ptrdiff_t>(ow * step)]);
      for (std::size_t v = 0; v < V; ++v) acc[j][v] += xv * gv[v];
    }
  };
  for (std::size_t ow = 0; ow < inside.begin; ++ow) window(ow, true);
  for (std::size_t ow = inside.begin; ow < inside.end; ++ow) window(ow, false);
  for (std::size_t ow = inside.end; ow < g.width.windows; ++ow) window(ow, true);
  for (std::size_t j = 0; j < G; ++j)
    for (std::size_t v = 0; v < V; ++v) {
      float* d = dk + taps[j].index * padded + v * lanes;
      store(d, load(d) + acc[j][v]);
    }
}

// Taps per kernel_grad_taps call: 9 (a 3x3 window's row of a 3-channel kernel, or a whole
// 1-channel one) fills the AVX-512 registers as well as 8 and leaves no odd taps for 3x3.
template <std::size_t V>
constexpr std::size_t tap_group() {
#if defined(__AVX512F__)
  return 9;
#else
  return block_rows<V>();
#endif
}

template <std::size_t V, bool Partial>
void kernel_grad_row(const ConvGeometry& g, const std::vector<Tap>& taps, Interior inside, const float* image,
                     const float* grad, std::size_t filters, std::size_t cols, float* dk, std::size_t padded) {
  constexpr std::size_t G = tap_group<V>();
  std::size_t t = 0;
  for (; t + G <= taps.size(); t += G)
    kernel_grad_taps<V, G, Partial>(g, taps.data() + t, inside, image, grad, filters, cols, dk, padded);
  for (; t < taps.size(); ++t)
    kernel_grad_taps<V, 1, Partial>(g, taps.data() + t, inside, image, grad, filters, cols, dk, padded);
}

// The kernel transposed into chunks of `width` (16 or 32) taps: chunk q holds, for every
// filter f, the values of taps q*width ... q*width + width-1 (zeros past the last tap).
struct Transposed {
  std::size_t width = 0, chunks = 0;
  std::vector<float> values;
};

Transposed transpose_kernel(const float* kernel, std::size_t taps, std::size_t filters) {
  Transposed kt;
  kt.width = taps <= lanes ? lanes : 2 * lanes;
  kt.chunks = (taps + kt.width - 1) / kt.width;
  kt.values.assign(kt.chunks * filters * kt.width, 0.0f);
  for (std::size_t t = 0; t < taps; ++t)
    for (std::size_t f = 0; f < filters; ++f)
      kt.values[((t / kt.width) * filters + f) * kt.width + t % kt.width] = kernel[t * filters + f];
  return kt;
}

// cols (P x U*16) = the dy rows of P windows times one chunk of the transposed kernel:
// each window's gradient for every tap in the chunk.
template <std::size_t U, std::size_t P>
void window_grads(const float* grad, std::size_t filters, const float* chunk, float* cols) {
  vec acc[P][U] = {};
  for (std::size_t f = 0; f < filters; ++f) {
    vec kv[U];
    for (std::size_t u = 0; u < U; ++u) kv[u] = load(chunk + f * U * lanes + u * lanes);
    for (std::size_t p = 0; p < P; ++p) {
      const vec gv = splat(grad[p * filters + f]);
      for (std::size_t u = 0; u < U; ++u) acc[p][u] += gv * kv[u];
    }
  }
  for (std::size_t p = 0; p < P; ++p)
    for (std::size_t u = 0; u < U; ++u) store(cols + (p * U + u) * lanes, acc[p][u]);
}

// dx (the image's gradient) += each window's tap gradients, scattered back to the image
// values they were read from (col2im for one row of windows, without the matrix).
template <std::size_t U>
void input_grad_row(const ConvGeometry& g, const std::vector<Tap>& taps, Interior inside, const float* grad,
                    std::size_t filters, const Transposed& kt, float* dimage) {
  constexpr std::size_t P = block_rows<U>(), width = U * lanes;
  const std::size_t step = g.width.stride * g.channels, windows = g.width.windows;
  float cols[P * width];
  auto scatter = [&](std::size_t ow, std::size_t count, const Tap* first, const Tap* last, std::size_t base) {
    if (ow >= inside.begin && ow + count <= inside.end) {  // no padding column: no checks
      for (const Tap* t = first; t != last; ++t) {
        float* d = dimage + (t->offset + static_cast<std::ptrdiff_t>(ow * step));
        const float* src = cols + (t->index - base);
        for (std::size_t p = 0; p < count; ++p) d[p * step] += src[p * width];
      }
      return;
    }
    for (const Tap* t = first; t != last; ++t) {
      const std::size_t j = t->index - base;
      for (std::size_t p = 0; p < count; ++p) {
        const std::size_t w = ow + p;
        if ((w < inside.begin || w >= inside.end) && !column_inside(g, *t, w)) continue;
        dimage[t->offset + static_cast<std::ptrdiff_t>(w * step)] += cols[p * width + j];
      }
    }
  };
  const Tap* first = taps.data();
  for (std::size_t q = 0; q < kt.chunks; ++q) {
    const std::size_t base = q * width;
    const Tap* last = first;
    while (last != taps.data() + taps.size() && last->index < base + width) ++last;
    const float* chunk = kt.values.data() + q * filters * width;
    std::size_t ow = 0;
    for (; ow + P <= windows; ow += P) {
      window_grads<U, P>(grad + ow * filters, filters, chunk, cols);
      scatter(ow, P, first, last, base);
    }
    for (; ow < windows; ++ow) {
      window_grads<U, 1>(grad + ow * filters, filters, chunk, cols);
      scatter(ow, 1, first, last, base);
    }
    first = last;
  }
}

}  // namespace

bool conv2d_direct_suits(const ConvGeometry& g, std::size_t filters) {
  return g.channels >= 1 && g.channels <= direct_conv_max_channels && g.patch_size() <= direct_conv_max_window &&
         filters > 0 && g.patches() > 0;
}

void conv2d_direct_forward(const ConvGeometry& g, const float* x, const float* kernel, const float* bias,
                           std::size_t filters, const ops::FusedActivation& activation, float* out) {
  const Packed k = pack(g, kernel, bias, filters);
  const std::size_t rows = g.batch * g.height.windows, out_row = g.width.windows * filters;
  const std::size_t in_image = g.height.image * g.width.image * g.channels;
  const Interior inside = interior(g.width);
  parallel::parallel_for(rows, 1, [&](std::size_t, std::size_t begin, std::size_t end) {
    std::vector<Tap> taps;
    for (std::size_t r = begin; r < end; ++r) {
      const std::size_t n = r / g.height.windows, oh = r % g.height.windows;
      row_taps(g, oh, taps);
      const float* image = x + n * in_image;
      for_each_filter_tile(filters, [&](auto v, auto partial, std::size_t f0, std::size_t cols) {
        forward_row<decltype(v)::value, decltype(partial)::value>(g, taps, inside, image, k, f0, cols,
                                                                  out + r * out_row);
      });
      apply_activation(activation, out + r * out_row, out_row);  // the row is still in cache
    }
  });
}

void conv2d_direct_backward(const ConvGeometry& g, const float* x, const float* kernel, std::size_t filters,
                            const ops::FusedActivation& activation, const float* y, const float* dy, float* dx,
                            float* dk, float* dbias) {
  const std::size_t taps_total = g.patch_size(), padded = round_up(filters, lanes);
  const std::size_t in_image = g.height.image * g.width.image * g.channels, out_row = g.width.windows * filters;
  const Interior inside = interior(g.width);
  const Transposed kt = dx ? transpose_kernel(kernel, taps_total, filters) : Transposed{};
  if (dx)
    parallel::for_ranges(g.batch * in_image, parallel::elementwise_grain,
                         [dx](std::size_t begin, std::size_t end) { std::fill(dx + begin, dx + end, 0.0f); });
  // dx rows receive from several output rows, so the rows are cut into bands wide enough
  // that band b and band b + 2 never write the same dx row: the even bands run in
  // parallel, then the odd ones, and each dx value always sums in the same order.
  const std::size_t reach = (g.height.kernel - 1) * g.height.dilation;
  const std::size_t band = std::max<std::size_t>(4, (reach + g.height.stride - 1) / g.height.stride);
  const std::size_t bands = (g.height.windows + band - 1) / band;
  // dk and dbias: one partial sum per phase and chunk, added in that order at the end.
  std::vector<std::vector<float>> dk_partials, db_partials;
  for (std::size_t phase = 0; phase < 2; ++phase) {
    const std::size_t phase_bands = (bands + 1 - phase) / 2, items = g.batch * phase_bands;
    if (items == 0) continue;
    const std::size_t chunks = std::max<std::size_t>(parallel::chunk_count(items, 1), 1);
    const std::size_t dk_first = dk_partials.size(), db_first = db_partials.size();
    if (dk) dk_partials.resize(dk_first + chunks, std::vector<float>(taps_total * padded, 0.0f));
    if (dbias) db_partials.resize(db_first + chunks, std::vector<float>(padded, 0.0f));
    parallel::parallel_for(items, 1, [&](std::size_t chunk, std::size_t begin, std::size_t end) {
      std::vector<Tap> taps;
      std::vector<float> masked(activation.is_linear() ? 0 : out_row);  // one row's dz
      float* dk_sum = dk ? dk_partials[dk_first + chunk].data() : nullptr;
      float* db_sum = dbias ? db_partials[db_first + chunk].data() : nullptr;
      for (std::size_t item = begin; item < end; ++item) {
        const std::size_t n = item / phase_bands, b = 2 * (item % phase_bands) + phase;
        const float* image = x + n * in_image;
        for (std::size_t oh = b * band, oh_end = std::min(oh + band, g.height.windows); oh < oh_end; ++oh) {
          const std::size_t row = (n * g.height.windows + oh) * out_row;
          const float* grad = dy + row;
          if (!activation.is_linear()) {
            activation_gradient(activation, grad, y + row, out_row, masked.data());
            grad = masked.data();
          }
          row_taps(g, oh, taps);
          if (db_sum)
            for (std::size_t ow = 0; ow < g.width.windows; ++ow)
              for (std::size_t f = 0; f < filters; ++f) db_sum[f] += grad[ow * filters + f];
          if (dk_sum)
            for_each_filter_tile(filters, [&](auto v, auto partial, std::size_t f0, std::size_t cols) {
              kernel_grad_row<decltype(v)::value, decltype(partial)::value>(g, taps, inside, image, grad + f0,
                                                                            filters, cols, dk_sum + f0, padded);
            });
          if (dx) {
            float* dimage = dx + n * in_image;
            if (kt.width == lanes)
              input_grad_row<1>(g, taps, inside, grad, filters, kt, dimage);
            else
              input_grad_row<2>(g, taps, inside, grad, filters, kt, dimage);
          }
        }
      }
    });
  }
  if (dk) {
    std::fill_n(dk, taps_total * filters, 0.0f);
    for (const std::vector<float>& part : dk_partials)
      for (std::size_t t = 0; t < taps_total; ++t)
        for (std::size_t f = 0; f < filters; ++f) dk[t * filters + f] += part[t * padded + f];
  }
  if (dbias) {
    std::fill_n(dbias, filters, 0.0f);
    for (const std::vector<float>& part : db_partials)
      for (std::size_t f = 0; f < filters; ++f) dbias[f] += part[f];
  }
}

}  // namespace strata::kernels
