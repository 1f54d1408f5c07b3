// How many threads strata's kernels use (like torch::set_num_threads). The default is the
// STRATA_NUM_THREADS environment variable when set, otherwise the machine's core count.
#pragma once

#include <cstddef>

namespace strata {

void set_num_threads(std::size_t threads);  // 0 means the default
std::size_t num_threads();

}  // namespace strata
