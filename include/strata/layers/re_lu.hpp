// ReLU: Keras's backend.relu as a layer (tf.keras.layers.ReLU): x > threshold ->
// min(x, max_value); x == threshold -> 0; below -> negative_slope * (x - threshold).
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "strata/layers/layer.hpp"

namespace strata {
class ConfigReader;
}

namespace strata::layers {

struct ReLUOptions {
  std::optional<float> max_value{};  // none: no cap; must be >= 0
  float negative_slope = 0.0f;       // must be >= 0
  float threshold = 0.0f;            // must be >= 0
  STRATA_LAYER_COMMON_OPTIONS
};

class ReLU : public Layer {
 public:
  // ValueError with Keras's messages for a negative max_value, negative_slope or threshold.
  explicit ReLU(ReLUOptions options = {});

  std::string class_name() const override { return "ReLU"; }
  std::optional<ops::FusedActivation> fused_activation() const override;
  const ReLUOptions& options() const { return options_; }

  static std::shared_ptr<ReLU> from_config(const ConfigReader& config);

 protected:
  Variable call(const Variable& x, bool training) override;
  void add_config(Json& config) const override;

 private:
  ReLUOptions options_;
};

}  // namespace strata::layers
