// LeakyReLU: x > 0 ? x : alpha * x with a fixed slope (tf.keras.layers.LeakyReLU). Not the
// same as the "leaky_relu" activation function, whose alpha is 0.2 (KERAS.md 8.9).
#pragma once

#include <memory>
#include <string>

#include "strata/layers/layer.hpp"

namespace strata {
class ConfigReader;
}

namespace strata::layers {

struct LeakyReLUOptions {
  // The slope for x <= 0; any value is taken literally, negative ones too (tf.keras 2.x).
  // Keras 3 calls it negative_slope; from_config reads both.
  float alpha = 0.3f;
  STRATA_LAYER_COMMON_OPTIONS
};

class LeakyReLU : public Layer {
 public:
  explicit LeakyReLU(LeakyReLUOptions options = {});

  std::string class_name() const override { return "LeakyReLU"; }
  std::optional<ops::FusedActivation> fused_activation() const override;
  const LeakyReLUOptions& options() const { return options_; }

  static std::shared_ptr<LeakyReLU> from_config(const ConfigReader& config);

 protected:
  Variable call(const Variable& x, bool training) override;
  void add_config(Json& config) const override;

 private:
  LeakyReLUOptions options_;
};

}  // namespace strata::layers
