// Internal: cutting sample-major tensors into batches for fit / evaluate / predict.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include "strata/tensor.hpp"

namespace strata::training {

// The rows `indices` of x (first axis) as one tensor.
Tensor gather_rows(const Tensor& x, std::span<const std::size_t> indices);
// Rows [begin, end) of x.
Tensor slice_rows(const Tensor& x, std::size_t begin, std::size_t end);
// Number of samples (first axis); ValueError naming `what` for a scalar.
std::size_t sample_count(const Tensor& x, const char* what);
// Keras's check that x and y hold the same number of samples.
void check_same_samples(const Tensor& x, const Tensor& y);
// ceil(n / batch_size); ValueError for batch_size 0.
std::size_t steps_for(std::size_t samples, std::size_t batch_size);

}  // namespace strata::training
