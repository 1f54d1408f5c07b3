// Internal, for the CLI: a whole-model .h5 file's model_config without loading its weights.
// Self-contained (no HDF5 or project include paths needed).
#pragma once

#include <string>

namespace strata::saving {

// True when `path` is an HDF5 file (by its signature, not its name).
bool is_hdf5_file(const std::string& path);
// The model_config attribute (JSON text) of a file written by model.save(".h5");
// ValueError `No model config found in the file at <path>.` when it has none.
std::string read_model_config_text(const std::string& path);

}  // namespace strata::saving
