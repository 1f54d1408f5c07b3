// Internal: reading an HDF5 file's bytes without libhdf5, for the checks strata makes
// before libhdf5 sees a file (hdf5_global_heap.cpp, hdf5_object_header.cpp).
#pragma once

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <string>

namespace strata::hdf5::detail {

// The unsigned little-endian number in `bytes` bytes at p (HDF5 stores all numbers so).
inline std::uint64_t little_endian(const char* p, std::size_t bytes) {
  std::uint64_t value = 0;
  for (std::size_t i = bytes; i-- > 0;) value = value << 8 | static_cast<unsigned char>(p[i]);
  return value;
}

// A file descriptor that closes itself; reads with pread so nothing is mapped (a file
// truncated under a mapping would raise SIGBUS).
class ReadOnlyFile {
 public:
  explicit ReadOnlyFile(const std::string& path) : fd_(::open(path.c_str(), O_RDONLY | O_CLOEXEC)) {
    if (fd_ >= 0) size_ = static_cast<std::uint64_t>(std::max<off_t>(::lseek(fd_, 0, SEEK_END), 0));
  }
  ~ReadOnlyFile() {
    if (fd_ >= 0) ::close(fd_);
  }
  ReadOnlyFile(const ReadOnlyFile&) = delete;
  ReadOnlyFile& operator=(const ReadOnlyFile&) = delete;
  bool ok() const { return fd_ >= 0; }
  std::uint64_t size() const { return size_; }
  // Up to `count` bytes at `offset` (fewer at the end of the file).
  std::string read(std::uint64_t offset, std::uint64_t count) const {
    if (offset >= size_) return {};
    std::string out(static_cast<std::size_t>(std::min(count, size_ - offset)), '\0');
    std::size_t done = 0;
    while (done < out.size()) {
      const ssize_t n = ::pread(fd_, out.data() + done, out.size() - done, static_cast<off_t>(offset + done));
      if (n <= 0) break;
      done += static_cast<std::size_t>(n);
    }
    out.resize(done);
    return out;
  }

 private:
  int fd_;
  std::uint64_t size_ = 0;
};

}  // namespace strata::hdf5::detail
