// Sequential's save_weights / load_weights / save and load_model: tf.keras 2.11's HDF5
// files (KERAS.md 7.1 and 7.2), written atomically.
#include <fmt/format.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "serialization/error_context.hpp"
#include "serialization/json_document.hpp"
#include "src/saving/saving_detail.hpp"
#include "strata/error.hpp"
#include "strata/sequential.hpp"

namespace strata {

void Sequential::save_weights(const std::string& path) const {
  saving::write_atomically(path, [&](hdf5::File& file) { saving::write_weights(file, *this); });
}

void Sequential::load_weights(const std::string& path) {
  const hdf5::File file = hdf5::File::open(path);
  saving::read_weights(file, *this);
}

void Sequential::save(const std::string& path) const {
  // As Keras's save_model_to_hdf5, a missing folder is created.
  const std::filesystem::path folder = std::filesystem::path(path).parent_path();
  std::error_code ec;
  if (!folder.empty() && !std::filesystem::exists(folder, ec)) std::filesystem::create_directories(folder, ec);

  Json model_config = Json::object();
  model_config["class_name"] = "Sequential";
  model_config["config"] = get_config();
  const std::string training = compiled() ? dump_python_json(saving::training_config(*this)) : std::string();

  saving::write_atomically(path, [&](hdf5::File& file) {
    // model_metadata's order and types: str values become UTF-8 strings, JSON is encoded bytes.
    file.write_string("keras_version", kKerasVersion, hdf5::StringKind::variable_utf8);
    file.write_string("backend", "tensorflow", hdf5::StringKind::variable_utf8);
    file.write_string("model_config", dump_python_json(model_config));
    if (!training.empty()) file.write_string("training_config", training);
    hdf5::Group weights = file.create_group("model_weights");
    saving::write_weights(weights, *this);
    // optimizer_weights (the optimizer's slots) are not saved: a loaded model trains on
    // with a fresh optimizer state.
  });
}

namespace {
Json parse_attribute_json(const hdf5::File& file, const std::string& name, const std::string& text) {
  return serialization::parse_json_document(text, fmt::format("{}: attribute {} of /", file.file_name(), name));
}
}  // namespace

Sequential load_model(const std::string& path) {
  const hdf5::File file = hdf5::File::open(path);
  const Json config = parse_attribute_json(file, "model_config", saving::read_model_config(file));
  Sequential model = [&] {
    try {
      return model_from_config(config);
    } catch (const Error&) {
      serialization::rethrow_with_context(fmt::format("{}: model_config", path));
    }
  }();
  saving::read_weights(file.open_group("model_weights"), model);
  if (file.has_attribute("training_config")) {
    const Json training = parse_attribute_json(file, "training_config", file.read_string("training_config"));
    saving::compile_from_training_config(model, training, fmt::format("{}: training_config", path));
  }
  return model;
}

}  // namespace strata
