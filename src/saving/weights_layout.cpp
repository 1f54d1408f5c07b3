// The tf.keras 2.x weights layout (KERAS.md 7.1), written exactly as keras 2.11 with h5py 3
// writes it, and read from files of any Keras 2.x / h5py version.
#include <fmt/format.h>

#include <algorithm>
#include <memory>
#include <optional>

#include "src/saving/model_file.hpp"
#include "src/saving/saving_detail.hpp"
#include "strata/error.hpp"
#include "strata/sequential.hpp"

namespace strata::saving {

namespace {

std::vector<std::string> weight_names(const std::vector<Variable>& weights) {
  std::vector<std::string> names;
  for (const Variable& w : weights) names.push_back(w.name());
  return names;
}

// One layer's saved weights, checked against the model and read, not yet assigned.
struct PendingLayer {
  std::vector<Variable> targets;
  std::vector<Tensor> values;
};

}  // namespace

void write_weights(hdf5::Group& group, const Sequential& model) {
  std::vector<std::string> layer_names;
  for (const auto& layer : model.layers()) layer_names.push_back(layer->name());
  group.write_chunked_strings("layer_names", layer_names);
  group.write_string("backend", "tensorflow");
  group.write_string("keras_version", kKerasVersion);

  // Keras creates the groups in sorted name order ("to avoid prefix issues").
  std::vector<std::shared_ptr<layers::Layer>> sorted = model.layers();
  std::stable_sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) { return a->name() < b->name(); });
  for (const auto& layer : sorted) {
    hdf5::Group g = group.create_group(layer->name());
    const std::vector<Variable> weights = layer->weights();  // trainable, then non-trainable
    g.write_chunked_strings("weight_names", weight_names(weights));
    for (const Variable& w : weights) {
      if (w.name().empty()) throw IOError(fmt::format("{}: layer {} has a weight without a name", group.file_name(), layer->name()));
      g.write_dataset(w.name(), w.value());
    }
  }
  // A Sequential owns no weights itself, so this group is always empty.
  hdf5::Group top = group.create_group("top_level_model_weights");
  top.write_chunked_strings("weight_names", {});
}

void read_weights(const hdf5::Group& file_group, Sequential& model) {
  // A whole-model file keeps the weights one level down (Keras's load_weights does the same).
  std::optional<hdf5::Group> nested;
  if (!file_group.has_attribute("layer_names") && !file_group.has_attribute("layer_names0") &&
      file_group.has("model_weights"))
    nested.emplace(file_group.open_group("model_weights"));
  const hdf5::Group& f = nested ? *nested : file_group;

  if (!model.built())
    throw ValueError(
        "Unable to load weights saved in HDF5 format into a subclassed Model which has not created its variables "
        "yet. Call the Model first, then load the weights.");

  std::vector<std::shared_ptr<layers::Layer>> filtered_layers;
  for (const auto& layer : model.layers())
    if (!layer->weights().empty()) filtered_layers.push_back(layer);

  std::vector<std::string> saved_names;  // saved layers that have weights
  std::vector<std::vector<std::string>> saved_weights;
  for (const std::string& name : f.read_chunked_strings("layer_names")) {
    const hdf5::Group g = f.open_group(name);
    std::vector<std::string> names = g.read_chunked_strings("weight_names");
    if (names.empty()) continue;
    saved_names.push_back(name);
    saved_weights.push_back(std::move(names));
  }
  if (saved_names.size() != filtered_layers.size())
    throw ValueError(fmt::format(
        "Layer count mismatch when loading weights from file. Model expected {} layers, found {} saved layers.",
        filtered_layers.size(), saved_names.size()));

  std::vector<PendingLayer> pending;
  for (std::size_t k = 0; k < saved_names.size(); ++k) {
    const layers::Layer& layer = *filtered_layers[k];
    PendingLayer p{layer.weights(), {}};
    if (saved_weights[k].size() != p.targets.size())
      throw ValueError(fmt::format(
          "Weight count mismatch for layer #{} (named {} in the current model, {} in the save file). Layer expects {} "
          "weight(s). Received {} saved weight(s)",
          k, layer.name(), saved_names[k], p.targets.size(), saved_weights[k].size()));
    const hdf5::Group g = f.open_group(saved_names[k]);
    for (std::size_t i = 0; i < p.targets.size(); ++i) {
      // The shape is checked from the file's metadata before any data is read, so a dataset
      // claiming 2^40 values is refused without allocating; read_dataset checks the dtype.
      const Shape saved_shape = g.dataset_info(saved_weights[k][i]).shape;
      if (saved_shape != p.targets[i].shape())
        throw ShapeError(fmt::format(
            "Shape mismatch in layer #{} (named {}) for weight {}. Weight expects shape {}. Received saved weight "
            "with shape {}",
            k, layer.name(), p.targets[i].name(), shape_to_string(p.targets[i].shape()), shape_to_string(saved_shape)));
      p.values.push_back(g.read_dataset(saved_weights[k][i]));
    }
    pending.push_back(std::move(p));
  }

  if (f.has("top_level_model_weights")) {
    const std::size_t saved = f.open_group("top_level_model_weights").read_chunked_strings("weight_names").size();
    if (saved != 0)
      throw ValueError(fmt::format(
          "Weight count mismatch for top-level weights when loading weights from file. Model expects 0 top-level "
          "weight(s). Received {} saved top-level weight(s)",
          saved));
  }

  for (PendingLayer& p : pending)
    for (std::size_t i = 0; i < p.targets.size(); ++i) p.targets[i].assign(p.values[i]);
}

std::string read_model_config(const hdf5::File& file) {
  if (!file.has_attribute("model_config"))
    throw ValueError(fmt::format("No model config found in the file at {}.", file.file_name()));
  return file.read_string("model_config");
}

bool is_hdf5_file(const std::string& path) { return hdf5::is_hdf5(path); }

std::string read_model_config_text(const std::string& path) { return read_model_config(hdf5::File::open(path)); }

}  // namespace strata::saving
