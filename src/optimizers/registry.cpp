// optimizers.get / deserialize / serialize (Keras's names, case-insensitive), and the
// `optimizer=` argument of compile.
#include <algorithm>
#include <cctype>
#include <functional>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "strata/config_reader.hpp"
#include "strata/error.hpp"
#include "strata/optimizers.hpp"
#include "strata/sequential.hpp"  // dump_python_json

namespace strata::optimizers {

namespace {

using Factory = std::function<std::shared_ptr<Optimizer>(const Json& config)>;

// Keras's deserialize lower-cases a built-in class name before looking it up.
const Factory* find_factory(const std::string& lower_name) {
  static const std::pair<const char*, Factory> kFactories[] = {
      {"sgd", [](const Json& c) { return SGD::from_config(c); }},
      {"adam", [](const Json& c) { return Adam::from_config(c); }},
      {"adamw", [](const Json& c) { return AdamW::from_config(c); }},
      {"rmsprop", [](const Json& c) { return RMSprop::from_config(c); }},
      {"adagrad", [](const Json& c) { return Adagrad::from_config(c); }},
  };
  for (const auto& [name, factory] : kFactories)
    if (lower_name == name) return &factory;
  return nullptr;
}

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

}  // namespace

std::shared_ptr<Optimizer> deserialize(const Json& json) {
  if (!json.is_object() || !json.contains("class_name") || !json.contains("config"))
    throw ValueError(fmt::format(
        "Improper config format for {}. Expecting python dict contains `class_name` and `config` as keys",
        dump_python_json(json)));
  ConfigReader top(json, "");
  const std::string class_name = top.string("class_name");
  // tf.keras 2.11/2.12 .h5 files name the built-ins by their registered name, "Custom>Adam".
  std::string key = lower(class_name);
  if (key.starts_with("custom>")) key = key.substr(7);
  const Factory* factory = find_factory(key);
  if (!factory)
    throw ValueError(fmt::format(
        "Unknown optimizer: '{}'. Please ensure you are using a `keras.utils.custom_object_scope` and that this object "
        "is included in the scope. See https://www.tensorflow.org/guide/keras/save_and_serialize"
        "#registering_the_custom_object for details.",
        class_name));
  const Json& config = json["config"];
  if (config.is_null()) return (*factory)(Json::object());
  return (*factory)(config);
}

std::shared_ptr<Optimizer> get(std::string_view identifier) {
  Json config = Json::object();
  config["class_name"] = std::string(identifier);
  config["config"] = Json::object();
  return deserialize(config);
}

Json serialize(const Optimizer& optimizer) {
  Json out = Json::object();
  out["class_name"] = optimizer.class_name();
  out["config"] = optimizer.get_config();
  return out;
}

}  // namespace strata::optimizers

namespace strata {

std::shared_ptr<optimizers::Optimizer> OptimizerArg::build() const {
  if (optimizer_) return optimizer_;
  return optimizers::get(name_);
}

}  // namespace strata
