// Internal to src/optimizers: the common options as the base class keeps them, reading
// optimizer configs (the keys every optimizer shares, legacy and Keras 3 keys), and
// Python-style number output.
#pragma once

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "strata/config_reader.hpp"
#include "strata/optimizers.hpp"

namespace strata::optimizers::detail {

// The base-class part of an options struct (AdamW passes its own weight_decay).
template <class Options>
OptimizerBaseOptions base_options(const Options& o, std::optional<double> weight_decay) {
  return {.weight_decay = weight_decay,
          .clipnorm = o.clipnorm,
          .clipvalue = o.clipvalue,
          .global_clipnorm = o.global_clipnorm,
          .use_ema = o.use_ema,
          .ema_momentum = o.ema_momentum,
          .ema_overwrite_frequency = o.ema_overwrite_frequency,
          .name = o.name};
}

// A number as Python's repr writes it (0.5, 1.0, 1e-07).
std::string py_float(double value);
// A float32 as Keras writes a tf.Variable's value: widened to double (0.0010000000474974513).
Json float32_json(float value);
Json optional_json(const std::optional<double>& value);

// Reads an optimizer's "config": the common keys go into `base`, "learning_rate" (or the
// legacy "lr") into `learning_rate`; `own_keys` are the optimizer's own keys, read by the
// caller. Any other key is refused in Keras's words.
struct CommonConfig {
  std::optional<LearningRate> learning_rate;
  OptimizerBaseOptions base;
  bool weight_decay_given = false;  // present, even as null (AdamW refuses null)
};
CommonConfig read_common_config(const ConfigReader& config, std::initializer_list<std::string_view> own_keys);

// Copies the common part into an options struct.
template <class Options>
void apply_common(const CommonConfig& common, Options& o) {
  if (common.learning_rate) o.learning_rate = *common.learning_rate;
  o.clipnorm = common.base.clipnorm;
  o.clipvalue = common.base.clipvalue;
  o.global_clipnorm = common.base.global_clipnorm;
  o.use_ema = common.base.use_ema;
  o.ema_momentum = common.base.ema_momentum;
  o.ema_overwrite_frequency = common.base.ema_overwrite_frequency;
  o.name = common.base.name;
  if constexpr (requires { o.weight_decay = common.base.weight_decay; }) o.weight_decay = common.base.weight_decay;
}

}  // namespace strata::optimizers::detail
