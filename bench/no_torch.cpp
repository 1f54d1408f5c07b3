// Linked instead of torch_side.cpp when the benchmark is built without libtorch.
#include <stdexcept>

#include "bench/workloads.hpp"

namespace strata::bench {

bool have_libtorch() { return false; }
Side libtorch_side() { throw std::logic_error("strata_bench was built without libtorch"); }

}  // namespace strata::bench
