// strata's own thread pool: kernels split their work into contiguous chunks, one per
// thread, instead of letting OpenBLAS (kept single-threaded) oversubscribe the cores.
#pragma once

#include <cstddef>
#include <functional>

namespace strata::parallel {

// How many chunks parallel_for would use for n items of at least `grain` items each.
std::size_t chunk_count(std::size_t n, std::size_t grain);

// Calls f(chunk, begin, end) for chunk_count(n, grain) contiguous ranges covering [0, n),
// on the pool's threads and the caller's, and returns when all are done. Runs inline
// when called from inside a parallel_for or while another thread is using the pool.
// An exception from f is rethrown here (the first one; the other chunks still finish).
void parallel_for(std::size_t n, std::size_t grain,
                  const std::function<void(std::size_t chunk, std::size_t begin, std::size_t end)>& f);

// f(begin, end) over [0, n) in contiguous ranges of at least `grain` items.
template <class F>
void for_ranges(std::size_t n, std::size_t grain, F&& f) {
  parallel_for(n, grain, [&](std::size_t, std::size_t begin, std::size_t end) { f(begin, end); });
}

// Element-wise kernels: ranges of at least this many floats (128 KB) per thread.
inline constexpr std::size_t elementwise_grain = std::size_t{1} << 15;

// Makes sure OpenBLAS runs single-threaded (strata parallelizes around it); cheap to call.
void ensure_blas_single_threaded();

}  // namespace strata::parallel
