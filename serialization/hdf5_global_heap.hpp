// Internal: the global heap of an HDF5 file, read by strata itself. Keras keeps every
// string attribute (model_config, layer_names, weight_names) there, and libhdf5 1.10
// (Debian 12 ships 1.10.8) trusts it: an object that takes no room makes it loop forever,
// one that reaches past its collection or a string that points at a missing object makes
// it copy out of bounds or crash, a string length of 4 GB makes it allocate 4 GB. HDF5
// 1.14 checks some of this (HDFGroup/hdf5#2808). strata reads variable-length strings
// from this copy instead, after checking every collection. All found by hdf5_fuzzer.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "serialization/hdf5_object_header.hpp"

namespace strata::hdf5::detail {

class GlobalHeap {
 public:
  // Every global heap collection of the file at `path`, checked. IOError naming the file
  // and the heap's offset when one is malformed; nullptr when the superblock uses sizes
  // strata does not read (libhdf5 then reads the strings).
  static std::shared_ptr<const GlobalHeap> read(const std::string& path);

  // The superblock's base address and sizes, and the file's path.
  const FileLayout& layout() const { return layout_; }
  // Bytes of an address in the file (the superblock's "size of offsets": 4 or 8).
  std::size_t offset_size() const { return layout_.offset_size; }
  // The data of object `index` of the collection at `address` (relative to the file's
  // base address, as heap IDs store it); nullopt when there is no such object.
  std::optional<std::string_view> object(std::uint64_t address, std::uint32_t index) const;

 private:
  struct Collection {
    std::string bytes;                                                // the whole collection
    std::map<std::uint32_t, std::pair<std::size_t, std::size_t>> objects;  // index -> (offset, size)
  };
  FileLayout layout_;
  std::map<std::uint64_t, Collection> collections_;  // by offset in the file
};

}  // namespace strata::hdf5::detail
