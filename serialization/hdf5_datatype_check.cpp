// The datatype encoding check (hdf5_datatype_check.hpp), laid out as the HDF5 file format
// specification's datatype message: class and version, 24 class bits, a 4-byte size, then
// the class's properties, which for enumerations, compounds, variable-length sequences and
// arrays hold further datatypes.
#include "serialization/hdf5_datatype_check.hpp"

#include <fmt/format.h>

#include <cstdint>

#include "serialization/hdf5_bytes.hpp"

namespace strata::hdf5::detail {

namespace {

enum Class : unsigned {
  kFixedPoint = 0, kFloat = 1, kTime = 2, kString = 3, kBitfield = 4, kOpaque = 5,
  kCompound = 6, kReference = 7, kEnum = 8, kVariableLength = 9, kArray = 10,
};
constexpr unsigned kMaxDepth = 16;  // datatypes nested deeper than any real file
constexpr unsigned kMaxRank = 32;   // H5S_MAX_RANK: libhdf5 keeps array extents in a table this long

using Problem = std::optional<std::string>;

// A cursor over the encoding: every read is checked against the end.
struct Reader {
  std::string_view bytes;
  std::size_t at = 0;

  bool has(std::uint64_t n) const { return at <= bytes.size() && n <= bytes.size() - at; }
  bool skip(std::uint64_t n) {
    if (!has(n)) return false;
    at += n;
    return true;
  }
  std::uint64_t number(std::size_t width) {
    const std::uint64_t value = little_endian(bytes.data() + at, width);
    at += width;
    return value;
  }
  // A NUL-terminated name, padded to 8 bytes (versions 1 and 2) or not (version 3);
  // false when it has no NUL or its padding runs past the end.
  bool name(bool padded) {
    if (at > bytes.size()) return false;
    const std::size_t nul = bytes.find('\0', at);
    if (nul == std::string_view::npos) return false;
    const std::uint64_t length = nul - at + 1;
    const std::uint64_t taken = padded ? (length + 7) / 8 * 8 : length;
    if (!has(taken)) return false;
    at += taken;
    return true;
  }
};

// Bytes libhdf5 uses for a compound member's offset in version 3: enough for the size.
std::size_t offset_width(std::uint64_t size) {
  std::size_t width = 1;
  while (width < 8 && (size >> (8 * width)) != 0) ++width;
  return width;
}

// Reads one datatype at r.at; `size` receives its size field.
Problem read_datatype(Reader& r, unsigned depth, std::uint64_t& size);

// A datatype nested in another (a base type or a member), with its size.
Problem read_nested(Reader& r, unsigned depth, std::uint64_t& size, const char* what) {
  if (depth + 1 >= kMaxDepth) return fmt::format("its {} is nested too deeply", what);
  if (Problem p = read_datatype(r, depth + 1, size)) return fmt::format("its {}: {}", what, *p);
  return std::nullopt;
}

// Fixed-point, bitfield and floating-point numbers: bit fields must lie inside the value.
Problem check_bits(std::uint64_t size, std::uint64_t offset, std::uint64_t precision) {
  if (precision == 0 || offset + precision > 8 * size) return "its bits do not fit in its size";
  return std::nullopt;
}

Problem read_datatype(Reader& r, unsigned depth, std::uint64_t& size) {
  if (!r.has(8)) return "it is cut short";
  const auto head = static_cast<unsigned>(r.number(1));
  const unsigned cls = head & 0x0F, version = head >> 4;
  const std::uint64_t bits = r.number(3);
  size = r.number(4);
  if (version < 1 || version > 3) return fmt::format("version {} is not a datatype version", version);
  const bool padded = version < 3;
  const std::uint64_t members = bits & 0xFFFF;
  switch (cls) {
    case kFixedPoint:
    case kBitfield: {
      if (!r.has(4)) return "it is cut short";
      const std::uint64_t offset = r.number(2), precision = r.number(2);
      return check_bits(size, offset, precision);
    }
    case kFloat: {
      if (!r.has(12)) return "it is cut short";
      const std::uint64_t offset = r.number(2), precision = r.number(2);
      const std::uint64_t exponent_at = r.number(1), exponent_bits = r.number(1);
      const std::uint64_t mantissa_at = r.number(1), mantissa_bits = r.number(1);
      r.number(4);  // exponent bias
      if (Problem p = check_bits(size, offset, precision)) return p;
      const std::uint64_t sign_at = (bits >> 8) & 0xFF;
      if (exponent_bits == 0 || mantissa_bits == 0 || exponent_at + exponent_bits > precision ||
          mantissa_at + mantissa_bits > precision || sign_at >= precision)
        return "its sign, exponent or mantissa does not fit in its bits";
      return std::nullopt;
    }
    case kTime:
      if (!r.has(2)) return "it is cut short";
      r.number(2);
      return std::nullopt;
    case kString:
    case kReference:
      if (size == 0) return "its size is 0";
      return std::nullopt;
    case kOpaque: {
      if (!r.skip(bits & 0xFF)) return "its tag runs past its end";
      return std::nullopt;
    }
    case kCompound: {
      if (members == 0) return "a compound without members";
      for (std::uint64_t m = 0; m < members; ++m) {
        if (!r.name(padded)) return fmt::format("member {}'s name has no end", m);
        const std::size_t width = version == 3 ? offset_width(size) : 4;
        if (!r.has(width)) return "it is cut short";
        const std::uint64_t offset = r.number(width);
        std::uint64_t count = 1;
        if (version == 1) {  // dimensionality, reserved, permutation, reserved, four extents
          if (!r.has(28)) return "it is cut short";
          const std::uint64_t rank = r.number(1);
          r.skip(11);
          if (rank > 4) return fmt::format("member {} has {} dimensions (at most 4)", m, rank);
          for (std::uint64_t d = 0; d < 4; ++d) {
            const std::uint64_t extent = r.number(4);
            if (d < rank) count *= extent;
          }
        }
        std::uint64_t member_size = 0;
        if (Problem p = read_nested(r, depth, member_size, "member type")) return p;
        if (member_size > size || count > size || offset > size - member_size * count)
          return fmt::format("member {} does not fit in the compound's size", m);
      }
      return std::nullopt;
    }
    case kEnum: {
      std::uint64_t base = 0;
      if (Problem p = read_nested(r, depth, base, "base type")) return p;
      if (base != size) return fmt::format("its size {} differs from its base type's {}", size, base);
      for (std::uint64_t m = 0; m < members; ++m)
        if (!r.name(padded)) return fmt::format("member {}'s name has no end", m);
      if (base != 0 && members > (r.bytes.size() - r.at) / base) return "its values run past its end";
      r.skip(members * base);
      return std::nullopt;
    }
    case kVariableLength: {
      std::uint64_t base = 0;
      return read_nested(r, depth, base, "base type");
    }
    case kArray: {
      if (!r.has(1)) return "it is cut short";
      const std::uint64_t rank = r.number(1);
      if (rank == 0 || rank > kMaxRank) return fmt::format("an array of {} dimensions", rank);
      if (!r.skip(padded ? 3 : 0) || !r.has(rank * (padded ? 8 : 4))) return "it is cut short";
      std::uint64_t count = 1;
      for (std::uint64_t d = 0; d < rank; ++d) {
        const std::uint64_t extent = r.number(4);
        if (extent != 0 && count > size / extent + 1) return "its extents are larger than its size";
        count *= extent;
      }
      if (padded) r.at += rank * 4;  // permutation indices
      std::uint64_t base = 0;
      if (Problem p = read_nested(r, depth, base, "base type")) return p;
      if (base == 0 || count == 0 || count > size / base || count * base != size)
        return fmt::format("its size {} is not its {} elements of {} bytes", size, count, base);
      return std::nullopt;
    }
    default:
      return fmt::format("class {} is not a datatype class", cls);
  }
}

}  // namespace

std::optional<std::string> datatype_problem(std::string_view encoded, std::size_t* used) {
  Reader r{encoded};
  std::uint64_t size = 0;
  if (Problem p = read_datatype(r, 0, size)) return p;
  if (used) *used = r.at;
  return std::nullopt;
}

}  // namespace strata::hdf5::detail
