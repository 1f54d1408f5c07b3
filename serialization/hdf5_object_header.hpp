// Internal: checks of object headers and local heaps, made before libhdf5 reads them.
// libhdf5 1.10.8 trusts what they declare: an attribute message's own sizes (a name
// without its NUL, or a value larger than the message, makes it read past its buffer:
// strdup and memcpy in H5O_attr_decode, reached from H5Aexists), datatype encodings
// (hdf5_datatype_check.hpp), a continuation block's address and length (an undefined one
// makes it copy from past its read buffer inside H5Fopen; a huge one, allocate it), and a
// group's symbol table (hdf5_symbol_table.hpp). hdf5_fuzzer found files that crash it so.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>

namespace strata::hdf5::detail {

// What the superblock says about addresses, and where the file is.
struct FileLayout {
  std::string path;
  std::uint64_t base = 0;  // the base address: file offsets are base + address
  std::size_t offset_size = 8, length_size = 8;
  std::uint64_t root = 0;  // the address of the root group's object header
  // The root group's symbol table (B-tree, local heap) as the superblock caches it.
  std::optional<std::pair<std::uint64_t, std::uint64_t>> root_cached_table;

  // The file offset of `address`: base + address, or UINT64_MAX (past any file) when that
  // would overflow, as damaged addresses may.
  std::uint64_t file_offset(std::uint64_t address) const {
    return address > UINT64_MAX - base ? UINT64_MAX : base + address;
  }
};

// Why the object header at `address` is damaged, or nullopt: a block of it (the first or
// a continuation) lies outside the file, it holds an attribute message that does not fit
// in itself, a malformed datatype (hdf5_datatype_check.hpp), or a damaged symbol table
// (hdf5_symbol_table.hpp).
// Object headers of versions 1 and 2 are read; anything else strata does not know is
// left to libhdf5.
std::optional<std::string> damaged_object_header(const FileLayout& layout, std::uint64_t address);

}  // namespace strata::hdf5::detail
