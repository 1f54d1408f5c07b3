// Internal: writing files so that readers see the old file or the whole new one, never
// a half-written one (a temp file in the same folder, fsync, then rename).
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>

namespace strata::serialization {

// Writes `parts` to a new file beside `path`, then renames it over `path`. IOError naming
// the path on failure; the old file is then untouched.
void write_file_atomically(const std::string& path, std::initializer_list<std::string_view> parts);

// For writers that create the file themselves (libhdf5): a unique temp path beside
// `path`, removed on destruction unless commit() renamed it over `path`.
class TemporaryFile {
 public:
  explicit TemporaryFile(const std::string& path);
  TemporaryFile(const TemporaryFile&) = delete;
  TemporaryFile& operator=(const TemporaryFile&) = delete;
  ~TemporaryFile();
  const std::string& path() const { return temp_path_; }
  // fsyncs the temp file and renames it over the target; IOError on failure.
  void commit();

 private:
  std::string target_, temp_path_;
  bool committed_ = false;
};

}  // namespace strata::serialization
