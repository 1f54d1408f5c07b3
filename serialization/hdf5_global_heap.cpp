// A guard against libhdf5 1.10 bugs (Debian 12 ships 1.10.8) in its global heap, where
// Keras keeps every string attribute (model_config, layer_names, weight_names): a heap
// object that takes no room makes H5HG__cache_heap_deserialize loop forever, and one whose
// size reaches past its collection makes H5HG_read copy beyond the heap. HDF5 1.14
// checks both (HDFGroup/hdf5#2808); here File::open walks each collection as HDF5 will,
// before HDF5 sees the file. Both found by hdf5_fuzzer.
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

// True when the collection at `at` has an object that takes no room, or one that reaches
// past the collection's end. A match of "GCOL" counts as a collection only with HDF5's
// exact header (version 1, three zero bytes, a size of at least 4 KiB inside the file), so
// the same bytes inside a dataset's values are not mistaken for one.
bool collection_is_damaged(std::string_view file, std::size_t at, std::size_t lengths) {
  const auto* bytes = reinterpret_cast<const unsigned char*>(file.data());
  const std::size_t header = 8 + lengths, object_header = 8 + lengths;
  if (at + header > file.size() || bytes[at + 4] != 1 || bytes[at + 5] != 0 || bytes[at + 6] != 0 ||
      bytes[at + 7] != 0)
    return false;
  const std::uint64_t declared = little_endian(bytes + at + 8, lengths);
  if (declared < 4096 || declared > file.size() - at) return false;  // HDF5 refuses to load it
  const std::uint64_t end = at + declared;
  std::uint64_t p = at + header;
  while (p < end) {
    if (p + object_header > end) return false;  // trailing free space: the walk ends
    const std::uint64_t index = little_endian(bytes + p, 2);
    const std::uint64_t size = little_endian(bytes + p + 8, lengths);
    // Index 0 is the free space, whose size counts its header; other objects are padded
    // to 8 bytes after theirs (H5HG_ALIGN). In 64-bit arithmetic, as HDF5 computes it.
    const std::uint64_t need = index > 0 ? object_header + ((size + 7) / 8) * 8 : size;
    if (need == 0 || need > end - p || (index > 0 && size > need)) return true;
    p += need;
  }
  return false;
}

}  // namespace

std::optional<std::size_t> find_damaged_global_heap(const std::string& path) {
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
      if (collection_is_damaged(file, at, lengths)) found = at;
  ::munmap(mapped, length);
  return found;
}

}  // namespace strata::hdf5::detail
