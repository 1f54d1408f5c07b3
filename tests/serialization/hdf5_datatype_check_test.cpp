// The datatype encoding check (serialization/hdf5_datatype_check.hpp): every datatype
// libhdf5 itself encodes passes, and the malformed encodings hdf5_fuzzer met in damaged
// files (names with no end, sizes that disagree, too many dimensions) are refused by name.
#include <catch2/catch.hpp>

#include <hdf5.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "serialization/hdf5_datatype_check.hpp"

using strata::hdf5::detail::datatype_problem;

namespace {

// libhdf5's own encoding of `type` as a datatype message: H5Tencode's buffer is a message
// id and an encoding version, then the message. Closes `type`.
std::string encoded(hid_t type) {
  std::size_t size = 0;
  REQUIRE(H5Tencode(type, nullptr, &size) >= 0);
  std::string buffer(size, '\0');
  REQUIRE(H5Tencode(type, buffer.data(), &size) >= 0);
  H5Tclose(type);
  return buffer.substr(2);
}

hid_t copy(hid_t type) { return H5Tcopy(type); }

hid_t variable_string(H5T_cset_t cset) {
  const hid_t type = H5Tcopy(H5T_C_S1);
  H5Tset_size(type, H5T_VARIABLE);
  H5Tset_cset(type, cset);
  return type;
}

hid_t fixed_string(std::size_t length) {
  const hid_t type = H5Tcopy(H5T_C_S1);
  H5Tset_size(type, length);
  return type;
}

// h5py's bool: an enumeration of int8 with FALSE = 0 and TRUE = 1.
hid_t h5py_bool() {
  const hid_t type = H5Tenum_create(H5T_NATIVE_INT8);
  const std::int8_t no = 0, yes = 1;
  H5Tenum_insert(type, "FALSE", &no);
  H5Tenum_insert(type, "TRUE", &yes);
  return type;
}

// Arrays and sequences of `base`, which they take over (closed here).
hid_t array_of(hid_t base, std::vector<hsize_t> dims) {
  const hid_t type = H5Tarray_create2(base, static_cast<unsigned>(dims.size()), dims.data());
  H5Tclose(base);
  return type;
}

hid_t sequence_of(hid_t base) {
  const hid_t type = H5Tvlen_create(base);
  H5Tclose(base);
  return type;
}

// {float x; double y[2][3]; bool flag; char name[5]}
hid_t compound() {
  const hid_t type = H5Tcreate(H5T_COMPOUND, 4 + 48 + 1 + 5);
  H5Tinsert(type, "x", 0, H5T_IEEE_F32LE);
  const hid_t matrix = array_of(copy(H5T_IEEE_F64LE), {2, 3});
  H5Tinsert(type, "y", 4, matrix);
  H5Tclose(matrix);
  const hid_t flag = h5py_bool();
  H5Tinsert(type, "flag", 52, flag);
  H5Tclose(flag);
  const hid_t name = fixed_string(5);
  H5Tinsert(type, "name", 53, name);
  H5Tclose(name);
  return type;
}

// A number padded to 8 bytes, its bits from `offset` on (float fields are relative to it).
hid_t padded_number(hid_t base, std::size_t offset) {
  const hid_t type = H5Tcopy(base);
  H5Tset_size(type, 8);
  H5Tset_offset(type, offset);
  return type;
}

hid_t opaque(const char* tag) {
  const hid_t type = H5Tcreate(H5T_OPAQUE, 16);
  H5Tset_tag(type, tag);
  return type;
}

}  // namespace

TEST_CASE("the datatype check passes every datatype libhdf5 encodes", "[hdf5][hostile]") {
  struct Case {
    const char* name;
    hid_t type;
  };
  const std::vector<Case> cases = {
      {"float32", copy(H5T_IEEE_F32LE)},
      {"float64", copy(H5T_IEEE_F64LE)},
      {"float64 big-endian", copy(H5T_IEEE_F64BE)},
      {"int8", copy(H5T_STD_I8LE)},
      {"uint64", copy(H5T_STD_U64LE)},
      {"bitfield", copy(H5T_STD_B16LE)},
      {"float32 in the high half of 8 bytes", padded_number(H5T_IEEE_F32LE, 32)},
      {"int32 at bit 16 of 8 bytes", padded_number(H5T_STD_I32LE, 16)},
      {"object reference", copy(H5T_STD_REF_OBJ)},
      {"region reference", copy(H5T_STD_REF_DSETREG)},
      {"variable-length ASCII", variable_string(H5T_CSET_ASCII)},
      {"variable-length UTF-8", variable_string(H5T_CSET_UTF8)},
      {"fixed-length string", fixed_string(1)},
      {"long fixed-length string", fixed_string(65536)},
      {"h5py bool", h5py_bool()},
      {"empty enumeration", H5Tenum_create(H5T_NATIVE_INT32)},
      {"array of float32", array_of(copy(H5T_IEEE_F32LE), {3})},
      {"array of strings", array_of(fixed_string(7), {2, 2})},
      {"compound", compound()},
      {"array of compounds", array_of(compound(), {4})},
      {"variable-length sequence", sequence_of(copy(H5T_STD_I32LE))},
      {"sequence of compounds", sequence_of(compound())},
      {"opaque", opaque("a tag")},
      {"opaque with an 8-byte tag", opaque("12345678")},
  };
  for (const Case& c : cases) {
    INFO(c.name);
    const std::string bytes = encoded(c.type);
    std::size_t used = 0;
    CHECK(datatype_problem(bytes, &used) == std::nullopt);
    CHECK(used == bytes.size());
  }
}

TEST_CASE("the datatype check refuses malformed encodings by name", "[hdf5][hostile]") {
  // Bytes 1-3 of an encoding are the class bits (for enumerations and compounds, the
  // member count); bytes 4-7 the size; then the class's properties.
  auto set_size = [](std::string bytes, std::uint32_t size) {
    std::memcpy(bytes.data() + 4, &size, 4);
    return bytes;
  };
  const std::string float32 = encoded(copy(H5T_IEEE_F32LE));
  const std::string boolean = encoded(h5py_bool());
  const std::string array = encoded(array_of(copy(H5T_IEEE_F32LE), {3}));
  const std::string record = encoded(compound());

  CHECK(datatype_problem(float32.substr(0, 15)) == "it is cut short");
  CHECK(datatype_problem("") == "it is cut short");
  std::string version0 = float32;
  version0[0] = static_cast<char>(version0[0] & 0x0F);
  CHECK(datatype_problem(version0) == "version 0 is not a datatype version");
  std::string class11 = float32;
  class11[0] = static_cast<char>((class11[0] & 0xF0) | 11);
  CHECK(datatype_problem(class11) == "class 11 is not a datatype class");

  // Numbers: bit fields inside the value.
  CHECK(datatype_problem(set_size(float32, 2)) == "its bits do not fit in its size");
  std::string exponent = float32;
  exponent[12] = 30;  // the exponent at bit 30, 8 bits long, in 32 bits
  CHECK(datatype_problem(exponent) == "its sign, exponent or mantissa does not fit in its bits");

  // An enumeration whose size differs from its base type's: libhdf5 1.10.8 copies its
  // values by the enumeration's size, past the values it decoded.
  CHECK(datatype_problem(set_size(boolean, 4)) == "its size 4 differs from its base type's 1");
  // Names with no end (the NUL and padding of "TRUE" cut off).
  CHECK(datatype_problem(boolean.substr(0, boolean.size() - 2 - 5)) == "member 1's name has no end");
  CHECK(datatype_problem(boolean.substr(0, boolean.size() - 1)) == "its values run past its end");

  // Arrays: rank 1..32, and the size is the elements'.
  std::string rank33 = array;
  rank33[8] = 33;
  CHECK(datatype_problem(rank33) == "an array of 33 dimensions");
  CHECK(datatype_problem(set_size(array, 16)) == "its size 16 is not its 3 elements of 4 bytes");

  // Compounds: members inside the compound, names that end.
  CHECK(datatype_problem(set_size(record, 20)) == "member 1 does not fit in the compound's size");
  std::string no_members = record;
  no_members[1] = no_members[2] = 0;
  CHECK(datatype_problem(no_members) == "a compound without members");
  std::string unterminated = record.substr(0, 9);  // "x" without its NUL
  CHECK(datatype_problem(unterminated) == "member 0's name has no end");

  // A member's own problem is named through its parent.
  std::string nested = record;
  const std::size_t flag = nested.find("flag");
  REQUIRE(flag != std::string::npos);
  // "flag" and its padding (8 bytes), the offset (4), then the enumeration: its size field.
  const std::uint32_t wrong = 2;
  std::memcpy(nested.data() + flag + 12 + 4, &wrong, 4);
  CHECK(datatype_problem(nested) == "its member type: its size 2 differs from its base type's 1");

  // Nesting deeper than any real file.
  hid_t chain = copy(H5T_STD_I32LE);
  for (int i = 0; i < 20; ++i) chain = sequence_of(chain);
  const std::optional<std::string> too_deep = datatype_problem(encoded(chain));
  REQUIRE(too_deep);
  CHECK_THAT(*too_deep, Catch::EndsWith("its base type is nested too deeply"));
}
