// Losses by Keras name (losses.get) and from configs (losses.deserialize).
#include <algorithm>
#include <functional>
#include <map>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "layers/keras_objects.hpp"
#include "src/losses/loss_utils.hpp"
#include "strata/config_reader.hpp"
#include "strata/error.hpp"

namespace strata::losses {

namespace {

using Factory = std::function<std::shared_ptr<Loss>()>;

// Function names and their aliases (keras 2.11 losses.py): compile wraps the function in
// a loss named after it, so "mse" gives a MeanSquaredError named "mean_squared_error".
const std::map<std::string, Factory, std::less<>>& functions() {
  static const std::map<std::string, Factory, std::less<>> table = [] {
    std::map<std::string, Factory, std::less<>> t;
    auto scce = [] { return std::make_shared<SparseCategoricalCrossentropy>(); };
    auto cce = [] { return std::make_shared<CategoricalCrossentropy>(); };
    auto bce = [] { return std::make_shared<BinaryCrossentropy>(); };
    auto mse = [] { return std::make_shared<MeanSquaredError>(); };
    auto mae = [] { return std::make_shared<MeanAbsoluteError>(); };
    auto huber = [] { return std::make_shared<Huber>(HuberOptions{.name = "huber"}); };
    t["sparse_categorical_crossentropy"] = scce;
    t["categorical_crossentropy"] = cce;
    for (const char* name : {"binary_crossentropy", "bce", "BCE"}) t[name] = bce;
    for (const char* name : {"mean_squared_error", "mse", "MSE"}) t[name] = mse;
    for (const char* name : {"mean_absolute_error", "mae", "MAE"}) t[name] = mae;
    for (const char* name : {"huber", "huber_loss"}) t[name] = huber;
    return t;
  }();
  return table;
}

using ConfigFactory = std::shared_ptr<Loss> (*)(const ConfigReader& config);

// Keras's cls(**config): reduction and name, then the class's own arguments.
std::string read_name(const ConfigReader& config, const char* fallback) {
  const std::string reduction = config.string("reduction", "auto");
  if (reduction != "auto" && reduction != "sum_over_batch_size") {
    if (reduction == "none" || reduction == "sum")
      config.fail("reduction", fmt::format("reduction '{}' is not supported: strata's losses reduce with "
                                           "'sum_over_batch_size' (the mean, Keras's 'auto')",
                                           reduction));
    config.fail("reduction", fmt::format("Invalid Reduction Key: {}. Expected keys are \"('auto', 'none', 'sum', "
                                         "'sum_over_batch_size')\"",
                                         reduction));
  }
  return config.string("name", fallback);
}

CrossentropyLossOptions read_crossentropy(const ConfigReader& config, const char* class_name, const char* fallback) {
  strata::detail::check_keys(config, class_name, {"reduction", "name", "from_logits", "label_smoothing", "axis"});
  return {.from_logits = config.boolean("from_logits", false),
          .label_smoothing = config.number("label_smoothing", 0.0),
          .axis = static_cast<int>(config.integer("axis", -1)),
          .name = read_name(config, fallback)};
}

const std::map<std::string, ConfigFactory, std::less<>>& classes() {
  static const std::map<std::string, ConfigFactory, std::less<>> table{
      {"SparseCategoricalCrossentropy",
       [](const ConfigReader& c) -> std::shared_ptr<Loss> {
         strata::detail::check_keys(c, "SparseCategoricalCrossentropy",
                                    {"reduction", "name", "from_logits", "ignore_class"});
         std::optional<int> ignore;
         if (auto v = c.optional_integer("ignore_class")) ignore = static_cast<int>(*v);
         return std::make_shared<SparseCategoricalCrossentropy>(SparseCrossentropyLossOptions{
             .from_logits = c.boolean("from_logits", false),
             .ignore_class = ignore,
             .name = read_name(c, "sparse_categorical_crossentropy")});
       }},
      {"CategoricalCrossentropy",
       [](const ConfigReader& c) -> std::shared_ptr<Loss> {
         return std::make_shared<CategoricalCrossentropy>(
             read_crossentropy(c, "CategoricalCrossentropy", "categorical_crossentropy"));
       }},
      {"BinaryCrossentropy",
       [](const ConfigReader& c) -> std::shared_ptr<Loss> {
         return std::make_shared<BinaryCrossentropy>(read_crossentropy(c, "BinaryCrossentropy", "binary_crossentropy"));
       }},
      {"MeanSquaredError",
       [](const ConfigReader& c) -> std::shared_ptr<Loss> {
         strata::detail::check_keys(c, "MeanSquaredError", {"reduction", "name"});
         return std::make_shared<MeanSquaredError>(LossOptions{.name = read_name(c, "mean_squared_error")});
       }},
      {"MeanAbsoluteError",
       [](const ConfigReader& c) -> std::shared_ptr<Loss> {
         strata::detail::check_keys(c, "MeanAbsoluteError", {"reduction", "name"});
         return std::make_shared<MeanAbsoluteError>(LossOptions{.name = read_name(c, "mean_absolute_error")});
       }},
      {"Huber",
       [](const ConfigReader& c) -> std::shared_ptr<Loss> {
         strata::detail::check_keys(c, "Huber", {"reduction", "name", "delta"});
         return std::make_shared<Huber>(
             HuberOptions{.delta = c.number("delta", 1.0), .name = read_name(c, "huber_loss")});
       }},
  };
  return table;
}

std::string unknown(std::string_view name) { return detail::unknown_name_message("loss function", name, names()); }

}  // namespace

std::vector<std::string> names() {
  std::vector<std::string> out;
  for (const auto& entry : functions()) out.push_back(entry.first);
  for (const auto& entry : classes()) out.push_back(entry.first);
  std::sort(out.begin(), out.end());
  return out;
}

std::shared_ptr<Loss> get(std::string_view identifier) {
  if (auto it = functions().find(identifier); it != functions().end()) return it->second();
  if (auto it = classes().find(identifier); it != classes().end())
    return it->second(ConfigReader(strata::detail::empty_object(), std::string(identifier)));
  throw ValueError(unknown(identifier));
}

std::shared_ptr<Loss> deserialize(const Json& config) {
  if (config.is_string()) return get(config.get<std::string>());
  if (!config.is_object())
    throw ConfigError(fmt::format("loss: expected a loss name or a {{\"class_name\", \"config\"}} object, got {}",
                                  config.dump()));
  const ConfigReader top(config, "loss");
  const std::string class_name = top.string("class_name");
  auto it = classes().find(class_name);
  if (it == classes().end()) top.fail("class_name", unknown(class_name));
  if (!top.has_value("config")) return it->second(ConfigReader(strata::detail::empty_object(), top.path_of("config")));
  return it->second(top.object("config"));
}

namespace detail {

std::string unknown_name_message(std::string_view kind, std::string_view name, std::vector<std::string> known) {
  std::string message = fmt::format(
      "Unknown {}: '{}'. Please ensure you are using a `keras.utils.custom_object_scope` and that this object is "
      "included in the scope. See https://www.tensorflow.org/guide/keras/save_and_serialize"
      "#registering_the_custom_object for details. Known {}s: {}.",
      kind, name, kind, fmt::join(known, ", "));
  // The closest name within a third of the name's length (at most 3 edits).
  const std::size_t limit = std::clamp<std::size_t>(name.size() / 3, 1, 3);
  const std::string* best = nullptr;
  std::size_t best_distance = limit + 1;
  for (const std::string& candidate : known) {
    const std::size_t d = strata::detail::edit_distance(name, candidate);
    if (d < best_distance) {
      best_distance = d;
      best = &candidate;
    }
  }
  if (best) message += fmt::format(" Did you mean '{}'?", *best);
  return message;
}

}  // namespace detail
}  // namespace strata::losses
