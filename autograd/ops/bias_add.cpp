// bias_add: a bias vector added to every row of the last axis, and its backward (the
// input's gradient passes through; the bias's is the column sums), split over the pool.
#include <fmt/format.h>

#include <vector>

#include "autograd/node.hpp"
#include "autograd/parallel/parallel.hpp"
#include "strata/error.hpp"
#include "strata/ops.hpp"

namespace strata::ops {

using autograd::BackwardContext;

namespace {

// Rows of at least this many elements go to one thread.
std::size_t row_grain(std::size_t columns) {
  return std::max<std::size_t>(1, parallel::elementwise_grain / std::max<std::size_t>(columns, 1));
}

}  // namespace

Variable bias_add(const Variable& x, const Variable& bias) {
  if (x.rank() < 1 || bias.rank() != 1 || bias.shape()[0] != x.shape().back())
    throw ShapeError(fmt::format("bias_add: the bias {} must be 1-d with the input's last dimension, got input {}",
                                 shape_to_string(bias.shape()), shape_to_string(x.shape())));
  const std::size_t columns = bias.shape()[0], rows = columns == 0 ? 0 : x.size() / columns;
  Tensor out = Tensor::empty(x.shape());
  {
    const float *px = x.value().data(), *pb = bias.value().data();
    float* po = out.data();
    parallel::for_ranges(rows, row_grain(columns), [px, pb, po, columns](std::size_t begin, std::size_t end) {
      for (std::size_t r = begin; r < end; ++r)
        for (std::size_t j = 0; j < columns; ++j) po[r * columns + j] = px[r * columns + j] + pb[j];
    });
  }
  return autograd::record("bias_add", std::move(out), {x, bias}, [rows, columns](BackwardContext& c) {
    if (c.needs(0)) c.add(0, c.grad_output);
    if (!c.needs(1)) return;
    const std::size_t chunks = std::max<std::size_t>(parallel::chunk_count(rows, row_grain(columns)), 1);
    std::vector<std::vector<float>> partials(chunks, std::vector<float>(columns, 0.0f));
    const float* pg = c.grad_output.data();
    parallel::parallel_for(rows, row_grain(columns), [&partials, pg, columns](std::size_t chunk, std::size_t begin,
                                                                             std::size_t end) {
      float* sums = partials[chunk].data();
      for (std::size_t r = begin; r < end; ++r)
        for (std::size_t j = 0; j < columns; ++j) sums[j] += pg[r * columns + j];
    });
    Tensor db = Tensor::zeros({columns});
    for (const std::vector<float>& part : partials)  // in chunk order: the same sums every run
      for (std::size_t j = 0; j < columns; ++j) db[j] += part[j];
    c.add(1, std::move(db));
  });
}

}  // namespace strata::ops
