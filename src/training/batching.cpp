// Internal: cutting sample-major tensors into batches.
#include "src/training/batching.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>

#include "strata/error.hpp"

namespace strata::training {

namespace {
Shape with_rows(const Tensor& x, std::size_t rows) {
  Shape shape = x.shape();
  shape[0] = rows;
  return shape;
}
std::size_t row_size(const Tensor& x) { return x.shape()[0] == 0 ? 0 : x.size() / x.shape()[0]; }
}  // namespace

Tensor gather_rows(const Tensor& x, std::span<const std::size_t> indices) {
  Tensor out = Tensor::empty(with_rows(x, indices.size()));
  const std::size_t row = row_size(x);
  for (std::size_t i = 0; i < indices.size(); ++i)
    std::memcpy(out.data() + i * row, x.data() + indices[i] * row, row * sizeof(float));
  return out;
}

Tensor slice_rows(const Tensor& x, std::size_t begin, std::size_t end) {
  Tensor out = Tensor::empty(with_rows(x, end - begin));
  const std::size_t row = row_size(x);
  std::memcpy(out.data(), x.data() + begin * row, (end - begin) * row * sizeof(float));
  return out;
}

std::size_t sample_count(const Tensor& x, const char* what) {
  if (x.rank() == 0) throw ValueError(fmt::format("{} must have a sample axis first; got a scalar", what));
  return x.shape()[0];
}

void check_same_samples(const Tensor& x, const Tensor& y) {
  const std::size_t nx = sample_count(x, "x"), ny = sample_count(y, "y");
  if (nx != ny)
    throw ValueError(fmt::format(
        "Data cardinality is ambiguous:\n  x sizes: {}\n  y sizes: {}\nMake sure all arrays contain the same number of samples.",
        nx, ny));
}

std::size_t steps_for(std::size_t samples, std::size_t batch_size) {
  if (batch_size == 0) throw ValueError("batch_size must be a positive integer. Received: batch_size=0");
  return (samples + batch_size - 1) / batch_size;
}

}  // namespace strata::training
