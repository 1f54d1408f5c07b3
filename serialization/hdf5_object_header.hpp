// Internal: a check of an object's attribute messages, made before libhdf5 decodes them.
// libhdf5 1.10.8 trusts an attribute message's own sizes: a name without its NUL, or a
// value larger than the message, makes it read past its buffer (strdup and memcpy in
// H5O_attr_decode, reached from H5Aexists); hdf5_fuzzer found files that crash it so.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

namespace strata::hdf5::detail {

// What the superblock says about addresses, and where the file is.
struct FileLayout {
  std::string path;
  std::uint64_t base = 0;  // the base address: file offsets are base + address
  std::size_t offset_size = 8, length_size = 8;
};

// Why the object header at `address` holds an attribute message that does not fit in
// itself, or nullopt. Object headers of versions 1 and 2 with their continuation blocks
// are read; anything else strata does not know is left to libhdf5.
std::optional<std::string> damaged_attribute(const FileLayout& layout, std::uint64_t address);

}  // namespace strata::hdf5::detail
