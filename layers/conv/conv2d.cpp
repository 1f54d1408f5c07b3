// Conv2D: ops::conv2d with its bias fused in (per channel group with ops::slice / ops::concat
// and ops::bias_add when groups > 1), then the activation.
#include "strata/layers/conv2d.hpp"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "layers/keras_args.hpp"
#include "strata/config_reader.hpp"
#include "strata/error.hpp"
#include "strata/layers/registry.hpp"
#include "strata/ops.hpp"

namespace strata::layers {

Conv2D::Conv2D(Conv2DOptions options) : Layer("conv2d", common_options(options)), options_(std::move(options)) {
  detail::check_conv_args("Conv2D", name(), options_.filters, options_.kernel_size, options_.strides,
                          options_.padding, options_.data_format, options_.dilation_rate, options_.groups);
}

std::vector<std::shared_ptr<Layer>> Conv2D::sublayers() const {
  if (options_.activation.layer()) return {options_.activation.layer()};
  return {};
}

Variable Conv2D::kernel() const {
  if (!kernel_) throw ValueError("You must build the layer before accessing `kernel`.");
  return *kernel_;
}

TensorShape Conv2D::compute_output_shape(const TensorShape& input_shape) const {
  if (auto message = detail::check_min_ndim(input_shape, 4)) incompatible_input(*message);
  const std::size_t batch_rank = input_shape.size() - 3;
  TensorShape out(input_shape.begin(), input_shape.begin() + static_cast<std::ptrdiff_t>(batch_rank));
  const Size2 k = options_.kernel_size;
  const std::size_t kernel[2] = {k.h, k.w};
  const std::size_t stride[2] = {options_.strides.h, options_.strides.w};
  const std::size_t dilation[2] = {options_.dilation_rate.h, options_.dilation_rate.w};
  for (std::size_t axis = 0; axis < 2; ++axis) {
    auto length = detail::conv_output_length(input_shape[batch_rank + axis], kernel[axis], options_.padding,
                                             stride[axis], dilation[axis]);
    if (length && *length <= 0) detail::throw_output_too_small(name(), input_shape);
    out.push_back(length ? Dim{static_cast<std::size_t>(*length)} : Dim{});
  }
  out.push_back(options_.filters);
  return out;
}

void Conv2D::build_weights(const TensorShape& input_shape) {
  if (auto message = detail::check_min_ndim(input_shape, 4)) incompatible_input(*message);
  const std::size_t channels = detail::input_channels(input_shape);
  if (channels % options_.groups != 0)
    throw ValueError(fmt::format("The number of input channels must be evenly divisible by the number of groups. "
                                 "Received groups={}, but the input has {} channels (full input shape is {}).",
                                 options_.groups, channels, to_string(input_shape)));
  // Validates the output shape before creating weights, as Keras does.
  const TensorShape output_shape = compute_output_shape(input_shape);
  const Size2 k = options_.kernel_size;
  kernel_ = add_weight("kernel", {k.h, k.w, channels / options_.groups, options_.filters},
                       *options_.kernel_initializer, options_.kernel_regularizer.ptr(),
                       options_.kernel_constraint.ptr());
  if (options_.use_bias)
    bias_ = add_weight("bias", {options_.filters}, *options_.bias_initializer, options_.bias_regularizer.ptr(),
                       options_.bias_constraint.ptr());
  options_.activation.build(output_shape);
}

// The convolution (and bias) with `activation` applied inside the op, and `max_pool` after
// it (4-d inputs); grouped convolutions take neither.
Variable Conv2D::convolve(const Variable& x, const ops::FusedActivation& activation,
                          const std::optional<ops::Pool2DOptions>& max_pool) {
  const TensorShape shape = to_tensor_shape(x.shape());
  if (auto message = detail::check_min_ndim(shape, 4)) incompatible_input(*message);
  const std::size_t in_channels = kernel_->shape()[2] * options_.groups;
  if (auto message = detail::check_axis(shape, -1, in_channels)) incompatible_input(*message);
  const TensorShape out_shape = compute_output_shape(shape);

  // Leading batch axes beyond the first are folded into one (Keras's squeeze_batch_dims).
  Variable images = x;
  if (x.rank() > 4) {
    const Shape& s = x.shape();
    images = ops::reshape(x, {-1, static_cast<std::int64_t>(s[s.size() - 3]),
                              static_cast<std::int64_t>(s[s.size() - 2]), static_cast<std::int64_t>(s.back())});
  }
  const ops::Conv2DOptions conv{.strides = detail::to_array(options_.strides),
                                .padding = detail::to_op_padding(options_.padding),
                                .dilation_rate = detail::to_array(options_.dilation_rate),
                                .activation = activation};
  Variable y = images;
  if (max_pool) {
    y = bias_ ? ops::conv2d_max_pool2d(images, *kernel_, *bias_, conv, *max_pool)
              : ops::conv2d_max_pool2d(images, *kernel_, conv, *max_pool);
  } else if (options_.groups == 1) {
    y = bias_ ? ops::conv2d(images, *kernel_, *bias_, conv) : ops::conv2d(images, *kernel_, conv);
  } else {
    // Group g maps input channels [g * cin, (g + 1) * cin) to filters [g * cout, (g + 1) * cout).
    const std::size_t cin = in_channels / options_.groups, cout = options_.filters / options_.groups;
    std::vector<Variable> outputs;
    for (std::size_t g = 0; g < options_.groups; ++g) {
      Variable xg = ops::slice(images, {0, 0, 0, g * cin}, {-1, -1, -1, static_cast<std::int64_t>(cin)});
      Variable kg = ops::slice(*kernel_, {0, 0, 0, g * cout}, {-1, -1, -1, static_cast<std::int64_t>(cout)});
      outputs.push_back(ops::conv2d(xg, kg, conv));
    }
    y = ops::concat(outputs, 3);
    if (bias_) y = ops::bias_add(y, *bias_);
  }
  if (x.rank() > 4) {
    std::vector<std::int64_t> unfolded;
    for (const Dim& d : out_shape) unfolded.push_back(static_cast<std::int64_t>(*d));
    y = ops::reshape(y, unfolded);
  }
  return y;
}

Variable Conv2D::call(const Variable& x, bool training) {
  // The layer's own activation goes inside the convolution op when it can (relu, LeakyReLU).
  const std::optional<ops::FusedActivation> fused =
      options_.groups == 1 ? options_.activation.fused() : std::nullopt;
  Variable y = convolve(x, fused.value_or(ops::FusedActivation{}));
  if (!fused) y = options_.activation(y, training);
  add_activity_loss(options_.activity_regularizer.ptr(), y);
  return y;
}

std::optional<Variable> Conv2D::call_with_tail(const Variable& x, bool, const FusedTail& tail) {
  // The next layers must come straight after the convolution: not after this layer's own
  // activation, nor after its activity regularizer has seen the output.
  if (options_.groups != 1 || !options_.activation.is_linear() || options_.activity_regularizer.ptr() ||
      (tail.max_pool && x.rank() != 4))
    return std::nullopt;
  return convolve(x, tail.activation, tail.max_pool);
}

void Conv2D::add_config(Json& config) const {
  config["filters"] = options_.filters;
  config["kernel_size"] = detail::to_json(options_.kernel_size);
  config["strides"] = detail::to_json(options_.strides);
  config["padding"] = options_.padding;
  config["data_format"] = options_.data_format;
  config["dilation_rate"] = detail::to_json(options_.dilation_rate);
  config["groups"] = options_.groups;
  detail::write_kernel_layer_args(config, options_);
}

std::shared_ptr<Conv2D> Conv2D::from_config(const ConfigReader& config) {
  Conv2DOptions options;
  const std::int64_t filters = config.integer("filters");
  if (filters <= 0)
    throw ValueError(fmt::format(
        "Invalid value for argument `filters`. Expected a strictly positive value. Received filters={}.", filters));
  config.check_size("filters", static_cast<std::uint64_t>(filters));
  options.filters = static_cast<std::size_t>(filters);
  options.kernel_size = detail::read_size2(config, "kernel_size", /*allow_zero=*/false);
  if (config.has_value("strides")) options.strides = detail::read_size2(config, "strides", /*allow_zero=*/true);
  options.padding = config.string("padding", "valid");
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
  return std::make_shared<Conv2D>(std::move(options));
}

STRATA_REGISTER_LAYER(Conv2D)

}  // namespace strata::layers
