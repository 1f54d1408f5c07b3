// Internal: one SIMD register of floats as a GCC vector type (AVX-512 with -march=native;
// GCC and Clang split it into narrower registers where the target needs), with loads and
// stores at any float's address. For kernels whose loops the compiler will not vectorize
// on its own.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "strata/fused_ops.hpp"

// The helpers pass 64-byte vectors by value; they are always inlined, so the ABI note GCC
// and Clang give for targets without AVX-512 concerns no call that exists.
#pragma GCC diagnostic ignored "-Wpsabi"

namespace strata::kernels::simd {

constexpr std::size_t lanes = 16;
using vec = float __attribute__((vector_size(lanes * sizeof(float))));
// Lane masks of comparisons between vecs (-1 where true), and 32-bit integers beside floats.
using ivec = std::int32_t __attribute__((vector_size(lanes * sizeof(std::int32_t))));

// memcpy compiles to one unaligned vector move, where a cast to a less-aligned vector type
// is still assumed 64-byte aligned by clang (UBSan caught it in model_json_fuzzer).
[[gnu::always_inline]] inline vec load(const float* p) {
  vec v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

[[gnu::always_inline]] inline void store(float* p, vec v) { std::memcpy(p, &v, sizeof v); }

// The first `cols` floats at p, zeros after them (a last, narrower group of channels).
template <bool Partial>
[[gnu::always_inline]] inline vec load_cols(const float* p, std::size_t cols) {
  if constexpr (!Partial) return load(p);
  vec v{};
  std::memcpy(&v, p, cols * sizeof(float));
  return v;
}

template <bool Partial>
[[gnu::always_inline]] inline void store_cols(float* p, vec v, std::size_t cols) {
  if constexpr (Partial)
    std::memcpy(p, &v, cols * sizeof(float));
  else
    store(p, v);
}

// s - 0 is s for every float (unlike s + 0 for s = -0), so this folds to one broadcast.
[[gnu::always_inline]] inline vec splat(float s) { return s - vec{}; }

// The first `width` floats at p (all lanes when width == lanes), zeros after them.
[[gnu::always_inline]] inline vec load_n(const float* p, std::size_t width) {
  return width == lanes ? load(p) : load_cols<true>(p, width);
}
[[gnu::always_inline]] inline void store_n(float* p, vec v, std::size_t width) {
  if (width == lanes)
    store(p, v);
  else
    store_cols<true>(p, v, width);
}

// kernels::apply_activation on one vector, with the same selects (the same bits).
[[gnu::always_inline]] inline vec activate(const ops::FusedActivation& activation, vec v) {
  if (activation.kind == ops::FusedActivation::Kind::relu) return v < vec{} ? vec{} : v;
  if (activation.kind == ops::FusedActivation::Kind::leaky_relu) return v > vec{} ? v : v * activation.alpha;
  return v;
}

// kernels::activation_gradient on one vector: dy times the slope at the activated output y.
[[gnu::always_inline]] inline vec activation_gradient(const ops::FusedActivation& activation, vec dy, vec y) {
  if (activation.is_linear()) return dy;
  const float below = activation.kind == ops::FusedActivation::Kind::relu ? 0.0f : activation.alpha;
  return y > vec{} ? dy : dy * below;
}

}  // namespace strata::kernels::simd
