// LeakyReLU: Keras's backend.relu(x, alpha) as a layer; alpha kept as float32.
#include "strata/layers/leaky_re_lu.hpp"

#include <nlohmann/json.hpp>

#include "layers/activation/activation_args.hpp"
#include "strata/config_reader.hpp"
#include "strata/layers/registry.hpp"
#include "strata/ops.hpp"

namespace strata::layers {

LeakyReLU::LeakyReLU(LeakyReLUOptions options)
    : Layer("leaky_re_lu", common_options(options)), options_(std::move(options)) {}

Variable LeakyReLU::call(const Variable& x, bool) {
  // backend.relu: alpha 0 is a plain relu (+0.0 for negative inputs, not x * 0).
  return ops::relu(x, options_.alpha);
}

std::optional<ops::FusedActivation> LeakyReLU::fused_activation() const { return ops::fused_relu(options_.alpha); }

void LeakyReLU::add_config(Json& config) const { config["alpha"] = detail::float32_json(options_.alpha); }

std::shared_ptr<LeakyReLU> LeakyReLU::from_config(const ConfigReader& config) {
  LeakyReLUOptions options;
  // tf.keras 2.x writes alpha, Keras 3 negative_slope (and lets alpha win when both appear).
  const char* key = config.has("alpha") || !config.has("negative_slope") ? "alpha" : "negative_slope";
  options.alpha =
      detail::read_float32(config, key, options.alpha,
                           "The alpha value of a Leaky ReLU layer cannot be None, Expecting a float. Received: None");
  read_common_options(config, options);
  return std::make_shared<LeakyReLU>(std::move(options));
}

STRATA_REGISTER_LAYER(LeakyReLU)

}  // namespace strata::layers
