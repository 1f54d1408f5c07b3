// MaxPooling2D: the maximum over pool_size windows moved by strides across each channel of an
// image batch (tf.keras.layers.MaxPooling2D).
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "strata/layers/layer.hpp"

namespace strata {
class ConfigReader;
}

namespace strata::layers {

struct MaxPooling2DOptions {
  Size2 pool_size = 2;
  Size2 strides = 0;  // 0: pool_size, Keras's strides=None (the config writes the resolved value)
  std::string padding = "valid";  // "valid" or "same" (any case)
  std::string data_format = "channels_last";  // or "channels_first"
  STRATA_LAYER_COMMON_OPTIONS
};

class MaxPooling2D : public Layer {
 public:
  explicit MaxPooling2D(MaxPooling2DOptions options = {});

  std::string class_name() const override { return "MaxPooling2D"; }
  std::optional<ops::Pool2DOptions> fused_max_pool() const override;
  TensorShape compute_output_shape(const TensorShape& input_shape) const override;
  const MaxPooling2DOptions& options() const { return options_; }
  // The strides in use (pool_size when none were given).
  Size2 strides() const { return strides_; }

  static std::shared_ptr<MaxPooling2D> from_config(const ConfigReader& config);

 protected:
  void build_weights(const TensorShape& input_shape) override;
  Variable call(const Variable& x, bool training) override;
  void add_config(Json& config) const override;

 private:
  ops::Pool2DOptions pool_options() const;
  MaxPooling2DOptions options_;
  Size2 strides_;
};

}  // namespace strata::layers
