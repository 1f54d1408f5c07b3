// The Layer base: naming, building, weights, base config keys, losses and constraints.
#include "strata/layers/layer.hpp"

#include <fmt/format.h>

#include <atomic>
#include <cctype>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <utility>

#include "strata/constraints.hpp"
#include "strata/error.hpp"
#include "strata/ops.hpp"
#include "strata/initializers.hpp"
#include "strata/regularizers.hpp"

namespace strata {

std::string to_string(const TensorShape& shape) {
  std::string text = "(";
  for (std::size_t i = 0; i < shape.size(); ++i) {
    if (i) text += ", ";
    text += shape[i] ? std::to_string(*shape[i]) : "None";
  }
  return text + (shape.size() == 1 ? ",)" : ")");
}

TensorShape to_tensor_shape(const Shape& shape) { return TensorShape(shape.begin(), shape.end()); }

namespace layers {

namespace {
std::mutex name_mutex;
std::map<std::string, std::size_t>& name_counters() {
  static std::map<std::string, std::size_t> counters;
  return counters;
}
thread_local bool in_inference_scope = false;
std::atomic<std::size_t> weight_element_limit{std::size_t{1} << 31};
}  // namespace

InferenceScope::InferenceScope() : outer_(std::exchange(in_inference_scope, true)) {}
InferenceScope::~InferenceScope() { in_inference_scope = outer_; }

std::size_t max_weight_elements() { return weight_element_limit.load(std::memory_order_relaxed); }
void set_max_weight_elements(std::size_t elements) { weight_element_limit.store(elements, std::memory_order_relaxed); }

std::string to_snake_case(const std::string& name) {
  auto upper = [](char c) { return std::isupper(static_cast<unsigned char>(c)) != 0; };
  auto lower = [](char c) { return std::islower(static_cast<unsigned char>(c)) != 0; };
  // re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name), matches taken left to right without overlap
  std::string s1;
  for (std::size_t i = 0; i < name.size();) {
    if (i + 2 < name.size() && upper(name[i + 1]) && lower(name[i + 2])) {
      std::size_t end = i + 2;
      while (end < name.size() && lower(name[end])) ++end;
      s1 += name[i];
      s1 += '_';
      s1 += name.substr(i + 1, end - i - 1);
      i = end;
    } else {
      s1 += name[i++];
    }
  }
  // re.sub("([a-z])([A-Z])", r"\1_\2", s1).lower()
  std::string s2;
  for (std::size_t i = 0; i < s1.size();) {
    if (i + 1 < s1.size() && lower(s1[i]) && upper(s1[i + 1])) {
      s2 += s1[i];
      s2 += '_';
      s2 += s1[i + 1];
      i += 2;
    } else {
      s2 += s1[i++];
    }
  }
  for (char& c : s2) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (!s2.empty() && s2[0] == '_') s2 = "private" + s2;
  return s2;
}

std::string unique_object_name(const std::string& stem) {
  std::lock_guard lock(name_mutex);
  std::size_t n = name_counters()[stem]++;
  return n == 0 ? stem : fmt::format("{}_{}", stem, n);
}

Layer::Layer(const std::string& snake_name, const CommonLayerOptions& options)
    : name_(options.name.empty() ? unique_object_name(snake_name) : options.name),
      trainable_(options.trainable),
      dtype_(options.dtype) {
  if (dtype_ != "float32")
    throw ValueError(fmt::format("Layer \"{}\": dtype \"{}\" is not supported; strata computes in float32", name_,
                                 dtype_));
  if (!options.batch_input_shape.empty()) {
    batch_input_shape_ = options.batch_input_shape;
  } else if (!options.input_shape.empty()) {
    TensorShape shape{std::nullopt};
    shape.insert(shape.end(), options.input_shape.begin(), options.input_shape.end());
    batch_input_shape_ = shape;
  }
}

Layer::~Layer() = default;

void Layer::build(const TensorShape& input_shape) {
  if (built_) return;
  build_weights(input_shape);
  build_input_shape_ = input_shape;
  built_ = true;
}

void Layer::build_weights(const TensorShape&) {}

Variable Layer::operator()(const Variable& x, bool training) {
  if (!built_) {
    TensorShape shape = to_tensor_shape(x.shape());
    if (!shape.empty()) shape[0] = std::nullopt;
    build(shape);
  }
  if (!in_inference_scope) call_losses_.clear();  // shared state: untouched by concurrent predicts
  return call(x, training);
}

std::optional<Layer::Fused> Layer::call_fused(const Variable& x, bool training,
                                              std::span<const std::shared_ptr<Layer>> next) {
  if (!built_) return std::nullopt;
  FusedTail tail;
  std::size_t taken = 0;
  if (taken < next.size() && next[taken]->built_)
    if (std::optional<ops::FusedActivation> activation = next[taken]->fused_activation()) {
      tail.activation = *activation;
      ++taken;
    }
  if (taken < next.size() && next[taken]->built_)
    if (std::optional<ops::Pool2DOptions> pool = next[taken]->fused_max_pool()) {
      tail.max_pool = *pool;
      ++taken;
    }
  if (taken == 0) return std::nullopt;
  if (!in_inference_scope) call_losses_.clear();  // as operator() does before call()
  std::optional<Variable> y = call_with_tail(x, training, tail);
  if (!y) return std::nullopt;
  if (!in_inference_scope)
    for (std::size_t i = 0; i < taken; ++i) next[i]->call_losses_.clear();  // as their own calls would
  return Fused{std::move(*y), taken};
}

std::optional<Variable> Layer::call_with_tail(const Variable&, bool, const FusedTail&) { return std::nullopt; }

TensorShape Layer::compute_output_shape(const TensorShape& input_shape) const { return input_shape; }

Json Layer::get_config() const {
  Json config = Json::object();
  config["name"] = name_;
  config["trainable"] = trainable_;
  config["dtype"] = dtype_;
  if (batch_input_shape_) {
    Json shape = Json::array();
    for (const Dim& d : *batch_input_shape_) shape.push_back(d ? Json(*d) : Json(nullptr));
    config["batch_input_shape"] = shape;
  }
  add_config(config);
  return config;
}

void Layer::add_config(Json&) const {}

std::vector<Variable> Layer::weights() const {
  std::vector<Variable> all = trainable_weights();
  for (const Variable& v : non_trainable_weights()) all.push_back(v);
  return all;
}

std::vector<Variable> Layer::trainable_weights() const {
  std::vector<Variable> out;
  for (const Weight& w : weights_)
    if (w.variable.trainable()) out.push_back(w.variable);
  for (const auto& sub : sublayers())
    for (const Variable& v : sub->trainable_weights()) out.push_back(v);
  return out;
}

std::vector<Variable> Layer::non_trainable_weights() const {
  std::vector<Variable> out;
  for (const Weight& w : weights_)
    if (!w.variable.trainable()) out.push_back(w.variable);
  for (const auto& sub : sublayers())
    for (const Variable& v : sub->non_trainable_weights()) out.push_back(v);
  return out;
}

std::size_t Layer::count_params() const {
  if (!built_)
    throw ValueError(fmt::format("You tried to call `count_params` on layer {}, but the layer isn't built. You can "
                                 "build it manually via: `{}.build(batch_input_shape)`.",
                                 name_, name_));
  std::size_t total = 0;
  for (const Variable& v : weights()) total += v.size();
  return total;
}

void Layer::set_trainable(bool trainable) {
  trainable_ = trainable;
  for (Weight& w : weights_) w.variable.set_trainable(trainable && w.trainable_intent);
  for (const auto& sub : sublayers()) sub->set_trainable(trainable);
}

std::vector<Variable> Layer::losses() const {
  std::vector<Variable> out;
  for (const Weight& w : weights_)
    if (w.regularizer) out.push_back((*w.regularizer)(w.variable));
  out.insert(out.end(), call_losses_.begin(), call_losses_.end());
  for (const auto& sub : sublayers())
    for (const Variable& v : sub->losses()) out.push_back(v);
  return out;
}

void Layer::apply_constraints() {
  for (Weight& w : weights_)
    if (w.constraint) w.constraint->apply(w.variable.value());
  for (const auto& sub : sublayers()) sub->apply_constraints();
}

Variable Layer::add_weight(const std::string& name, const Shape& shape, const Initializer& initializer,
                           std::shared_ptr<const Regularizer> regularizer,
                           std::shared_ptr<const Constraint> constraint, bool trainable) {
  std::size_t elements = 1;
  bool overflow = false;
  for (std::size_t d : shape) overflow |= __builtin_mul_overflow(elements, d, &elements);
  if (overflow || elements > max_weight_elements())
    throw ConfigError(fmt::format("Layer \"{}\": weight {} of shape {} would have more than {} elements, the most "
                                  "strata allocates for one weight (strata::layers::set_max_weight_elements)",
                                  name_, name, shape_to_string(shape), max_weight_elements()));
  Tensor value = initializer(shape);
  Variable v(std::move(value), fmt::format("{}/{}:0", name_, name), trainable && trainable_);
  weights_.push_back({v, std::move(regularizer), std::move(constraint), trainable});
  return v;
}

void Layer::add_loss(Variable penalty) {
  if (!in_inference_scope) call_losses_.push_back(std::move(penalty));
}

void Layer::add_activity_loss(const std::shared_ptr<const Regularizer>& regularizer, const Variable& output) {
  if (regularizer && !in_inference_scope) add_loss((*regularizer)(output) / static_cast<float>(output.shape()[0]));
}

void Layer::incompatible_input(const std::string& message) const {
  throw ShapeError(fmt::format("Input 0 of layer \"{}\" is incompatible with the layer: {}", name_, message));
}

}  // namespace layers

namespace backend {
void clear_session() {
  std::lock_guard lock(layers::name_mutex);
  layers::name_counters().clear();
}
}  // namespace backend

}  // namespace strata
