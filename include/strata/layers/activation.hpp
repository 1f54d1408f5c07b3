// Activation: applies an activation function given by name ("relu") or an activation
// layer object, as a layer of its own (tf.keras.layers.Activation).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "strata/activations.hpp"
#include "strata/layers/layer.hpp"

namespace strata {
class ConfigReader;
}

namespace strata::layers {

struct ActivationOptions {
  ActivationArg activation{};  // Keras requires it; strata's default is "linear"
  STRATA_LAYER_COMMON_OPTIONS
};

class Activation : public Layer {
 public:
  explicit Activation(ActivationOptions options = {});

  std::string class_name() const override { return "Activation"; }
  std::optional<ops::FusedActivation> fused_activation() const override;
  const ActivationOptions& options() const { return options_; }
  // The activation layer, when one was given.
  std::vector<std::shared_ptr<Layer>> sublayers() const override;

  static std::shared_ptr<Activation> from_config(const ConfigReader& config);

 protected:
  void build_weights(const TensorShape& input_shape) override;
  Variable call(const Variable& x, bool training) override;
  void add_config(Json& config) const override;

 private:
  ActivationOptions options_;
};

}  // namespace strata::layers
