// Sequential: adding and building layers, calling, weights, summary and JSON configs.
#include "strata/sequential.hpp"

#include <fmt/format.h>

#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "serialization/error_context.hpp"
#include "serialization/json_document.hpp"
#include "strata/error.hpp"
#include "strata/layers/registry.hpp"

namespace strata {

using layers::Layer;

namespace {
Json shape_json(const TensorShape& shape) {
  Json out = Json::array();
  for (const Dim& d : shape) out.push_back(d ? Json(*d) : Json(nullptr));
  return out;
}

// A layer's output shape for this input, building it first when needed.
TensorShape build_layer(Layer& layer, const TensorShape& input) {
  if (!layer.built()) layer.build(input);
  return layer.compute_output_shape(input);
}

std::size_t total_size(const std::vector<Variable>& vs) {
  std::size_t n = 0;
  for (const Variable& v : vs) n += v.size();
  return n;
}
}  // namespace

Sequential::Sequential(SequentialOptions options)
    : name_(options.name.empty() ? layers::unique_object_name("sequential") : options.name) {}

Sequential::Sequential(std::vector<std::shared_ptr<Layer>> layers, SequentialOptions options)
    : Sequential(std::move(options)) {
  for (auto& layer : layers) add(std::move(layer));
}

Sequential::Sequential(Sequential&&) noexcept = default;
Sequential& Sequential::operator=(Sequential&&) noexcept = default;
Sequential::~Sequential() = default;

void Sequential::add(std::shared_ptr<Layer> layer) {
  if (!layer) throw ValueError("Sequential.add: the layer is null");
  for (const auto& existing : layers_)
    if (existing->name() == layer->name())
      throw ValueError(fmt::format(
          "All layers added to a Sequential model should have unique names. Name \"{}\" is already the name of a "
          "layer in this model. Update the `name` argument to pass a unique name.",
          layer->name()));
  const bool first = layers_.empty() && !input_shape_;
  if (first && layer->class_name() == "InputLayer") {
    if (!layer->batch_input_shape())
      throw ValueError(fmt::format("Sequential.add: InputLayer \"{}\" has no shape", layer->name()));
    input_layer_ = layer;
    input_layer_name_ = layer->name();
    input_shape_ = *layer->batch_input_shape();
    return;
  }
  if (first && layer->batch_input_shape()) {
    TensorShape out = build_layer(*layer, *layer->batch_input_shape());  // may throw: nothing changed yet
    input_shape_ = *layer->batch_input_shape();
    input_layer_name_ = layer->name() + "_input";
    output_shapes_.push_back(std::move(out));
  } else if (input_shape_) {
    const TensorShape& in = output_shapes_.empty() ? *input_shape_ : output_shapes_.back();
    output_shapes_.push_back(build_layer(*layer, in));
  }
  layers_.push_back(std::move(layer));
}

void Sequential::pop() {
  if (layers_.empty()) throw ValueError("There are no layers in the model.");
  layers_.pop_back();
  if (output_shapes_.size() > layers_.size()) output_shapes_.pop_back();
}

std::shared_ptr<Layer> Sequential::get_layer(const std::string& name) const {
  std::vector<std::string> names;
  for (const auto& layer : layers_) {
    if (layer->name() == name) return layer;
    names.push_back(layer->name());
  }
  throw ValueError(fmt::format("No such layer: {}. Existing layers are: [{}].", name, fmt::join(names, ", ")));
}

std::shared_ptr<Layer> Sequential::get_layer(std::size_t index) const {
  if (index >= layers_.size())
    throw ValueError(fmt::format("Was asked to retrieve layer at index {} but model only has {} layers.", index,
                                 layers_.size()));
  return layers_[index];
}

void Sequential::build(const TensorShape& batch_input_shape) {
  if (input_shape_) {
    if (*input_shape_ != batch_input_shape)
      throw ShapeError(fmt::format("Sequential \"{}\" is already built for input shape {}, not {}", name_,
                                   to_string(*input_shape_), to_string(batch_input_shape)));
    return;
  }
  std::vector<TensorShape> shapes;
  TensorShape current = batch_input_shape;
  for (const auto& layer : layers_) {
    current = build_layer(*layer, current);
    shapes.push_back(current);
  }
  output_shapes_ = std::move(shapes);
  input_shape_ = batch_input_shape;
  deferred_build_ = true;
}

void Sequential::check_built(const char*) const {
  if (!input_shape_)
    throw ValueError(
        "This model has not yet been built. Build the model first by calling `build()` or by calling the model on "
        "a batch of data.");
}

TensorShape Sequential::input_shape() const {
  check_built("input_shape");
  return *input_shape_;
}

TensorShape Sequential::output_shape() const {
  check_built("output_shape");
  return output_shapes_.empty() ? *input_shape_ : output_shapes_.back();
}

Variable Sequential::operator()(const Variable& x, bool training) {
  if (!input_shape_) {
    TensorShape shape = to_tensor_shape(x.shape());
    if (!shape.empty()) shape[0] = std::nullopt;
    build(shape);
  }
  const TensorShape& expected = *input_shape_;
  bool fits = expected.size() == x.rank();
  for (std::size_t i = 0; fits && i < expected.size(); ++i) fits = !expected[i] || *expected[i] == x.shape()[i];
  if (!fits)
    throw ShapeError(fmt::format("Input 0 of layer \"{}\" is incompatible with the layer: expected shape={}, found "
                                 "shape={}",
                                 name_, to_string(expected), to_string(to_tensor_shape(x.shape()))));
  // A layer whose op can take in the layers after it (Conv2D, then LeakyReLU, then
  // MaxPooling2D) runs them as one op: the same values and gradients, minus their passes
  // over memory (Layer::call_fused).
  Variable y = x;
  const std::span<const std::shared_ptr<layers::Layer>> all(layers_);
  for (std::size_t i = 0; i < layers_.size(); ++i) {
    if (std::optional<layers::Layer::Fused> fused = layers_[i]->call_fused(y, training, all.subspan(i + 1))) {
      y = std::move(fused->output);
      i += fused->layers;
      continue;
    }
    y = (*layers_[i])(y, training);
  }
  return y;
}

std::vector<Variable> Sequential::weights() const {
  std::vector<Variable> all = trainable_weights();
  for (const Variable& v : non_trainable_weights()) all.push_back(v);
  return all;
}

std::vector<Variable> Sequential::trainable_weights() const {
  std::vector<Variable> out;
  for (const auto& layer : layers_)
    for (const Variable& v : layer->trainable_weights()) out.push_back(v);
  return out;
}

std::vector<Variable> Sequential::non_trainable_weights() const {
  std::vector<Variable> out;
  for (const auto& layer : layers_)
    for (const Variable& v : layer->non_trainable_weights()) out.push_back(v);
  return out;
}

std::size_t Sequential::count_params() const {
  std::size_t n = 0;
  for (const auto& layer : layers_) n += layer->count_params();
  return n;
}

std::vector<Variable> Sequential::losses() const {
  std::vector<Variable> out;
  for (const auto& layer : layers_)
    for (const Variable& v : layer->losses()) out.push_back(v);
  return out;
}

std::string Sequential::summary_string(const SummaryOptions& options) const {
  check_built("summary");
  std::vector<SummaryRow> rows;
  for (std::size_t i = 0; i < layers_.size(); ++i) {
    const Layer& layer = *layers_[i];
    rows.push_back({fmt::format("{} ({})", layer.name(), layer.class_name()), to_string(output_shapes_[i]),
                    layer.count_params(), layer.built()});
  }
  SummaryTotals totals;
  totals.trainable = total_size(trainable_weights());
  totals.non_trainable = total_size(non_trainable_weights());
  totals.trainable_bytes = totals.trainable * sizeof(float);
  totals.non_trainable_bytes = totals.non_trainable * sizeof(float);
  return format_summary(name_, rows, totals, options);
}

void Sequential::summary(std::ostream& out, const SummaryOptions& options) const { out << summary_string(options); }
void Sequential::summary(const SummaryOptions& options) const { summary(std::cout, options); }

Json Sequential::get_config() const {
  Json config = Json::object();
  config["name"] = name_;
  Json list = Json::array();
  if (input_shape_ && !deferred_build_) {
    if (input_layer_) {
      list.push_back(layers::serialize(*input_layer_));
    } else {
      Json input = Json::object();
      input["batch_input_shape"] = shape_json(*input_shape_);
      input["dtype"] = "float32";
      input["sparse"] = false;
      input["ragged"] = false;
      input["name"] = input_layer_name_;
      list.push_back(Json{{"class_name", "InputLayer"}, {"config", input}});
    }
  }
  for (const auto& layer : layers_) list.push_back(layers::serialize(*layer));
  config["layers"] = list;
  if (input_shape_ && deferred_build_) config["build_input_shape"] = shape_json(*input_shape_);
  return config;
}

std::string Sequential::to_json() const {
  Json doc = Json::object();
  doc["class_name"] = "Sequential";
  doc["config"] = get_config();
  doc["keras_version"] = kKerasVersion;
  doc["backend"] = "tensorflow";
  return dump_python_json(doc);
}

std::string dump_python_json(const Json& json) {
  switch (json.type()) {
    case Json::value_t::object: {
      std::string out = "{";
      bool first = true;
      for (const auto& [key, value] : json.items()) {
        if (!first) out += ", ";
        first = false;
        out += Json(key).dump(-1, ' ', true) + ": " + dump_python_json(value);
      }
      return out + "}";
    }
    case Json::value_t::array: {
      std::string out = "[";
      for (std::size_t i = 0; i < json.size(); ++i) {
        if (i) out += ", ";
        out += dump_python_json(json[i]);
      }
      return out + "]";
    }
    default:
      return json.dump(-1, ' ', true);
  }
}

Sequential model_from_config(const Json& json, const std::string& path) {
  ConfigReader top(json, path);
  const std::string class_name = top.string("class_name");
  if (class_name != "Sequential")
    top.fail("class_name", fmt::format("only Sequential models are supported, got '{}'", class_name));
  ConfigReader config = top.object("config");
  Sequential model({.name = config.string("name", "")});
  const Json* list = config.find("layers");
  if (!list) config.fail("layers", "missing required key");
  if (!list->is_array()) config.expected("layers", "a list of layer configs", *list);
  for (std::size_t i = 0; i < list->size(); ++i) {
    const std::string where = fmt::format("{}[{}]", config.path_of("layers"), i);
    try {  // a layer's own errors (Keras's messages) then say which entry of the file it is
      model.add(layers::deserialize((*list)[i], where));
    } catch (const Error&) {
      serialization::rethrow_with_context(where);
    }
  }
  if (!model.built() && config.has_value("build_input_shape")) {
    try {
      model.build(layers::read_tensor_shape(config, "build_input_shape"));
    } catch (const Error&) {
      serialization::rethrow_with_context(config.path_of("build_input_shape"));
    }
  }
  return model;
}

Sequential model_from_json(const std::string& text) {
  return model_from_config(serialization::parse_json_document(text, "model_from_json"));
}

}  // namespace strata
