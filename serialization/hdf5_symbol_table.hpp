// Internal: a check of a group's symbol table (its B-tree of symbol nodes and its local
// heap of names), made before libhdf5 reads it. libhdf5 1.10.8 allocates a local heap's
// data at the size its header declares, follows the heap's free list without looking for
// a loop (allocating a node per step, forever), and reads each name from the offset a
// node gives up to its NUL, wherever that is. hdf5_fuzzer found files that make it do so.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "serialization/hdf5_bytes.hpp"
#include "serialization/hdf5_object_header.hpp"

namespace strata::hdf5::detail {

// Why the symbol table with its B-tree at `tree` and its local heap at `heap` is damaged,
// or nullopt: the heap's data lies outside the file or its free list leaves it or loops;
// a B-tree node or symbol node lies outside the file, is not one, or comes back to one
// already seen; or a name offset in them lies outside the heap or names no NUL-ended name.
std::optional<std::string> symbol_table_problem(const ReadOnlyFile& file, const FileLayout& layout, std::uint64_t tree,
                                                std::uint64_t heap);

// The same for a file given by its layout (the root group's table, as the superblock
// caches it).
std::optional<std::string> damaged_symbol_table(const FileLayout& layout, std::uint64_t tree, std::uint64_t heap);

}  // namespace strata::hdf5::detail
