// Keras's activation functions by name, and the `activation=` argument of Dense, Conv2D
// and Conv2DTranspose, which takes a name ("relu") or an activation layer object
// (LeakyReLU({.alpha = 0.01})).
#pragma once

#include <concepts>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "strata/json.hpp"
#include "strata/layers/layer.hpp"
#include "strata/variable.hpp"

namespace strata {

class ConfigReader;

namespace activations {
using Function = Variable (*)(const Variable&);
// The function for a Keras name; an unknown name throws ValueError starting
// `Unknown activation function: <name>`, then the known names and the closest one.
Function get(const std::string& name);
std::vector<std::string> names();  // sorted
}  // namespace activations

class ActivationArg {
 public:
  ActivationArg() : name_("linear") {}
  ActivationArg(const char* name);  // NOLINT(google-explicit-constructor): Keras-style argument
  ActivationArg(const std::string& name);
  template <class T>
    requires std::derived_from<std::decay_t<T>, layers::Layer>
  ActivationArg(T&& layer)  // NOLINT(google-explicit-constructor)
      : layer_(std::make_shared<std::decay_t<T>>(std::forward<T>(layer))) {}
  ActivationArg(std::shared_ptr<layers::Layer> layer);
  // A shared concrete layer (std::make_shared<LeakyReLU>(...)): one conversion, not two.
  template <class T>
    requires std::derived_from<T, layers::Layer>
  ActivationArg(std::shared_ptr<T> layer)  // NOLINT(google-explicit-constructor)
      : ActivationArg(std::shared_ptr<layers::Layer>(std::move(layer))) {}

  bool is_linear() const { return !layer_ && name_ == "linear"; }
  const std::string& name() const { return name_; }  // empty when a layer was given
  const std::shared_ptr<layers::Layer>& layer() const { return layer_; }

  Variable operator()(const Variable& x, bool training) const;
  // What operator() computes, when a convolution can apply it to its output as it stores
  // it: linear, "relu", or a layer's fused_activation() (ReLU, LeakyReLU).
  std::optional<ops::FusedActivation> fused() const;
  // Builds a layer activation for this input shape (batch axis included), so that its
  // weights (a PReLU's alpha) exist as soon as the layer that holds it is built; a no-op
  // for functions.
  void build(const TensorShape& input_shape) const;
  // "relu", or {"class_name": ..., "config": ...} for a layer.
  Json to_config() const;
  // Reads config[key]: absent or null = linear.
  static ActivationArg from_config(const ConfigReader& config, const std::string& key);

 private:
  std::string name_;
  activations::Function function_ = nullptr;
  std::shared_ptr<layers::Layer> layer_;
};

}  // namespace strata
