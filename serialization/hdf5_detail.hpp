// Helpers shared by the hdf5_*.cpp files (they include <hdf5.h>; nothing else does).
#pragma once

#include <hdf5.h>

#include <string>

#include "serialization/hdf5.hpp"
#include "strata/error.hpp"

namespace strata::hdf5::detail {

static_assert(sizeof(hid_t) == sizeof(Id), "hdf5::Id must hold a hid_t");

// `in file <file>: <what> (<object>)` so every message names the file and the object.
[[noreturn]] void fail(const std::string& file, const std::string& object, const std::string& what);

// Wraps ids with the right closer.
inline Handle attribute_handle(hid_t id) { return Handle(id, &H5Aclose); }
inline Handle dataset_handle(hid_t id) { return Handle(id, &H5Dclose); }
inline Handle dataspace_handle(hid_t id) { return Handle(id, &H5Sclose); }
inline Handle datatype_handle(hid_t id) { return Handle(id, &H5Tclose); }
inline Handle group_handle(hid_t id) { return Handle(id, &H5Gclose); }
inline Handle plist_handle(hid_t id) { return Handle(id, &H5Pclose); }

// numpy's name for a file type ("float32", "int64", "string", ...).
std::string dtype_name(hid_t type);
// The type and shape of an attribute or dataset, from its type and dataspace ids.
TypeInfo type_info(hid_t type, hid_t space);

}  // namespace strata::hdf5::detail
