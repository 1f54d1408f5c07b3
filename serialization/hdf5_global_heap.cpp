// The global heap read by strata (see hdf5_global_heap.hpp): the superblock for the
// address sizes and base, then every "GCOL" collection found in the file, walked the way
// libhdf5 walks it, with the checks libhdf5 1.10 leaves out.
#include "serialization/hdf5_global_heap.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <vector>

#include "serialization/hdf5_bytes.hpp"
#include "strata/error.hpp"

namespace strata::hdf5::detail {

namespace {

constexpr std::string_view kSuperblockSignature{"\x89HDF\r\n\x1a\n", 8};
constexpr std::size_t kScanBlock = std::size_t{1} << 20;
constexpr std::uint64_t kMinCollection = 4096;  // H5HG_MINSIZE

}  // namespace

std::shared_ptr<const GlobalHeap> GlobalHeap::read(const std::string& path) {
  const ReadOnlyFile file(path);
  if (!file.ok()) return nullptr;  // H5Fopen reports it
  auto heap = std::make_shared<GlobalHeap>();
  heap->layout_.path = path;

  // The superblock sits at 0, 512, 1024, 2048, ... (after an optional user block).
  bool found = false;
  for (std::uint64_t at = 0; at + 64 <= file.size() && !found; at = at == 0 ? 512 : at * 2) {
    const std::string block = file.read(at, 128);
    if (std::string_view(block).substr(0, 8) != kSuperblockSignature) continue;
    const auto version = static_cast<unsigned char>(block[8]);
    // Versions 0 and 1: sizes at bytes 13 and 14, base address at 24 (28 with v1's extra
    // field); versions 2 and 3: sizes at 9 and 10, base address at 12.
    const bool old = version < 2;
    heap->layout_.offset_size = static_cast<unsigned char>(block[old ? 13 : 9]);
    heap->layout_.length_size = static_cast<unsigned char>(block[old ? 14 : 10]);
    FileLayout& layout = heap->layout_;
    if ((layout.offset_size != 4 && layout.offset_size != 8) || (layout.length_size != 4 && layout.length_size != 8))
      return nullptr;
    const std::size_t fields = version == 0 ? 24 : version == 1 ? 28 : 12, o = layout.offset_size;
    layout.base = little_endian(block.data() + fields, o);
    // The root group's object header: in the root symbol table entry, after four
    // addresses (versions 0 and 1), or the fourth address (versions 2 and 3).
    const std::size_t root_at = old ? fields + 5 * o : fields + 3 * o;
    if (block.size() >= root_at + o) layout.root = little_endian(block.data() + root_at, o);
    // Versions 0 and 1 also cache the root's symbol table in that entry (cache type 1: its
    // B-tree and local heap), and libhdf5 may read the table from there.
    if (old && block.size() >= root_at + 3 * o + 8 && little_endian(block.data() + root_at + o, 4) == 1)
      layout.root_cached_table = {little_endian(block.data() + root_at + o + 8, o),
                                  little_endian(block.data() + root_at + 2 * o + 8, o)};
    found = true;
  }
  if (!found) return nullptr;

  const std::size_t header = 8 + heap->layout_.length_size, object_header = 8 + heap->layout_.length_size;
  auto damaged = [&](std::uint64_t at) {
    return IOError(fmt::format(
        "Unable to open file {}: the HDF5 file is damaged (its global heap at byte {} is malformed)", path, at));
  };
  for (std::uint64_t block = 0; block < file.size(); block += kScanBlock) {
    const std::string bytes = file.read(block, kScanBlock + 3);  // 3 more: a signature across blocks
    for (std::size_t i = bytes.find("GCOL"); i != std::string::npos; i = bytes.find("GCOL", i + 1)) {
      const std::uint64_t at = block + i;
      if (heap->collections_.count(at)) continue;
      // Only HDF5's exact header counts (version 1, three zero bytes, a size of at least
      // 4 KiB inside the file), so these bytes inside a dataset's values do not.
      const std::string head = file.read(at, header);
      if (head.size() < header || head[4] != 1 || head[5] != 0 || head[6] != 0 || head[7] != 0) continue;
      const std::uint64_t declared = little_endian(head.data() + 8, heap->layout_.length_size);
      if (declared < kMinCollection || declared > file.size() - at) continue;

      Collection collection{file.read(at, declared), {}};
      const std::uint64_t end = collection.bytes.size();
      std::uint64_t p = header;
      while (p < end) {
        if (p + object_header > end) break;  // trailing free space too small for a header
        const char* object = collection.bytes.data() + p;
        const auto index = static_cast<std::uint32_t>(little_endian(object, 2));
        const std::uint64_t size = little_endian(object + 8, heap->layout_.length_size);
        // Index 0 is the free space, whose size counts its header; other objects are
        // padded to 8 bytes after theirs (H5HG_ALIGN), in 64-bit arithmetic as in HDF5.
        const std::uint64_t need = index > 0 ? object_header + ((size + 7) / 8) * 8 : size;
        if (need == 0 || need > end - p || (index > 0 && size > need)) throw damaged(at);
        if (index > 0) collection.objects[index] = {static_cast<std::size_t>(p + object_header), size};
        p += need;
      }
      heap->collections_.emplace(at, std::move(collection));
    }
  }
  return heap;
}

std::optional<std::string_view> GlobalHeap::object(std::uint64_t address, std::uint32_t index) const {
  const auto collection = collections_.find(layout_.base + address);
  if (collection == collections_.end()) return std::nullopt;
  const auto object = collection->second.objects.find(index);
  if (object == collection->second.objects.end()) return std::nullopt;
  return std::string_view(collection->second.bytes).substr(object->second.first, object->second.second);
}

}  // namespace strata::hdf5::detail
