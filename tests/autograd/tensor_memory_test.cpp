// Tensor storage: large buffers are reused for the same size (outside AddressSanitizer),
// and a reused buffer never leaks its old values into a zero-initialized tensor.
#include <catch2/catch.hpp>

#include <algorithm>

#include "autograd/tensor_memory.hpp"
#include "strata/tensor.hpp"

using strata::Tensor;

TEST_CASE("Tensors built on a reused buffer start from their own values", "[tensor][memory]") {
  const strata::Shape shape{256, 256};  // 256 KB: large enough to be cached
  const float* first = nullptr;
  {
    Tensor t = Tensor::full(shape, 7.0f);
    first = t.data();
  }
  Tensor zeros(shape);
  CHECK(std::all_of(zeros.begin(), zeros.end(), [](float v) { return v == 0.0f; }));
  Tensor ones = Tensor::ones(shape);
  CHECK(std::all_of(ones.begin(), ones.end(), [](float v) { return v == 1.0f; }));
  (void)first;
}

#if !defined(__SANITIZE_ADDRESS__)
TEST_CASE("A released large buffer is handed out again for the same size", "[tensor][memory]") {
  const std::size_t bytes = std::size_t{1} << 20;
  float* a = strata::memory::allocate(bytes);
  a[0] = 1.0f;
  strata::memory::release(a, bytes);
  float* b = strata::memory::allocate(bytes);
  CHECK(b == a);
  float* c = strata::memory::allocate(bytes);  // the cache held one: a fresh buffer
  CHECK(c != b);
  CHECK(reinterpret_cast<std::uintptr_t>(c) % 64 == 0);
  strata::memory::release(b, bytes);
  strata::memory::release(c, bytes);
}
#endif
