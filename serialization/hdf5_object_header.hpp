// Internal: a check of an object header, made before libhdf5 reads it. libhdf5 1.10.8
// trusts an attribute message's own sizes (a name without its NUL, or a value larger than
// the message, makes it read past its buffer: strdup and memcpy in H5O_attr_decode,
// reached from H5Aexists) and a continuation block's address (an undefined one makes it
// copy from past its read buffer inside H5Fopen). hdf5_fuzzer found files that crash it so.
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
  std::uint64_t root = 0;  // the address of the root group's object header
};

// Why the object header at `address` is damaged, or nullopt: a block of it (the first or
// a continuation) lies outside the file, or it holds an attribute message that does not
// fit in itself. Object headers of versions 1 and 2 are read; anything else strata does
// not know is left to libhdf5.
std::optional<std::string> damaged_object_header(const FileLayout& layout, std::uint64_t address);

}  // namespace strata::hdf5::detail
