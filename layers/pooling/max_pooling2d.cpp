// MaxPooling2D: ops::max_pool2d on NHWC images (channels_first inputs are transposed around it).
#include "strata/layers/max_pooling2d.hpp"

#include <nlohmann/json.hpp>

#include "layers/keras_args.hpp"
#include "strata/config_reader.hpp"
#include "strata/layers/registry.hpp"
#include "strata/ops.hpp"

namespace strata::layers {

MaxPooling2D::MaxPooling2D(MaxPooling2DOptions options)
    : Layer("max_pooling2d", common_options(options)),
      options_(std::move(options)),
      strides_(detail::check_pool_args(options_.pool_size, options_.strides, options_.padding, options_.data_format)) {}

TensorShape MaxPooling2D::compute_output_shape(const TensorShape& input_shape) const {
  if (auto message = detail::check_ndim(input_shape, 4)) incompatible_input(*message);
  return detail::pool2d_output_shape(name(), input_shape, options_.pool_size, strides_, options_.padding,
                                     options_.data_format);
}

void MaxPooling2D::build_weights(const TensorShape& input_shape) { compute_output_shape(input_shape); }

ops::Pool2DOptions MaxPooling2D::pool_options() const {
  return {.pool_size = detail::to_array(options_.pool_size),
          .strides = detail::to_array(strides_),
          .padding = detail::to_op_padding(options_.padding)};
}

Variable MaxPooling2D::call(const Variable& x, bool) {
  compute_output_shape(to_tensor_shape(x.shape()));
  if (options_.data_format == "channels_first")
    return detail::nhwc_to_nchw(ops::max_pool2d(detail::nchw_to_nhwc(x), pool_options()));
  return ops::max_pool2d(x, pool_options());
}

std::optional<ops::Pool2DOptions> MaxPooling2D::fused_max_pool() const {
  if (options_.data_format == "channels_first") return std::nullopt;  // the conv's output is NHWC
  return pool_options();
}

void MaxPooling2D::add_config(Json& config) const {
  // Keras's Pooling2D writes padding before strides.
  config["pool_size"] = detail::to_json(options_.pool_size);
  config["padding"] = options_.padding;
  config["strides"] = detail::to_json(strides_);
  config["data_format"] = options_.data_format;
}

std::shared_ptr<MaxPooling2D> MaxPooling2D::from_config(const ConfigReader& config) {
  MaxPooling2DOptions options;
  if (config.has_value("pool_size")) options.pool_size = detail::read_size2(config, "pool_size", /*allow_zero=*/false);
  if (config.has_value("strides")) options.strides = detail::read_size2(config, "strides", /*allow_zero=*/true);
  options.padding = config.string("padding", "valid");
  options.data_format = config.string("data_format", "channels_last");
  read_common_options(config, options);
  return std::make_shared<MaxPooling2D>(std::move(options));
}

STRATA_REGISTER_LAYER(MaxPooling2D)

}  // namespace strata::layers
