// Internal: atomic file writes (temp file beside the target, fsync, rename).
#include "serialization/atomic_file.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <random>
#include <system_error>

#include "strata/error.hpp"

namespace strata::serialization {

namespace {
IOError write_error(const std::string& path, const std::string& reason) {
  return IOError(fmt::format("cannot write '{}': {}", path, reason));
}
std::string errno_text(int error) { return std::strerror(error); }

void fsync_path(const std::string& temp, const std::string& target) {
  const int fd = ::open(temp.c_str(), O_RDONLY);
  if (fd < 0) throw write_error(target, errno_text(errno));
  const int rc = ::fsync(fd);
  const int error = errno;
  ::close(fd);
  if (rc != 0) throw write_error(target, errno_text(error));
}
}  // namespace

TemporaryFile::TemporaryFile(const std::string& path) : target_(path) {
  std::random_device random;
  temp_path_ = fmt::format("{}.tmp-{}-{:08x}", path, ::getpid(), random());
}

TemporaryFile::~TemporaryFile() {
  if (!committed_) std::remove(temp_path_.c_str());
}

void TemporaryFile::commit() {
  // fsync before the rename, so that a crash cannot leave the new name on empty data.
  fsync_path(temp_path_, target_);
  std::error_code error;
  std::filesystem::rename(temp_path_, target_, error);
  if (error) throw write_error(target_, error.message());
  committed_ = true;
  // And the folder after it, so that the rename itself survives a power cut. The new file
  // is in place by now: a folder that cannot be synced (some file systems) is no error.
  const std::filesystem::path folder = std::filesystem::path(target_).parent_path();
  if (const int fd = ::open(folder.empty() ? "." : folder.c_str(), O_RDONLY | O_DIRECTORY); fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
}

void write_file_atomically(const std::string& path, std::initializer_list<std::string_view> parts) {
  TemporaryFile temp(path);
  std::FILE* file = std::fopen(temp.path().c_str(), "wbx");  // x: never reuse someone else's file
  if (!file) throw write_error(path, errno_text(errno));
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> closer(file, &std::fclose);
  for (std::string_view part : parts)
    if (!part.empty() && std::fwrite(part.data(), 1, part.size(), file) != part.size())
      throw write_error(path, errno_text(errno));
  if (std::fclose(closer.release()) != 0) throw write_error(path, errno_text(errno));
  temp.commit();
}

}  // namespace strata::serialization
