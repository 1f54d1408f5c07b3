// ReLU: Keras's backend.relu(x, negative_slope, max_value, threshold) as a layer, with the
// constructor checks of tf.keras 2.7+ (KERAS.md 5.3); the arguments are kept as float32.
#include "strata/layers/re_lu.hpp"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "layers/activation/activation_args.hpp"
#include "strata/config_reader.hpp"
#include "strata/error.hpp"
#include "strata/layers/registry.hpp"
#include "strata/ops.hpp"

namespace strata::layers {

ReLU::ReLU(ReLUOptions options) : Layer("re_lu", common_options(options)), options_(std::move(options)) {
  if (options_.max_value && *options_.max_value < 0.0f)
    throw ValueError(
        fmt::format("max_value of a ReLU layer cannot be a negative value. Received: {}", *options_.max_value));
  if (options_.negative_slope < 0.0f)
    throw ValueError(fmt::format("negative_slope of a ReLU layer cannot be a negative value. Received: {}",
                                 options_.negative_slope));
  if (options_.threshold < 0.0f)
    throw ValueError(
        fmt::format("threshold of a ReLU layer cannot be a negative value. Received: {}", options_.threshold));
}

Variable ReLU::call(const Variable& x, bool) {
  return ops::relu(x, options_.negative_slope, options_.max_value, options_.threshold);
}

std::optional<ops::FusedActivation> ReLU::fused_activation() const {
  return ops::fused_relu(options_.negative_slope, options_.max_value, options_.threshold);
}

void ReLU::add_config(Json& config) const {
  config["max_value"] = options_.max_value ? detail::float32_json(*options_.max_value) : Json(nullptr);
  config["negative_slope"] = detail::float32_json(options_.negative_slope);
  config["threshold"] = detail::float32_json(options_.threshold);
}

std::shared_ptr<ReLU> ReLU::from_config(const ConfigReader& config) {
  ReLUOptions options;
  if (config.has_value("max_value")) options.max_value = static_cast<float>(config.number("max_value"));
  options.negative_slope =
      detail::read_float32(config, "negative_slope", options.negative_slope,
                           "negative_slope of a ReLU layer cannot be a negative value. Received: None");
  options.threshold = detail::read_float32(config, "threshold", options.threshold,
                                           "threshold of a ReLU layer cannot be a negative value. Received: None");
  read_common_options(config, options);
  return std::make_shared<ReLU>(std::move(options));
}

STRATA_REGISTER_LAYER(ReLU)

}  // namespace strata::layers
