// The whole public API in one include (except strata/layers/registry.hpp, which brings in
// all of nlohmann/json.hpp; include it for layers::deserialize).
#pragma once

#include <string_view>

#include "strata/activations.hpp"
#include "strata/callbacks.hpp"
#include "strata/constraints.hpp"
#include "strata/datasets.hpp"
#include "strata/error.hpp"
#include "strata/gradient_check.hpp"
#include "strata/gradient_tape.hpp"
#include "strata/initializers.hpp"
#include "strata/layers/activation.hpp"
#include "strata/layers/alpha_dropout.hpp"
#include "strata/layers/average_pooling2d.hpp"
#include "strata/layers/batch_normalization.hpp"
#include "strata/layers/conv2d.hpp"
#include "strata/layers/conv2d_transpose.hpp"
#include "strata/layers/dense.hpp"
#include "strata/layers/dropout.hpp"
#include "strata/layers/elu.hpp"
#include "strata/layers/flatten.hpp"
#include "strata/layers/global_average_pooling2d.hpp"
#include "strata/layers/global_max_pooling2d.hpp"
#include "strata/layers/input_layer.hpp"
#include "strata/layers/layer.hpp"
#include "strata/layers/leaky_re_lu.hpp"
#include "strata/layers/max_pooling2d.hpp"
#include "strata/layers/p_re_lu.hpp"
#include "strata/layers/r_re_lu.hpp"
#include "strata/layers/re_lu.hpp"
#include "strata/layers/reshape.hpp"
#include "strata/layers/softmax.hpp"
#include "strata/layers/thresholded_re_lu.hpp"
#include "strata/losses.hpp"
#include "strata/metrics.hpp"
#include "strata/npy.hpp"
#include "strata/ops.hpp"
#include "strata/optimizers.hpp"
#include "strata/progbar.hpp"
#include "strata/random.hpp"
#include "strata/regularizers.hpp"
#include "strata/seed_cnn.hpp"
#include "strata/sequential.hpp"
#include "strata/summary.hpp"
#include "strata/tensor.hpp"
#include "strata/threads.hpp"
#include "strata/training.hpp"
#include "strata/variable.hpp"

namespace strata {
// The library's version, e.g. "0.1.0".
std::string_view version();
}  // namespace strata
