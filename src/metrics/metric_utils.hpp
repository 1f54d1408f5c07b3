// Internal to the metrics: Keras's alignment of y_true / y_pred and the running sums.
#pragma once

#include "strata/metrics.hpp"

namespace strata::metrics::detail {

// keras losses_utils.squeeze_or_expand_dimensions: when the ranks differ by one and the
// longer shape ends in 1, that axis is dropped from the longer one.
void align(Tensor& y_true, Tensor& y_pred);

// Adds the values to a running mean's total and count (doubles, so the result does not
// depend on how the samples were split into batches).
void accumulate(const Tensor& values, double& total, double& count);

}  // namespace strata::metrics::detail
