// Dense: kernel (input_dim, units) and bias (units,), applied over the last axis.
#include "strata/layers/dense.hpp"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "layers/keras_args.hpp"
#include "strata/config_reader.hpp"
#include "strata/error.hpp"
#include "strata/layers/registry.hpp"
#include "strata/ops.hpp"

namespace strata::layers {

namespace {
// Keras 2.x only rejects units < 0 (which a std::size_t cannot hold); strata also rejects
// 0, which would give an empty kernel, with the same wording.
void check_units(std::int64_t units) {
  if (units <= 0)
    throw ValueError(fmt::format(
        "Received an invalid value for `units`, expected a positive integer. Received: units={}", units));
}
}  // namespace

Dense::Dense(DenseOptions options) : Layer("dense", common_options(options)), options_(std::move(options)) {
  check_units(static_cast<std::int64_t>(options_.units));
}

std::vector<std::shared_ptr<Layer>> Dense::sublayers() const {
  if (options_.activation.layer()) return {options_.activation.layer()};
  return {};
}

Variable Dense::kernel() const {
  if (!kernel_) throw ValueError("You must build the layer before accessing `kernel`.");
  return *kernel_;
}

TensorShape Dense::compute_output_shape(const TensorShape& input_shape) const {
  if (auto message = detail::check_min_ndim(input_shape, 2)) incompatible_input(*message);
  TensorShape out = input_shape;
  out.back() = options_.units;
  return out;
}

void Dense::build_weights(const TensorShape& input_shape) {
  if (auto message = detail::check_min_ndim(input_shape, 2)) incompatible_input(*message);
  const Dim& last = input_shape.back();
  if (!last)
    throw ValueError(fmt::format("The last dimension of the inputs to a Dense layer should be defined. Found None. "
                                 "Full input shape received: {}",
                                 to_string(input_shape)));
  kernel_ = add_weight("kernel", {*last, options_.units}, *options_.kernel_initializer,
                       options_.kernel_regularizer.ptr(), options_.kernel_constraint.ptr());
  if (options_.use_bias)
    bias_ = add_weight("bias", {options_.units}, *options_.bias_initializer, options_.bias_regularizer.ptr(),
                       options_.bias_constraint.ptr());
  options_.activation.build(compute_output_shape(input_shape));
}

Variable Dense::call(const Variable& x, bool training) {
  const TensorShape shape = to_tensor_shape(x.shape());
  if (auto message = detail::check_min_ndim(shape, 2)) incompatible_input(*message);
  const std::size_t input_dim = kernel_->shape()[0];
  if (auto message = detail::check_axis(shape, -1, input_dim)) incompatible_input(*message);

  Variable y = x;
  if (x.rank() == 2) {
    y = ops::matmul(x, *kernel_);
  } else {
    // (..., input_dim) -> (n, input_dim) . kernel -> (..., units), as tf.tensordot does.
    std::vector<std::int64_t> out_shape(x.shape().begin(), x.shape().end());
    out_shape.back() = static_cast<std::int64_t>(options_.units);
    y = ops::matmul(ops::reshape(x, {-1, static_cast<std::int64_t>(input_dim)}), *kernel_);
    y = ops::reshape(y, out_shape);
  }
  if (bias_) y = ops::bias_add(y, *bias_);
  y = options_.activation(y, training);
  add_activity_loss(options_.activity_regularizer.ptr(), y);
  return y;
}

void Dense::add_config(Json& config) const {
  config["units"] = options_.units;
  detail::write_kernel_layer_args(config, options_);
}

std::shared_ptr<Dense> Dense::from_config(const ConfigReader& config) {
  DenseOptions options;
  const std::int64_t units = config.integer("units");
  check_units(units);
  config.check_size("units", static_cast<std::uint64_t>(units));
  options.units = static_cast<std::size_t>(units);
  detail::read_kernel_layer_args(config, options);
  read_common_options(config, options);
  return std::make_shared<Dense>(std::move(options));
}

STRATA_REGISTER_LAYER(Dense)

}  // namespace strata::layers
