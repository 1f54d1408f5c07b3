// Helpers shared by the fuzz targets: a file in memory for readers that take a path, and
// a check that turns a broken invariant into a crash libFuzzer records.
#pragma once

#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace strata::fuzz {

// A file in /dev/shm (tmpfs: no disk traffic) rewritten for each input. Not a memfd: HDF5
// resolves a path to its real name first, and a memfd's /proc/self/fd link has none.
class MemoryFile {
 public:
  MemoryFile() {
    char name[] = "/dev/shm/strata-fuzz-XXXXXX";
    fd_ = ::mkstemp(name);
    if (fd_ < 0) std::abort();
    path_ = name;
  }
  ~MemoryFile() {
    ::close(fd_);
    ::unlink(path_.c_str());
  }
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
