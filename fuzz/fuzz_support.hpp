// Helpers shared by the fuzz targets: an in-memory file for readers that take a path, and
// a check that turns a broken invariant into a crash libFuzzer records.
#pragma once

#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace strata::fuzz {

// A memfd (no disk traffic) rewritten for each input; readers open it by its /proc path.
class MemoryFile {
 public:
  MemoryFile() : fd_(::memfd_create("strata-fuzz", 0)) {
    if (fd_ < 0) std::abort();
    path_ = "/proc/self/fd/" + std::to_string(fd_);
  }
  ~MemoryFile() { ::close(fd_); }
  MemoryFile(const MemoryFile&) = delete;
  MemoryFile& operator=(const MemoryFile&) = delete;

  // Replaces the contents with `data`.
  const std::string& write(const std::uint8_t* data, std::size_t size) {
    if (::ftruncate(fd_, 0) != 0) std::abort();
    for (std::size_t done = 0; done < size;) {
      const ssize_t n = ::pwrite(fd_, data + done, size - done, static_cast<off_t>(done));
      if (n <= 0) std::abort();
      done += static_cast<std::size_t>(n);
    }
    return path_;
  }

 private:
  int fd_;
  std::string path_;
};

// An invariant every input must keep; a violation is a finding, like a crash.
inline void expect(bool ok, const char* what) {
  if (ok) return;
  std::fprintf(stderr, "strata fuzz invariant broken: %s\n", what);
  std::abort();
}

}  // namespace strata::fuzz
