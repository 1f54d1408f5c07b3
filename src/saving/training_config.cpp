// The training_config attribute of a whole-model .h5 file (tf.keras 2.11 saving_utils's
// model_metadata and compile_args_from_training_config): what compile was given.
#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "src/saving/saving_detail.hpp"
#include "strata/error.hpp"
#include "strata/sequential.hpp"

namespace strata::saving {

Json training_config(const Sequential& model) {
  Json config = Json::object();
  // A loss given by name is saved as that name, a Loss object as {"class_name", "config"}.
  const auto& loss = model.loss();
  if (loss && model.loss_name() == loss->class_name())
    config["loss"] = Json{{"class_name", loss->class_name()}, {"config", loss->get_config()}};
  else
    config["loss"] = model.loss_name();
  // Keras writes the metrics as compile received them (names) until the model has been
  // trained; strata writes the names, which load_model resolves again.
  if (model.metrics().empty()) {
    config["metrics"] = nullptr;
  } else {
    Json names = Json::array();
    for (const auto& metric : model.metrics()) names.push_back(metric->name());
    config["metrics"] = names;
  }
  config["weighted_metrics"] = nullptr;
  config["loss_weights"] = nullptr;
  config["optimizer_config"] = optimizers::serialize(*model.optimizer());
  return config;
}

namespace {

// Metric entries may be names, serialized metrics ({"class_name", "config": {"name"}}) or,
// once Keras had trained the model, nested per-output lists of those.
void collect_metrics(const Json& entry, std::vector<MetricArg>& out, const std::string& where) {
  if (entry.is_null()) return;
  if (entry.is_string()) {
    out.emplace_back(entry.get<std::string>());
  } else if (entry.is_array()) {
    for (const Json& item : entry) collect_metrics(item, out, where);
  } else if (entry.is_object() && entry.contains("config") && entry["config"].is_object() &&
             entry["config"].contains("name") && entry["config"]["name"].is_string()) {
    out.emplace_back(entry["config"]["name"].get<std::string>());
  } else {
    throw ConfigError(fmt::format("{}.metrics: a metric must be a name or {{\"class_name\", \"config\"}}, got {}", where,
                                  entry.dump()));
  }
}

}  // namespace

void compile_from_training_config(Sequential& model, const Json& config, const std::string& where) {
  if (!config.is_object()) throw ConfigError(fmt::format("{}: expected a JSON object, got {}", where, config.dump()));
  if (!config.contains("optimizer_config"))
    throw ConfigError(fmt::format("{}.optimizer_config: missing required key", where));
  CompileOptions options;
  options.optimizer = optimizers::deserialize(config["optimizer_config"]);
  const Json loss = config.value("loss", Json());
  if (loss.is_string())
    options.loss = loss.get<std::string>();
  else if (loss.is_object())
    options.loss = losses::deserialize(loss);
  else
    throw ConfigError(fmt::format("{}.loss: expected a loss name or {{\"class_name\", \"config\"}}, got {}", where,
                                  loss.dump()));
  if (config.contains("metrics")) collect_metrics(config["metrics"], options.metrics, where);
  model.compile(std::move(options));
}

}  // namespace strata::saving
