// BatchNormalization: in training, the fused batch_norm op (batch statistics, gradients
// through them); the moving statistics are updated in place after each training call.
#include "strata/layers/batch_normalization.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "layers/keras_args.hpp"
#include "strata/config_reader.hpp"
#include "strata/error.hpp"
#include "strata/layers/registry.hpp"
#include "strata/ops.hpp"

namespace strata::layers {

BatchNormalization::BatchNormalization(BatchNormalizationOptions options)
    : Layer("batch_normalization", common_options(options)), options_(std::move(options)) {}

void BatchNormalization::build_weights(const TensorShape& input_shape) {
  // tf_utils.validate_axis
  const auto rank = static_cast<int>(input_shape.size());
  if (rank == 0)
    throw ValueError(fmt::format("Input has undefined rank. Received: input_shape={}", to_string(input_shape)));
  const int axis = options_.axis < 0 ? rank + options_.axis : options_.axis;
  if (axis < 0 || axis >= rank)
    throw ValueError(fmt::format("Invalid value for `axis` argument. Expected 0 <= axis < inputs.rank (with "
                                 "inputs.rank={}). Received: axis={}",
                                 rank, detail::py_tuple({axis})));
  const Dim& features = input_shape[static_cast<std::size_t>(axis)];
  if (!features)
    throw ValueError(fmt::format("Input has undefined `axis` dimension. Received input with shape {} and axis={}",
                                 to_string(input_shape), detail::py_tuple({axis})));
  resolved_axis_ = static_cast<std::size_t>(axis);
  // BatchNormalizationBase.build: fused when the rank is 4 (axis 1 or 3) or 5 (axis 1 or 4).
  fused_ = (rank == 4 && (axis == 1 || axis == 3)) || (rank == 5 && (axis == 1 || axis == 4));

  const Shape param_shape{*features};
  if (options_.scale)
    gamma_ = add_weight("gamma", param_shape, *options_.gamma_initializer, options_.gamma_regularizer.ptr(),
                        options_.gamma_constraint.ptr());
  if (options_.center)
    beta_ = add_weight("beta", param_shape, *options_.beta_initializer, options_.beta_regularizer.ptr(),
                       options_.beta_constraint.ptr());
  moving_mean_ = add_weight("moving_mean", param_shape, *options_.moving_mean_initializer, nullptr, nullptr,
                            /*trainable=*/false);
  moving_variance_ = add_weight("moving_variance", param_shape, *options_.moving_variance_initializer, nullptr,
                                nullptr, /*trainable=*/false);
}

Variable BatchNormalization::call(const Variable& x, bool training) {
  const TensorShape shape = to_tensor_shape(x.shape());
  const TensorShape& built_shape = *build_input_shape();
  if (auto message = detail::check_ndim(shape, built_shape.size())) incompatible_input(*message);
  const std::size_t axis = *resolved_axis_;
  const std::size_t features = moving_mean_->size();
  if (auto message = detail::check_axis(shape, static_cast<int>(axis), features)) incompatible_input(*message);

  // The fused kernel (tf.nn.fused_batch_norm) raises epsilon to cuDNN's minimum 1.001e-5.
  const double epsilon = fused_ ? std::max(options_.epsilon, 1.001e-5) : options_.epsilon;

  // A layer that is not trainable always runs in inference mode (tf.keras 2.x).
  if (training && trainable()) {
    const Variable gamma = gamma_ ? *gamma_ : constant(Tensor::ones({features}));
    const Variable beta = beta_ ? *beta_ : constant(Tensor::zeros({features}));
    ops::BatchNormResult batch = ops::batch_norm(x, gamma, beta, static_cast<int>(axis), static_cast<float>(epsilon));

    // Moving statistics (no gradient): Keras's updates, in float32 as TensorFlow does them.
    // An empty batch has no statistics and leaves them as they are.
    const std::size_t n = x.size() / std::max<std::size_t>(features, 1);
    if (n == 0) return batch.y;
    const float bessel = fused_ && n > 1 ? static_cast<float>(n) / static_cast<float>(n - 1) : 1.0f;
    const auto factor = static_cast<float>(1.0 - options_.momentum);
    Tensor& moving_mean = moving_mean_->value();
    Tensor& moving_variance = moving_variance_->value();
    for (std::size_t c = 0; c < features; ++c) {
      const float batch_mean = batch.mean[c];
      const float batch_variance = batch.variance[c] * bessel;
      if (fused_) {
        // FusedBatchNormV3 with exponential_avg_factor = 1 - momentum.
        moving_mean[c] = (1.0f - factor) * moving_mean[c] + factor * batch_mean;
        moving_variance[c] = (1.0f - factor) * moving_variance[c] + factor * batch_variance;
      } else {
        // _assign_moving_average: variable -= (variable - value) * decay.
        moving_mean[c] -= (moving_mean[c] - batch_mean) * factor;
        moving_variance[c] -= (moving_variance[c] - batch_variance) * factor;
      }
    }
    return batch.y;
  }

  // Inference: y = x * scale + shift with per-feature scale = gamma / sqrt(moving_variance
  // + epsilon) and shift = beta - moving_mean * scale, computed on the small vectors (so
  // gradients still reach gamma and beta) and applied in two passes over x.
  Variable scale = ops::pow(*moving_variance_ + static_cast<float>(epsilon), -0.5f);
  if (gamma_) scale = ops::mul(scale, *gamma_);
  Variable shift = ops::neg(ops::mul(*moving_mean_, scale));
  if (beta_) shift = ops::add(shift, *beta_);
  if (axis + 1 == x.rank()) return ops::bias_add(ops::mul(x, scale), shift);
  // Per-feature vectors broadcast against x as (1, ..., features, ..., 1).
  std::vector<std::int64_t> broadcast(x.rank(), 1);
  broadcast[axis] = static_cast<std::int64_t>(features);
  return ops::add(ops::mul(x, ops::reshape(scale, broadcast)), ops::reshape(shift, broadcast));
}

void BatchNormalization::add_config(Json& config) const {
  if (resolved_axis_) config["axis"] = Json::array({*resolved_axis_});
  else if (axis_given_as_list_) config["axis"] = Json::array({options_.axis});
  else config["axis"] = options_.axis;
  config["momentum"] = options_.momentum;
  config["epsilon"] = options_.epsilon;
  config["center"] = options_.center;
  config["scale"] = options_.scale;
  config["beta_initializer"] = initializers::serialize(*options_.beta_initializer);
  config["gamma_initializer"] = initializers::serialize(*options_.gamma_initializer);
  config["moving_mean_initializer"] = initializers::serialize(*options_.moving_mean_initializer);
  config["moving_variance_initializer"] = initializers::serialize(*options_.moving_variance_initializer);
  config["beta_regularizer"] = regularizers::serialize(options_.beta_regularizer.ptr());
  config["gamma_regularizer"] = regularizers::serialize(options_.gamma_regularizer.ptr());
  config["beta_constraint"] = constraints::serialize(options_.beta_constraint.ptr());
  config["gamma_constraint"] = constraints::serialize(options_.gamma_constraint.ptr());
}

std::shared_ptr<BatchNormalization> BatchNormalization::from_config(const ConfigReader& config) {
  BatchNormalizationOptions options;
  bool axis_as_list = false;
  if (const Json* axis = config.find("axis"); axis && axis->is_array()) {
    const std::vector<std::int64_t> axes = config.integers("axis");
    if (axes.size() != 1)
      config.fail("axis", fmt::format("BatchNormalization over several axes is not supported; received axis={}",
                                      detail::py_list(axes)));
    options.axis = static_cast<int>(axes[0]);
    axis_as_list = true;
  } else {
    options.axis = static_cast<int>(config.integer("axis", -1));
  }
  options.momentum = config.number("momentum", 0.99);
  options.epsilon = config.number("epsilon", 0.001);
  options.center = config.boolean("center", true);
  options.scale = config.boolean("scale", true);
  options.beta_initializer = detail::read_initializer(config, "beta_initializer", "zeros");
  options.gamma_initializer = detail::read_initializer(config, "gamma_initializer", "ones");
  options.moving_mean_initializer = detail::read_initializer(config, "moving_mean_initializer", "zeros");
  options.moving_variance_initializer = detail::read_initializer(config, "moving_variance_initializer", "ones");
  options.beta_regularizer = detail::read_regularizer(config, "beta_regularizer");
  options.gamma_regularizer = detail::read_regularizer(config, "gamma_regularizer");
  options.beta_constraint = detail::read_constraint(config, "beta_constraint");
  options.gamma_constraint = detail::read_constraint(config, "gamma_constraint");
  // Batch renormalization and ghost batches change the computation: refuse rather than ignore.
  if (config.boolean("renorm", false)) config.fail("renorm", "batch renormalization (renorm=true) is not supported");
  if (config.has_value("virtual_batch_size"))
    config.fail("virtual_batch_size", "ghost batch normalization (virtual_batch_size) is not supported");
  read_common_options(config, options);
  auto layer = std::make_shared<BatchNormalization>(std::move(options));
  layer->axis_given_as_list_ = axis_as_list;
  return layer;
}

STRATA_REGISTER_LAYER(BatchNormalization)

}  // namespace strata::layers
