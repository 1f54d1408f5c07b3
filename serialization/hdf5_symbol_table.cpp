// The symbol table check (hdf5_symbol_table.hpp), laid out as the HDF5 file format
// specification's local heap ("HEAP"), version 1 B-tree of group nodes ("TREE") and
// symbol table nodes ("SNOD").
#include "serialization/hdf5_symbol_table.hpp"

#include <fmt/format.h>

#include <cstring>
#include <set>
#include <string_view>
#include <vector>

namespace strata::hdf5::detail {

namespace {

constexpr std::size_t kMaxNodes = 1 << 16;  // B-tree and symbol nodes visited per table

// A group's local heap: its data, read once the header is checked.
struct LocalHeap {
  std::string data;
  // True when a name starts at `offset` and ends inside the heap.
  bool has_name(std::uint64_t offset) const {
    return offset < data.size() && std::memchr(data.data() + offset, '\0', data.size() - offset) != nullptr;
  }
};

std::optional<std::string> read_local_heap(const ReadOnlyFile& file, const FileLayout& layout, std::uint64_t address,
                                           LocalHeap& heap) {
  const std::size_t l = layout.length_size, o = layout.offset_size;
  const std::string head = file.read(layout.file_offset(address), 8 + 2 * l + o);
  if (head.size() < 8 + 2 * l + o || head.compare(0, 4, "HEAP") != 0 || head[4] != 0)
    return fmt::format("no local heap at address {}", address);
  const std::uint64_t size = little_endian(head.data() + 8, l), first_free = little_endian(head.data() + 8 + l, l);
  const std::uint64_t data_at = layout.file_offset(little_endian(head.data() + 8 + 2 * l, o));
  if (data_at > file.size() || size > file.size() - data_at)
    return fmt::format("the local heap at address {} lies outside the file", address);
  heap.data = file.read(data_at, size);
  // Free blocks: the offset of the next (1 ends the list), then the block's size.
  constexpr std::uint64_t kEnd = 1;
  std::vector<bool> seen(heap.data.size(), false);
  for (std::uint64_t block = first_free; block != kEnd;) {
    if (block >= size || size - block < 2 * l || seen[block] ||
        little_endian(heap.data.data() + block + l, l) > size - block)
      return fmt::format("the free list of the local heap at address {} is malformed", address);
    seen[block] = true;
    block = little_endian(heap.data.data() + block, l);
  }
  return std::nullopt;
}

// The nodes of the B-tree at `tree`, each read once: keys and symbol entries hold name
// offsets into the heap.
std::optional<std::string> check_nodes(const ReadOnlyFile& file, const FileLayout& layout, std::uint64_t tree,
                                       const LocalHeap& heap) {
  const std::size_t l = layout.length_size, o = layout.offset_size;
  const std::size_t entry = 2 * o + 24;  // name offset, header address, cache type, reserved, scratch pad
  struct Node {
    std::uint64_t address;
    bool symbols;  // a symbol node (the B-tree's leaves point to these)
  };
  std::vector<Node> pending{{tree, false}};
  std::set<std::uint64_t> seen;
  while (!pending.empty()) {
    const Node node = pending.back();
    pending.pop_back();
    if (!seen.insert(node.address).second) return fmt::format("the node at address {} is reached twice", node.address);
    if (seen.size() > kMaxNodes) return "it has too many nodes";
    const std::uint64_t at = layout.file_offset(node.address);
    const std::string head = file.read(at, node.symbols ? 8 : 8 + 2 * o);
    if (node.symbols) {  // "SNOD", version 1, reserved, symbol count (2), entries
      if (head.size() < 8 || head.compare(0, 4, "SNOD") != 0)
        return fmt::format("no symbol node at address {}", node.address);
      const std::uint64_t count = little_endian(head.data() + 6, 2);
      const std::string entries = file.read(at + 8, count * entry);
      if (entries.size() < count * entry) return fmt::format("the symbol node at address {} is cut short", node.address);
      for (std::uint64_t i = 0; i < count; ++i)
        if (!heap.has_name(little_endian(entries.data() + i * entry, o)))
          return fmt::format("entry {} of the symbol node at address {} names no name in the heap", i, node.address);
      continue;
    }
    // "TREE", type (0: groups), level, entries used (2), left and right siblings, then
    // key 0, child 0, ..., child n-1, key n.
    if (head.size() < 8 + 2 * o || head.compare(0, 4, "TREE") != 0 || head[4] != 0)
      return fmt::format("no group B-tree node at address {}", node.address);
    const auto level = static_cast<unsigned char>(head[5]);
    const std::uint64_t children = little_endian(head.data() + 6, 2);
    const std::uint64_t body_size = children * (l + o) + l;
    const std::string body = file.read(at + 8 + 2 * o, body_size);
    if (body.size() < body_size) return fmt::format("the B-tree node at address {} is cut short", node.address);
    for (std::uint64_t i = 0; i <= children; ++i) {
      const char* key = body.data() + i * (l + o);
      if (!heap.has_name(little_endian(key, l)))
        return fmt::format("key {} of the B-tree node at address {} names no name in the heap", i, node.address);
      if (i < children) pending.push_back({little_endian(key + l, o), level == 0});
    }
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> symbol_table_problem(const ReadOnlyFile& file, const FileLayout& layout, std::uint64_t tree,
                                                std::uint64_t heap_address) {
  LocalHeap heap;
  if (std::optional<std::string> problem = read_local_heap(file, layout, heap_address, heap)) return problem;
  return check_nodes(file, layout, tree, heap);
}

std::optional<std::string> damaged_symbol_table(const FileLayout& layout, std::uint64_t tree, std::uint64_t heap) {
  const ReadOnlyFile file(layout.path);
  if (!file.ok()) return std::nullopt;
  return symbol_table_problem(file, layout, tree, heap);
}

}  // namespace strata::hdf5::detail
