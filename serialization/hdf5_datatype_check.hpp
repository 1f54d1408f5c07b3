// Internal: a check of an encoded HDF5 datatype (a datatype message, or the datatype inside
// an attribute message), made before libhdf5 decodes it. libhdf5 1.10.8 trusts the
// encoding: a compound member name without its NUL makes it strdup past its buffer, an
// enumeration whose size differs from its base type's makes H5T_copy memcpy past the
// values, and an array of more than 32 dimensions overflows its fixed table. hdf5_fuzzer
// found such files; valid files never have them.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace strata::hdf5::detail {

// Why the datatype encoded at the start of `encoded` is malformed, or nullopt. On success
// `*used` (when given) is the number of bytes the encoding takes. Every part must lie in
// `encoded`; names must end; sizes must agree (an enumeration and its base type, an array
// and its elements, a compound and its members, a number and its bit fields).
std::optional<std::string> datatype_problem(std::string_view encoded, std::size_t* used = nullptr);

}  // namespace strata::hdf5::detail
