// Reading the keys every optimizer config shares, and Python-style number output.
#include "optimizer_config.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "strata/error.hpp"

namespace strata::optimizers::detail {

// nlohmann writes the shortest round-trip form with Python's spelling (1.0, 1e-07).
std::string py_float(double value) { return Json(value).dump(); }

Json float32_json(float value) { return Json(static_cast<double>(value)); }

Json optional_json(const std::optional<double>& value) { return value ? Json(*value) : Json(nullptr); }

namespace {

// Keys of tf.keras 2.11's base get_config, plus what older and newer Keras write.
constexpr std::string_view kCommonKeys[] = {
    "name", "weight_decay", "clipnorm", "global_clipnorm", "clipvalue", "use_ema", "ema_momentum",
    "ema_overwrite_frequency", "jit_compile", "is_legacy_optimizer", "learning_rate",
    "lr", "decay",                                             // legacy optimizers (tf.keras <= 2.10)
    "loss_scale_factor", "gradient_accumulation_steps"};  // Keras 3

}  // namespace

CommonConfig read_common_config(const ConfigReader& config, std::initializer_list<std::string_view> own_keys) {
  for (const auto& [key, value] : config.json().items()) {
    const bool known = std::find(std::begin(kCommonKeys), std::end(kCommonKeys), key) != std::end(kCommonKeys) ||
                       std::find(own_keys.begin(), own_keys.end(), key) != own_keys.end();
    // Keras's _process_kwargs (a TypeError there).
    if (!known)
      throw ConfigError(fmt::format(
          "{}: {} is not a valid argument, kwargs should be empty  for `optimizer_experimental.Optimizer`.",
          config.path(), key));
  }
  // Keras 3 options strata does not implement are accepted only at their defaults.
  for (std::string_view key : {"loss_scale_factor", "gradient_accumulation_steps"})
    if (config.has_value(key)) config.fail(key, "is not supported by strata (only null)");
  // A legacy optimizer's per-step learning-rate decay is not implemented.
  if (config.has_value("decay") && config.number("decay") != 0.0)
    config.fail("decay", "the legacy learning-rate `decay` is not supported; use a LearningRateSchedule");

  CommonConfig common;
  for (std::string_view key : {"learning_rate", "lr"}) {
    const Json* lr = config.find(key);
    if (!lr || lr->is_null()) continue;
    if (lr->is_number())
      common.learning_rate = LearningRate(lr->get<double>());
    else if (lr->is_object())
      common.learning_rate = LearningRate(schedules::deserialize(*lr));
    else
      config.expected(key, "a number or a learning rate schedule", *lr);
    break;  // learning_rate wins over the legacy lr
  }
  OptimizerBaseOptions& base = common.base;
  base.name = config.string("name", "");
  common.weight_decay_given = config.has("weight_decay");
  base.weight_decay = config.optional_number("weight_decay");
  base.clipnorm = config.optional_number("clipnorm");
  base.global_clipnorm = config.optional_number("global_clipnorm");
  base.clipvalue = config.optional_number("clipvalue");
  base.use_ema = config.boolean("use_ema", false);
  base.ema_momentum = config.number("ema_momentum", 0.99);
  base.ema_overwrite_frequency = config.optional_integer("ema_overwrite_frequency");
  (void)config.boolean("jit_compile", false);          // type-checked, then ignored (no XLA)
  (void)config.boolean("is_legacy_optimizer", false);  // serialization only, as in Keras
  return common;
}

}  // namespace strata::optimizers::detail
