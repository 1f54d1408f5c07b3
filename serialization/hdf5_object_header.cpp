// The object header check (hdf5_object_header.hpp): walks an object header's message
// blocks as the HDF5 file format specification lays them out, checks that each block lies
// inside the file and that the continuations end, and checks each attribute message's
// name, datatype, dataspace and value against the message's own size, each datatype
// message's encoding, and each symbol table's B-tree address and local heap.
#include "serialization/hdf5_object_header.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <string_view>
#include <vector>

#include "serialization/hdf5_bytes.hpp"
#include "serialization/hdf5_datatype_check.hpp"
#include "serialization/hdf5_symbol_table.hpp"

namespace strata::hdf5::detail {

namespace {

constexpr std::uint16_t kDatatype = 0x03, kContinuation = 0x10, kAttribute = 0x0C, kSymbolTable = 0x11;
constexpr unsigned kSharedMessage = 0x02;  // message flag: the message points to a shared copy
constexpr std::size_t kMaxBlocks = 1024;               // continuation blocks followed per header
constexpr std::uint64_t kMaxBlockSize = std::uint64_t{1} << 26;
constexpr unsigned kVariableLengthClass = 9;

std::uint64_t padded8(std::uint64_t n) { return (n + 7) / 8 * 8; }

// One message as found in a block.
struct Message {
  std::uint16_t type;
  unsigned flags;
  std::string_view data;
};

struct Block {
  std::uint64_t offset, length;
};

// Why an attribute message's parts overrun it, or nullopt.
std::optional<std::string> attribute_problem(std::string_view m, const FileLayout& layout) {
  if (m.size() < 8) return "shorter than its header";
  const auto version = static_cast<unsigned char>(m[0]);
  if (version < 1 || version > 3) return std::nullopt;  // not a version strata knows: libhdf5 decides
  const std::uint64_t name_size = little_endian(m.data() + 2, 2), type_size = little_endian(m.data() + 4, 2),
                      space_size = little_endian(m.data() + 6, 2);
  auto part = [&](std::uint64_t size) { return version == 1 ? padded8(size) : size; };
  const std::uint64_t name_at = version == 3 ? 9 : 8, type_at = name_at + part(name_size),
                      space_at = type_at + part(type_size), value_at = space_at + part(space_size);
  if (value_at > m.size()) return "its name, datatype and dataspace do not fit in it";
  if (name_size == 0 || m.substr(name_at, name_size).find('\0') == std::string_view::npos)
    return "its name has no end";
  if (type_size < 8) return "its datatype is cut short";
  // Versions 2 and 3 may point to a shared datatype or dataspace instead of holding it;
  // then the value's size is not known here.
  const unsigned shared = version >= 2 ? static_cast<unsigned char>(m[1]) & 0x03 : 0;
  if ((shared & 0x01) == 0)
    if (std::optional<std::string> problem = datatype_problem(m.substr(type_at, type_size)))
      return "its datatype is malformed: " + *problem;
  if (shared != 0) return std::nullopt;
  const auto type_class = static_cast<unsigned char>(m[type_at]) & 0x0F;
  // libhdf5 sizes the value by the datatype's size field; variable-length values are
  // stored as descriptors (length, heap address, heap index), so count whichever is larger.
  std::uint64_t element = little_endian(m.data() + type_at + 4, 4);
  if (type_class == kVariableLengthClass) element = std::max<std::uint64_t>(element, 4 + layout.offset_size + 4);
  // Dataspace: version, rank, flags, then (version 1) five reserved bytes or (version 2) a
  // type; then the dimensions.
  if (space_size < 4) return "its dataspace is cut short";
  const auto space_version = static_cast<unsigned char>(m[space_at]);
  const auto rank = static_cast<unsigned char>(m[space_at + 1]);
  const std::uint64_t dims_at = space_version == 1 ? 8 : 4;
  if (dims_at + rank * layout.length_size > space_size) return "its dataspace is cut short";
  std::uint64_t count = space_version >= 2 && static_cast<unsigned char>(m[space_at + 3]) == 2 ? 0 : 1;  // 2: null
  for (unsigned d = 0; d < rank && count > 0; ++d) {
    const std::uint64_t extent =
        little_endian(m.data() + space_at + dims_at + d * layout.length_size, layout.length_size);
    if (extent != 0 && count > (m.size() + 1) / extent) return "its value is larger than the message";
    count *= extent;
  }
  if (element != 0 && count > (m.size() - value_at) / element) return "its value is larger than the message";
  return std::nullopt;
}

// A symbol table message: the group's B-tree and local heap (hdf5_symbol_table.hpp).
std::optional<std::string> symbol_table_message_problem(const ReadOnlyFile& file, std::string_view message,
                                                        const FileLayout& layout) {
  const std::size_t o = layout.offset_size;
  if (message.size() < 2 * o) return "the message is cut short";
  return symbol_table_problem(file, layout, little_endian(message.data(), o), little_endian(message.data() + o, o));
}

// The messages of one block, and the continuation blocks it names; why the block is
// malformed (a message that runs past it, a continuation message too short to hold an
// address and a length, which libhdf5 reads anyway), or nullopt.
std::optional<std::string> read_block(std::string_view block, bool version2, bool creation_order,
                                      const FileLayout& layout, std::vector<Message>& messages,
                                      std::vector<Block>& more) {
  const std::size_t header = version2 ? 4 + (creation_order ? 2 : 0) : 8;
  std::size_t p = 0;
  while (p + header <= block.size()) {
    const auto type = static_cast<std::uint16_t>(version2 ? static_cast<unsigned char>(block[p])
                                                          : little_endian(block.data() + p, 2));
    const std::uint64_t size = little_endian(block.data() + p + (version2 ? 1 : 2), 2);
    const auto flags = static_cast<unsigned char>(block[p + (version2 ? 3 : 4)]);
    if (size > block.size() - p - header) return fmt::format("a message at byte {} of a block runs past it", p);
    const std::string_view data = block.substr(p + header, size);
    if (type == kContinuation) {
      if (data.size() < layout.offset_size + layout.length_size)
        return fmt::format("the continuation message at byte {} of a block is cut short", p);
      more.push_back({little_endian(data.data(), layout.offset_size),
                      little_endian(data.data() + layout.offset_size, layout.length_size)});
    }
    messages.push_back({type, flags, data});
    p += header + size;
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> damaged_object_header(const FileLayout& layout, std::uint64_t address) {
  const ReadOnlyFile file(layout.path);
  if (!file.ok()) return std::nullopt;
  if (address > UINT64_MAX - layout.base)
    return fmt::format("the object header at address {} lies outside the file", address);
  const std::uint64_t start = layout.base + address;
  const std::string prefix = file.read(start, 32);
  std::vector<Block> blocks;
  bool version2 = false, creation_order = false;
  if (prefix.size() >= 16 && prefix[0] == 1) {
    // Version 1: version, reserved, message count (2), reference count (4), header size
    // (4), padding to 16; the first block follows.
    blocks.push_back({start + 16, little_endian(prefix.data() + 8, 4)});
  } else if (prefix.size() >= 8 && prefix.compare(0, 4, "OHDR") == 0 && prefix[4] == 2) {
    // Version 2: "OHDR", version, flags, optional times (16) and attribute limits (4),
    // then the size of block 0 in 1, 2, 4 or 8 bytes; a checksum follows the block.
    const auto flags = static_cast<unsigned char>(prefix[5]);
    version2 = true;
    creation_order = (flags & 0x04) != 0;
    std::size_t p = 6 + ((flags & 0x20) ? 16 : 0) + ((flags & 0x10) ? 4 : 0);
    const std::size_t width = std::size_t{1} << (flags & 0x03);
    if (p + width > prefix.size()) return std::nullopt;
    blocks.push_back({start + p + width, little_endian(prefix.data() + p, width)});
  } else {
    return std::nullopt;  // not an object header strata reads
  }

  for (std::size_t i = 0; i < blocks.size(); ++i) {
    // Blocks that come back to one already read would be followed forever.
    if (i >= kMaxBlocks || std::any_of(blocks.begin(), blocks.begin() + static_cast<std::ptrdiff_t>(i),
                                       [&](const Block& b) { return b.offset == blocks[i].offset; }))
      return fmt::format("the continuation blocks of the object header at address {} loop", address);
    Block block = blocks[i];
    // A block that is not inside the file (an undefined address, say) makes libhdf5 1.10.8
    // copy from past its read buffer while it opens the object.
    if (i > 0) block.offset = layout.file_offset(block.offset);  // continuation messages hold addresses
    if (block.offset > file.size() || block.length > file.size() - block.offset)
      return fmt::format("a block of the object header at address {} lies outside the file", address);
    if (block.length > kMaxBlockSize) return std::nullopt;
    std::string bytes = file.read(block.offset, block.length);
    if (bytes.size() < block.length) return std::nullopt;
    std::string_view messages_area(bytes);
    if (version2 && i > 0) {  // continuation blocks: "OCHK", messages, checksum
      if (messages_area.substr(0, 4) != "OCHK" || messages_area.size() < 8) return std::nullopt;
      messages_area = messages_area.substr(4, messages_area.size() - 8);
    }
    std::vector<Message> messages;
    if (std::optional<std::string> problem = read_block(messages_area, version2, creation_order, layout, messages, blocks))
      return fmt::format("object header at address {}: {}", address, *problem);
    for (const Message& m : messages) {
      const std::uint64_t at = block.offset + static_cast<std::uint64_t>(m.data.data() - bytes.data());
      std::optional<std::string> problem;
      if (m.type == kAttribute) {
        if ((problem = attribute_problem(m.data, layout))) return fmt::format("an attribute message at byte {}: {}", at, *problem);
      } else if (m.type == kDatatype && (m.flags & kSharedMessage) == 0) {
        if ((problem = datatype_problem(m.data))) return fmt::format("the datatype message at byte {}: {}", at, *problem);
      } else if (m.type == kSymbolTable && (m.flags & kSharedMessage) == 0) {
        if ((problem = symbol_table_message_problem(file, m.data, layout))) return fmt::format("its symbol table: {}", *problem);
      }
    }
  }
  return std::nullopt;
}

}  // namespace strata::hdf5::detail
