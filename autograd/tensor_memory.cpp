// A small caching allocator: freed buffers of at least 64 KB wait in a free list per exact
// size (a training step asks for the same sizes every step) up to 512 MB in all; beyond
// that, and for small buffers, memory goes back to the C library at once. Under
// AddressSanitizer nothing is cached, so use-after-free stays visible.
#include "autograd/tensor_memory.hpp"

#include <cstdlib>
#include <mutex>
#include <new>
#include <unordered_map>
#include <vector>

#if defined(__SANITIZE_ADDRESS__)
#define STRATA_NO_TENSOR_CACHE 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define STRATA_NO_TENSOR_CACHE 1
#endif
#endif

namespace strata::memory {
namespace {

constexpr std::size_t alignment = 64;
constexpr std::size_t smallest_cached = std::size_t{64} << 10;
constexpr std::size_t most_cached = std::size_t{512} << 20;

struct Cache {
  std::mutex mutex;
  std::unordered_map<std::size_t, std::vector<float*>> free_lists;
  std::size_t cached_bytes = 0;

  ~Cache() {
    for (auto& [bytes, list] : free_lists)
      for (float* p : list) std::free(p);
  }
};

Cache& cache() {
  static Cache* instance = new Cache;  // never destroyed: tensors may outlive static destructors
  return *instance;
}

bool cacheable(std::size_t bytes) {
#ifdef STRATA_NO_TENSOR_CACHE
  (void)bytes;
  return false;
#else
  return bytes >= smallest_cached;
#endif
}

}  // namespace

float* allocate(std::size_t bytes) {
  if (cacheable(bytes)) {
    Cache& c = cache();
    std::lock_guard lock(c.mutex);
    auto it = c.free_lists.find(bytes);
    if (it != c.free_lists.end() && !it->second.empty()) {
      float* p = it->second.back();
      it->second.pop_back();
      c.cached_bytes -= bytes;
      return p;
    }
  }
  auto* p = static_cast<float*>(std::aligned_alloc(alignment, bytes));
  if (!p) throw std::bad_alloc();
  return p;
}

void release(float* data, std::size_t bytes) noexcept {
  if (!data) return;
  if (cacheable(bytes)) {
    Cache& c = cache();
    std::lock_guard lock(c.mutex);
    if (c.cached_bytes + bytes <= most_cached) {
      try {
        c.free_lists[bytes].push_back(data);
        c.cached_bytes += bytes;
        return;
      } catch (...) {
        // no room for the list entry: free it below
      }
    }
  }
  std::free(data);
}

}  // namespace strata::memory
