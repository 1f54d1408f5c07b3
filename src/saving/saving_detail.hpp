// Internal pieces of model saving shared by src/saving/*.cpp and the CLI.
#pragma once

#include <functional>
#include <string>

#include "serialization/hdf5.hpp"
#include "strata/json.hpp"

namespace strata {
class Sequential;
}

namespace strata::saving {

// Writes a new HDF5 file through `fill` into `<path>.tmp-XXXXXX` beside `path`, then renames
// it over `path`. On any error the temp file is removed and an old `path` is left as it was.
void write_atomically(const std::string& path, const std::function<void(hdf5::File&)>& fill);

// Keras's save_weights_to_hdf5_group (KERAS.md 7.1): layer_names, backend, keras_version,
// one group per layer in sorted name order, and top_level_model_weights.
void write_weights(hdf5::Group& group, const Sequential& model);
// Keras's load_weights_from_hdf5_group: positional over the layers that have weights, on
// both sides. Reads and checks everything first; assigns only when all of it fits.
void read_weights(const hdf5::Group& group, Sequential& model);

// The model_config attribute of a whole-model .h5 file, as JSON text; ValueError in
// Keras's words when there is none.
std::string read_model_config(const hdf5::File& file);

// tf.keras 2.11's training_config: loss, metrics, weighted_metrics, loss_weights,
// optimizer_config (src/saving/training_config.cpp).
Json training_config(const Sequential& model);
// Compiles `model` as training_config says (Keras's compile_args_from_training_config).
void compile_from_training_config(Sequential& model, const Json& config, const std::string& where);

}  // namespace strata::saving
