// Conv2DTranspose: ops::conv2d_transpose, then the bias broadcast over the channel axis and
// the activation; output extents from Keras's deconv_output_length.
#include "strata/layers/conv2d_transpose.hpp"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "layers/keras_args.hpp"
#include "strata/config_reader.hpp"
#include "strata/error.hpp"
#include "strata/layers/registry.hpp"
#include "strata/ops.hpp"

namespace strata::layers {

Conv2DTranspose::Conv2DTranspose(Conv2DTransposeOptions options)
    : Layer("conv2d_transpose", common_options(options)), options_(std::move(options)) {
  detail::check_conv_args("Conv2DTranspose", name(), options_.filters, options_.kernel_size, options_.strides,
                          options_.padding, options_.data_format, options_.dilation_rate, options_.groups);
  if (options_.output_padding) {
    const Size2 pad = *options_.output_padding;
    if (pad.h >= options_.strides.h || pad.w >= options_.strides.w)
      throw ValueError(fmt::format("Strides must be greater than output padding. Received strides={}, "
                                   "output_padding={}.",
                                   detail::py_tuple(detail::to_ints(options_.strides)),
                                   detail::py_tuple(detail::to_ints(pad))));
  }
}

std::vector<std::shared_ptr<Layer>> Conv2DTranspose::sublayers() const {
  if (options_.activation.layer()) return {options_.activation.layer()};
  return {};
}

Variable Conv2DTranspose::kernel() const {
  if (!kernel_) throw ValueError("You must build the layer before accessing `kernel`.");
  return *kernel_;
}

TensorShape Conv2DTranspose::compute_output_shape(const TensorShape& input_shape) const {
  if (auto message = detail::check_ndim(input_shape, 4)) incompatible_input(*message);
  const Size2 k = options_.kernel_size;
  const std::size_t kernel[2] = {k.h, k.w};
  const std::size_t stride[2] = {options_.strides.h, options_.strides.w};
  const std::size_t dilation[2] = {options_.dilation_rate.h, options_.dilation_rate.w};
  // -1: no output_padding (Keras's None).
  const auto& pad = options_.output_padding;
  const std::int64_t output_padding[2] = {pad ? static_cast<std::int64_t>(pad->h) : -1,
                                          pad ? static_cast<std::int64_t>(pad->w) : -1};
  TensorShape out{input_shape[0]};
  for (std::size_t axis = 0; axis < 2; ++axis) {
    const Dim& length = input_shape[1 + axis];
    if (!length) {
      out.push_back(std::nullopt);
      continue;
    }
    // deconv_output_length can be <= 0 only for tiny inputs with 'same' padding and output_padding.
    std::size_t extent = 0;
    try {
      extent = ops::conv_transpose_output_length(*length, kernel[axis], detail::to_op_padding(options_.padding),
                                                 stride[axis], dilation[axis], output_padding[axis]);
    } catch (const ShapeError&) {
      detail::throw_output_too_small(name(), input_shape);
    }
    if (extent == 0) detail::throw_output_too_small(name(), input_shape);
    out.push_back(extent);
  }
  out.push_back(options_.filters);
  return out;
}

void Conv2DTranspose::build_weights(const TensorShape& input_shape) {
  if (auto message = detail::check_min_ndim(input_shape, 4)) incompatible_input(*message);
  if (input_shape.size() != 4)
    throw ValueError(fmt::format("Inputs should have rank 4. Received input_shape={}.", to_string(input_shape)));
  if (!input_shape[3])
    throw ValueError(fmt::format("The channel dimension of the inputs to `Conv2DTranspose` should be defined. The "
                                 "input_shape received is {}, where axis -1 (0-based) is the channel dimension, which "
                                 "found to be `None`.",
                                 to_string(input_shape)));
  const std::size_t channels = *input_shape[3];
  const TensorShape output_shape = compute_output_shape(input_shape);
  const Size2 k = options_.kernel_size;
  kernel_ = add_weight("kernel", {k.h, k.w, options_.filters, channels}, *options_.kernel_initializer,
                       options_.kernel_regularizer.ptr(), options_.kernel_constraint.ptr());
  if (options_.use_bias)
    bias_ = add_weight("bias", {options_.filters}, *options_.bias_initializer, options_.bias_regularizer.ptr(),
                       options_.bias_constraint.ptr());
  options_.activation.build(output_shape);
}

Variable Conv2DTranspose::call(const Variable& x, bool training) {
  const TensorShape shape = to_tensor_shape(x.shape());
  if (auto message = detail::check_ndim(shape, 4)) incompatible_input(*message);
  if (auto message = detail::check_axis(shape, -1, kernel_->shape()[3])) incompatible_input(*message);
  compute_output_shape(shape);  // Keras's message for outputs that would be empty
  ops::Conv2DTransposeOptions conv{.strides = detail::to_array(options_.strides),
                                   .padding = detail::to_op_padding(options_.padding),
                                   .dilation_rate = detail::to_array(options_.dilation_rate),
                                   .output_padding = {-1, -1}};
  if (options_.output_padding)
    conv.output_padding = {static_cast<std::int64_t>(options_.output_padding->h),
                           static_cast<std::int64_t>(options_.output_padding->w)};
  Variable y = ops::conv2d_transpose(x, *kernel_, conv);
  if (bias_) y = ops::bias_add(y, *bias_);
  y = options_.activation(y, training);
  add_activity_loss(options_.activity_regularizer.ptr(), y);
  return y;
}

void Conv2DTranspose::add_config(Json& config) const {
  config["filters"] = options_.filters;
  config["kernel_size"] = detail::to_json(options_.kernel_size);
  config["strides"] = detail::to_json(options_.strides);
  config["padding"] = options_.padding;
  config["data_format"] = options_.data_format;
  config["dilation_rate"] = detail::to_json(options_.dilation_rate);
  config["groups"] = options_.groups;
  detail::write_kernel_layer_args(config, options_);
  config["output_padding"] = options_.output_padding ? detail::to_json(*options_.output_padding) : Json(nullptr);
}

std::shared_ptr<Conv2DTranspose> Conv2DTranspose::from_config(const ConfigReader& config) {
  Conv2DTransposeOptions options;
  const std::int64_t filters = config.integer("filters");
  if (filters <= 0)
    throw ValueError(fmt::format(
        "Invalid value for argument `filters`. Expected a strictly positive value. Received filters={}.", filters));
  config.check_size("filters", static_cast<std::uint64_t>(filters));
  options.filters = static_cast<std::size_t>(filters);
  options.kernel_size = detail::read_size2(config, "kernel_size", /*allow_zero=*/false);
  if (config.has_value("strides")) options.strides = detail::read_size2(config, "strides", /*allow_zero=*/true);
  options.padding = config.string("padding", "valid");
  if (config.has_value("output_padding"))
    options.output_padding = detail::read_size2(config, "output_padding", /*allow_zero=*/true);
  options.data_format = config.string("data_format", "channels_last");
  if (config.has_value("dilation_rate"))
    options.dilation_rate = detail::read_size2(config, "dilation_rate", /*allow_zero=*/false);
  const std::int64_t groups = config.integer("groups", 1);
  if (groups < 0)
    throw ValueError(fmt::format("The number of groups must be a positive integer. Received: groups={}.", groups));
  config.check_size("groups", static_cast<std::uint64_t>(groups));
  options.groups = static_cast<std::size_t>(groups);
  detail::read_kernel_layer_args(config, options);
  read_common_options(config, options);
  return std::make_shared<Conv2DTranspose>(std::move(options));
}

STRATA_REGISTER_LAYER(Conv2DTranspose)

}  // namespace strata::layers
