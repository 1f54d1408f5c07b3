// The class-name -> factory table filled by STRATA_REGISTER_LAYER in each layer's file.
#include "strata/layers/registry.hpp"

#include <fmt/format.h>

#include <map>
#include <mutex>
#include <nlohmann/json.hpp>

#include "strata/error.hpp"

namespace strata::layers {

namespace {
struct Registry {
  std::mutex mutex;
  std::map<std::string, LayerFactory> factories;
};
// Built on first use, so registrations from any static initializer find it ready.
Registry& registry() {
  static Registry r;
  return r;
}

}  // namespace

TensorShape read_tensor_shape(const ConfigReader& config, const char* key) {
  const Json& shape_json = *config.find(key);
  if (!shape_json.is_array()) config.expected(key, "a list of integers or nulls", shape_json);
  TensorShape shape;
  for (const Json& d : shape_json) {
    if (d.is_null()) shape.push_back(std::nullopt);
    else if (d.is_number_unsigned()) shape.push_back(d.get<std::size_t>());
    else config.expected(key, "a list of non-negative integers or nulls", shape_json);
    if (shape.back()) config.check_size(key, *shape.back());
  }
  return shape;
}

bool register_layer(const std::string& class_name, LayerFactory factory) {
  Registry& r = registry();
  std::lock_guard lock(r.mutex);
  r.factories[class_name] = std::move(factory);
  return true;
}

std::vector<std::string> registered_layers() {
  Registry& r = registry();
  std::lock_guard lock(r.mutex);
  std::vector<std::string> names;
  for (const auto& [name, factory] : r.factories) names.push_back(name);
  return names;
}

std::shared_ptr<Layer> deserialize(const Json& json, const std::string& path) {
  const std::string where = path.empty() ? std::string("<layer>") : path;
  ConfigReader outer(json, where);
  const std::string class_name = outer.string("class_name");
  LayerFactory factory;
  {
    Registry& r = registry();
    std::lock_guard lock(r.mutex);
    auto it = r.factories.find(class_name);
    if (it != r.factories.end()) factory = it->second;
  }
  if (!factory)
    outer.fail("class_name", fmt::format("Unknown layer: '{}'. Known layers: {}.", class_name,
                                         fmt::join(registered_layers(), ", ")));
  std::shared_ptr<Layer> layer = factory(outer.object("config"));
  // Keras 3 records the input shape the layer was built with.
  if (outer.has_value("build_config")) {
    ConfigReader build_config = outer.object("build_config");
    if (build_config.has_value("input_shape")) layer->build(read_tensor_shape(build_config, "input_shape"));
  }
  return layer;
}

Json serialize(const Layer& layer) {
  Json out = Json::object();
  out["class_name"] = layer.class_name();
  out["config"] = layer.get_config();
  return out;
}

CommonLayerOptions read_common_options(const ConfigReader& config) {
  CommonLayerOptions options;
  options.name = config.string("name", "");
  options.trainable = config.boolean("trainable", true);
  // A mixed-precision policy is an object; only plain float32 is supported.
  if (const Json* dtype = config.find("dtype"); dtype && dtype->is_object()) {
    ConfigReader policy(*dtype, config.path_of("dtype"));
    options.dtype = policy.object("config").string("name");
  } else {
    options.dtype = config.string("dtype", "float32");
  }
  // tf.keras writes batch_input_shape; Keras 3 InputLayer writes batch_shape.
  for (const char* key : {"batch_input_shape", "batch_shape"}) {
    if (!config.has_value(key)) continue;
    options.batch_input_shape = read_tensor_shape(config, key);
    break;
  }
  return options;
}

}  // namespace strata::layers
