// Activation: applies an ActivationArg (a Keras function name or an activation layer).
#include "strata/layers/activation.hpp"

#include <nlohmann/json.hpp>

#include "strata/config_reader.hpp"
#include "strata/layers/registry.hpp"

namespace strata::layers {

Activation::Activation(ActivationOptions options)
    : Layer("activation", common_options(options)), options_(std::move(options)) {}

std::vector<std::shared_ptr<Layer>> Activation::sublayers() const {
  if (options_.activation.layer()) return {options_.activation.layer()};
  return {};
}

void Activation::build_weights(const TensorShape& input_shape) { options_.activation.build(input_shape); }

Variable Activation::call(const Variable& x, bool training) { return options_.activation(x, training); }

std::optional<ops::FusedActivation> Activation::fused_activation() const { return options_.activation.fused(); }

void Activation::add_config(Json& config) const { config["activation"] = options_.activation.to_config(); }

std::shared_ptr<Activation> Activation::from_config(const ConfigReader& config) {
  ActivationOptions options;
  options.activation = ActivationArg::from_config(config, "activation");
  read_common_options(config, options);
  return std::make_shared<Activation>(std::move(options));
}

STRATA_REGISTER_LAYER(Activation)

}  // namespace strata::layers
