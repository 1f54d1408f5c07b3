// Atomic HDF5 writes: libhdf5 writes a uniquely named temp file in the target's folder
// (serialization/atomic_file.hpp), renamed over the target only once it is complete, so a
// failed save never damages an existing file.
#include <fmt/format.h>

#include <filesystem>

#include "serialization/atomic_file.hpp"
#include "src/saving/saving_detail.hpp"
#include "strata/error.hpp"

namespace strata::saving {

void write_atomically(const std::string& path, const std::function<void(hdf5::File&)>& fill) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::path folder = fs::path(path).parent_path();
  if (!folder.empty() && !fs::is_directory(folder, ec))
    throw IOError(fmt::format("Unable to create file {}: the folder {} does not exist", path, folder.string()));
  if (fs::is_directory(path, ec)) throw IOError(fmt::format("Unable to create file {}: it is a directory", path));
  serialization::TemporaryFile temp(path);  // removed on the way out unless committed
  {
    hdf5::File file = hdf5::File::create(temp.path());
    fill(file);
    file.close();
  }
  temp.commit();
}

}  // namespace strata::saving
