// Conv2D: 2-d convolution over NHWC images, activation(conv(x, kernel) + bias), with
// Keras's kernel layout (kh, kw, in_channels / groups, filters) (tf.keras.layers.Conv2D).
// Inputs of rank > 4 treat the leading axes as batch axes, as Keras does.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "strata/activations.hpp"
#include "strata/constraints.hpp"
#include "strata/initializers.hpp"
#include "strata/layers/layer.hpp"
#include "strata/regularizers.hpp"

namespace strata {
class ConfigReader;
}

namespace strata::layers {

struct Conv2DOptions {
  std::size_t filters = 0;               // required: the number of output channels
  Size2 kernel_size = 0;  // required: `3` or `{3, 5}` (0 = not given)
  Size2 strides = 1;
  std::string padding = "valid";         // "valid" or "same" (any case)
  // Only "channels_last" (NHWC) is supported; "channels_first" is refused with a ValueError.
  std::string data_format = "channels_last";
  Size2 dilation_rate = 1;
  // Channels are split into `groups` independent convolutions; filters and the input's
  // channels must both be divisible by it (0 means 1, as Keras's `groups or 1`).
  std::size_t groups = 1;
  ActivationArg activation{};
  bool use_bias = true;
  InitializerArg kernel_initializer = "glorot_uniform";
  InitializerArg bias_initializer = "zeros";
  RegularizerArg kernel_regularizer{};
  RegularizerArg bias_regularizer{};
  RegularizerArg activity_regularizer{};
  ConstraintArg kernel_constraint{};
  ConstraintArg bias_constraint{};
  STRATA_LAYER_COMMON_OPTIONS
};

class Conv2D : public Layer {
 public:
  explicit Conv2D(Conv2DOptions options = {});

  std::string class_name() const override { return "Conv2D"; }
  TensorShape compute_output_shape(const TensorShape& input_shape) const override;
  // The activation layer, when one was given as `activation=`.
  std::vector<std::shared_ptr<Layer>> sublayers() const override;

  const Conv2DOptions& options() const { return options_; }
  // (kh, kw, in_channels / groups, filters); ValueError before the layer is built.
  Variable kernel() const;
  // (filters,); nullopt when use_bias is false.
  std::optional<Variable> bias() const { return bias_; }

  static std::shared_ptr<Conv2D> from_config(const ConfigReader& config);

 protected:
  void build_weights(const TensorShape& input_shape) override;
  Variable call(const Variable& x, bool training) override;
  std::optional<Variable> call_with_tail(const Variable& x, bool training, const FusedTail& tail) override;
  void add_config(Json& config) const override;

 private:
  Variable convolve(const Variable& x, const ops::FusedActivation& activation,
                    const std::optional<ops::Pool2DOptions>& max_pool = std::nullopt);
  Conv2DOptions options_;
  std::optional<Variable> kernel_;
  std::optional<Variable> bias_;
};

}  // namespace strata::layers
