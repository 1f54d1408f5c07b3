// A guard against a libhdf5 1.10 bug (Debian 12 ships 1.10.8): reading a variable-length
// string whose global heap collection holds an object that takes no room, or a length
// that sends the walk backwards, loops forever in H5HG__cache_heap_deserialize (hardened
// upstream by HDFGroup/hdf5#2808, in 1.14). Keras keeps every string attribute
// (model_config, layer_names, weight_names) in the global heap, so File::open walks each
// collection the way HDF5 will before HDF5 sees the file. Found by hdf5_fuzzer.
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string_view>

#include "serialization/hdf5_detail.hpp"

namespace strata::hdf5::detail {

namespace {

constexpr std::string_view kSuperblockSignature{"\x89HDF\r\n\x1a\n", 8};

std::uint64_t little_endian(const unsigned char* p, std::size_t bytes) {
  std::uint64_t value = 0;
  for (std::size_t i = bytes; i-- > 0;) value = value << 8 | p[i];
  return value;
}

// The superblock's "size of lengths" (4 or 8 in practice); 0 when it cannot be read. The
// superblock sits at 0, 512, 1024, 2048, ... (after an optional user block).
std::size_t size_of_lengths(std::string_view file) {
  for (std::size_t at = 0; at + 16 <= file.size(); at = at == 0 ? 512 : at * 2) {
    if (file.substr(at, 8) != kSuperblockSignature) continue;
    const auto version = static_cast<unsigned char>(file[at + 8]);
    const std::size_t field = version < 2 ? at + 14 : at + 10;
    return static_cast<unsigned char>(file[field]);
  }
  return 0;
}

// True when walking the collection at `at` as HDF5 1.10 does would not move forward.
bool walk_stalls(std::string_view file, std::size_t at, std::size_t lengths) {
  const auto* bytes = reinterpret_cast<const unsigned char*>(file.data());
  const std::size_t header = 8 + lengths, object_header = 8 + lengths;
  if (at + header > file.size() || bytes[at + 4] != 1) return false;  // not a version-1 collection
  const std::uint64_t declared = little_endian(bytes + at + 8, lengths);
  const std::uint64_t end = at + std::min<std::uint64_t>(declared, file.size() - at);
  std::uint64_t p = at + header;
  while (p < end) {
    if (p + object_header > end) return false;  // trailing free space: the walk ends
    const std::uint64_t index = little_endian(bytes + p, 2);
    const std::uint64_t size = little_endian(bytes + p + 8, lengths);
    // H5HG_ALIGN(size) + the object header, in 64-bit arithmetic as HDF5 computes it.
    const std::uint64_t need = index > 0 ? object_header + ((size + 7) / 8) * 8 : size;
    if (need == 0 || need > (std::uint64_t{1} << 62)) return true;  // stands still or wraps backwards
    p += need;
  }
  return false;
}

}  // namespace

std::optional<std::size_t> find_stalling_global_heap(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;  // H5Fopen reports it
  struct stat info {};
  if (::fstat(fd, &info) != 0 || info.st_size <= 0) {
    ::close(fd);
    return std::nullopt;
  }
  const auto length = static_cast<std::size_t>(info.st_size);
  void* mapped = ::mmap(nullptr, length, PROT_READ, MAP_PRIVATE, fd, 0);
  ::close(fd);
  if (mapped == MAP_FAILED) return std::nullopt;
  const std::string_view file(static_cast<const char*>(mapped), length);

  std::optional<std::size_t> found;
  if (const std::size_t lengths = size_of_lengths(file); lengths == 4 || lengths == 8)
    for (std::size_t at = file.find("GCOL"); at != std::string_view::npos && !found; at = file.find("GCOL", at + 1))
      if (walk_stalls(file, at, lengths)) found = at;
  ::munmap(mapped, length);
  return found;
}

}  // namespace strata::hdf5::detail
