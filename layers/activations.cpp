// Keras's activation functions by name (activations::get) and the `activation=` argument
// (ActivationArg), which takes a name or an activation layer object.
#include "strata/activations.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "layers/keras_objects.hpp"
#include "strata/config_reader.hpp"
#include "strata/error.hpp"
#include "strata/layers/registry.hpp"
#include "strata/ops.hpp"

namespace strata {

namespace activations {

namespace {

Variable linear(const Variable& x) { return x; }

Variable softmax(const Variable& x) {
  // activations.softmax refuses 1-D input (the Softmax layer does not) [KERAS.md 6.1].
  if (x.rank() <= 1)
    throw ValueError(
        fmt::format("Cannot apply softmax to a tensor that is 1D. Received input: {}", to_string(x.value())));
  return ops::softmax(x, -1);
}

// Every name with the defaults tf.keras 2.x uses for it (leaky_relu is tf.nn.leaky_relu,
// alpha 0.2, unlike the LeakyReLU layer's 0.3).
const std::map<std::string, Function, std::less<>>& table() {
  static const std::map<std::string, Function, std::less<>> functions = {
      {"elu", [](const Variable& x) { return ops::elu(x); }},
      {"exponential", [](const Variable& x) { return ops::exponential(x); }},
      {"gelu", [](const Variable& x) { return ops::gelu(x); }},
      {"hard_sigmoid", [](const Variable& x) { return ops::hard_sigmoid(x); }},
      {"leaky_relu", [](const Variable& x) { return ops::leaky_relu(x, 0.2f); }},
      {"linear", &linear},
      {"log_softmax", [](const Variable& x) { return ops::log_softmax(x, -1); }},
      {"mish", [](const Variable& x) { return ops::mish(x); }},
      {"relu", [](const Variable& x) { return ops::relu(x); }},
      {"relu6", [](const Variable& x) { return ops::relu6(x); }},
      {"selu", [](const Variable& x) { return ops::selu(x); }},
      {"sigmoid", [](const Variable& x) { return ops::sigmoid(x); }},
      {"silu", [](const Variable& x) { return ops::silu(x); }},
      {"softmax", &softmax},
      {"softplus", [](const Variable& x) { return ops::softplus(x); }},
      {"softsign", [](const Variable& x) { return ops::softsign(x); }},
      {"swish", [](const Variable& x) { return ops::swish(x); }},
      {"tanh", [](const Variable& x) { return ops::tanh(x); }},
  };
  return functions;
}

// Lower case, letters and digits only: "Leaky_ReLU" and "leaky-relu" both give "leakyrelu".
std::string normalized(std::string_view text) {
  std::string out;
  for (char c : text)
    if (std::isalnum(static_cast<unsigned char>(c)))
      out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool is_subsequence(std::string_view needle, std::string_view haystack) {
  std::size_t j = 0;
  for (char c : haystack)
    if (j < needle.size() && needle[j] == c) ++j;
  return j == needle.size();
}

// What people type when they mean something else; the leaky variants are the reason
// strata exists (`activation='lrelu'`), so they are matched by intent, not by letters.
const std::map<std::string, std::string, std::less<>>& aliases() {
  static const std::map<std::string, std::string, std::less<>> table = {
      {"lrelu", "leaky_relu"},
      {"leaky", "leaky_relu"},
      {"leakyrelu", "leaky_relu"},
      {"prelu", "PReLU"},
      {"rrelu", "RReLU"},
      {"parametricrelu", "PReLU"},
      {"randomizedrelu", "RReLU"},
      {"identity", "linear"},
      {"none", "linear"},
      {"logistic", "sigmoid"},
      {"thresholdedrelu", "ThresholdedReLU"},
  };
  return table;
}

// The known name (or layer class) a user most likely meant, or "" when nothing is close.
std::string closest(std::string_view query) {
  const std::string q = normalized(query);
  if (q.empty()) return "";
  if (auto it = aliases().find(q); it != aliases().end()) return it->second;
  for (const auto& [name, fn] : table())
    if (normalized(name) == q) return name;
  // Prefer names that contain the query's letters in order ("sigmod" in "sigmoid"),
  // then plain edit distance within a third of the length.
  std::string best;
  std::size_t best_distance = 0;
  for (const bool subsequences_only : {true, false}) {
    for (const auto& [name, fn] : table()) {
      const std::string n = normalized(name);
      if (subsequences_only && !(q.size() >= 2 && is_subsequence(q, n))) continue;
      const std::size_t d = detail::edit_distance(q, n);
      if (best.empty() || d < best_distance) best = name, best_distance = d;
    }
    if (!best.empty() && (subsequences_only || best_distance <= std::max<std::size_t>(2, (q.size() + 2) / 3)))
      return best;
    best.clear();
  }
  return "";
}

}  // namespace

Function get(const std::string& name) {
  if (auto it = table().find(name); it != table().end()) return it->second;
  // Keras's message first (the TF-bundled tf.keras wording, KERAS.md 5.1), then help.
  std::string message =
      fmt::format("Unknown activation function: {}. Known activation functions: {}.", name, fmt::join(names(), ", "));
  const std::string suggestion = closest(name);
  if (!suggestion.empty() && suggestion != name) message += fmt::format(" Did you mean '{}'?", suggestion);
  const std::string q = normalized(name);
  if (q.find("relu") != std::string::npos || q.find("leaky") != std::string::npos ||
      suggestion.find("relu") != std::string::npos || suggestion.find("ReLU") != std::string::npos) {
    message +=
        " Note: 'leaky_relu' is the function tf.nn.leaky_relu with alpha = 0.2; LeakyReLU (any alpha, default "
        "0.3), PReLU (learned slopes) and RReLU (random slopes) are layers, not activation functions: pass one "
        "as `activation = LeakyReLU({.alpha = 0.01})` or add it after the layer with `model.add(LeakyReLU(...))`.";
  }
  throw ValueError(message);
}

std::vector<std::string> names() {
  std::vector<std::string> out;
  for (const auto& [name, fn] : table()) out.push_back(name);
  return out;  // std::map keeps them sorted
}

}  // namespace activations

namespace {
// Activation layer classes that Keras 2.6-2.12 accept as a string and instantiate with no
// arguments (KERAS.md 3.5): activation="LeakyReLU" means LeakyReLU() (alpha 0.3).
bool is_activation_layer_class(std::string_view name) {
  static constexpr std::array<std::string_view, 7> kClasses = {"ELU",  "LeakyReLU",       "PReLU",  "RReLU",
                                                               "ReLU", "ThresholdedReLU", "Softmax"};
  return std::find(kClasses.begin(), kClasses.end(), name) != kClasses.end();
}
}  // namespace

ActivationArg::ActivationArg(const char* name) : ActivationArg(std::string(name)) {}

ActivationArg::ActivationArg(const std::string& name) {
  if (is_activation_layer_class(name)) {
    Json json = Json::object();
    json["class_name"] = name;
    json["config"] = Json::object();
    layer_ = layers::deserialize(json);
    return;
  }
  function_ = activations::get(name);
  name_ = name;
}

ActivationArg::ActivationArg(std::shared_ptr<layers::Layer> layer) : layer_(std::move(layer)) {
  if (!layer_) name_ = "linear";
}

Variable ActivationArg::operator()(const Variable& x, bool training) const {
  if (layer_) return (*layer_)(x, training);
  if (function_) return function_(x);
  return x;
}

std::optional<ops::FusedActivation> ActivationArg::fused() const {
  if (layer_) return layer_->fused_activation();
  if (name_ == "linear") return ops::FusedActivation{};
  if (name_ == "relu") return ops::fused_relu();  // ops::relu(x) with its defaults
  return std::nullopt;
}

void ActivationArg::build(const TensorShape& input_shape) const {
  if (layer_) layer_->build(input_shape);
}

Json ActivationArg::to_config() const {
  if (layer_) return layers::serialize(*layer_);
  return Json(name_);
}

ActivationArg ActivationArg::from_config(const ConfigReader& config, const std::string& key) {
  const Json* value = config.find(key);
  if (!value || value->is_null()) return ActivationArg();
  auto from_name = [&](const std::string& name) -> ActivationArg {
    try {
      return ActivationArg(name);
    } catch (const ConfigError&) {
      throw;
    } catch (const ValueError& e) {
      config.fail(key, e.what());
    }
  };
  if (value->is_string()) return from_name(value->get<std::string>());
  if (value->is_object()) {
    // Keras 2.13+ writes a function as {"module": ..., "class_name": "function", "config": "relu", ...}.
    const Json* class_name = value->contains("class_name") ? &(*value)["class_name"] : nullptr;
    const Json* inner = value->contains("config") ? &(*value)["config"] : nullptr;
    if (class_name && class_name->is_string() && class_name->get<std::string>() == "function" && inner &&
        inner->is_string())
      return from_name(inner->get<std::string>());
    return ActivationArg(layers::deserialize(*value, config.path_of(key)));
  }
  config.expected(key, "an activation name, null or a layer config {\"class_name\": ..., \"config\": ...}", *value);
}

}  // namespace strata
