// numpy's .npy format (numpy.lib.format): a reader for the dtypes weights and data sets
// come in, converted to float32, and a float32 writer whose bytes are numpy's own.
#include "strata/npy.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <initializer_list>
#include <limits>
#include <memory>
#include <string_view>
#include <system_error>
#include <type_traits>
#include <utility>
#include <vector>

#include "serialization/atomic_file.hpp"
#include "strata/error.hpp"

namespace strata {
namespace {

constexpr std::string_view kMagic{"\x93NUMPY", 6};
// numpy aligns the data to 64 bytes (ARRAY_ALIGN) so that it can be memory-mapped.
constexpr std::size_t kAlign = 64;
// numpy >= 1.23 pads the header with room for the growing axis to reach 21 digits
// (GROWTH_AXIS_MAX_DIGITS), so that it can be rewritten in place when data is appended.
constexpr std::size_t kGrowthAxisMaxDigits = 21;
// How much of a header's text a "malformed header" message quotes.
constexpr std::size_t kQuotedTextMax = 40;

[[noreturn]] void fail(std::string_view source, std::string_view what) {
  throw IOError(fmt::format("{}: {}", source, what));
}

std::string errno_message(int error) { return std::generic_category().message(error); }

template <class U>
U load_le(const unsigned char* p) {
  U value = 0;
  for (std::size_t i = 0; i < sizeof(U); ++i) value |= static_cast<U>(static_cast<U>(p[i]) << (8 * i));
  return value;
}

template <class U>
void store_le(unsigned char* p, U value) {
  for (std::size_t i = 0; i < sizeof(U); ++i) p[i] = static_cast<unsigned char>(value >> (8 * i));
}

// ---- the header dict ---------------------------------------------------------------------

struct Header {
  std::string descr;
  bool fortran_order = false;
  Shape shape;
};

// A Python dict literal such as {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }:
// keys in any order, single or double quotes, any spacing, optional trailing commas, and the
// Python 2 long suffix (3L) that numpy itself still filters out of old headers. Like numpy,
// it wants exactly the three keys; a key given twice is refused as a broken writer's mark.
class HeaderParser {
 public:
  HeaderParser(std::string_view text, std::string_view source) : text_(text), source_(source) {}

  Header parse() {
    Header header;
    bool seen_descr = false, seen_fortran = false, seen_shape = false;
    skip_space();
    if (!consume('{')) fail_malformed(fmt::format("expected a dict starting with '{{', got {}", quote(pos_)));
    skip_space();
    while (!consume('}')) {
      const std::size_t key_at = pos_;
      if (at_end() || (peek() != '\'' && peek() != '"'))
        fail_malformed(fmt::format("expected a quoted key or '}}', got {}", quote(key_at)));
      const std::string key = parse_string();
      skip_space();
      if (!consume(':')) fail_malformed(fmt::format("expected ':' after key '{}'", key));
      skip_space();
      if (key == "descr") {
        mark_seen(seen_descr, key);
        header.descr = parse_descr();
      } else if (key == "fortran_order") {
        mark_seen(seen_fortran, key);
        header.fortran_order = parse_bool(key);
      } else if (key == "shape") {
        mark_seen(seen_shape, key);
        header.shape = parse_shape();
      } else {
        fail_malformed(fmt::format("unexpected key '{}' (a .npy header has the keys 'descr', "
                                   "'fortran_order' and 'shape')",
                                   key));
      }
      skip_space();
      if (consume(',')) {
        skip_space();
      } else if (at_end() || peek() != '}') {
        fail_malformed(fmt::format("expected ',' or '}}' after the value of key '{}', got {}", key, quote(pos_)));
      }
    }
    skip_space();
    if (!at_end()) fail_malformed(fmt::format("unexpected text after the closing '}}': {}", quote(pos_)));
    if (!seen_descr) fail_malformed("missing key 'descr'");
    if (!seen_fortran) fail_malformed("missing key 'fortran_order'");
    if (!seen_shape) fail_malformed("missing key 'shape'");
    return header;
  }

 private:
  [[noreturn]] void fail_malformed(std::string_view what) const {
    fail(source_, fmt::format("malformed .npy header: {}", what));
  }

  void mark_seen(bool& seen, const std::string& key) const {
    if (seen) fail_malformed(fmt::format("duplicate key '{}'", key));
    seen = true;
  }

  bool at_end() const { return pos_ >= text_.size(); }
  char peek() const { return text_[pos_]; }
  bool consume(char c) {
    if (at_end() || peek() != c) return false;
    ++pos_;
    return true;
  }
  void skip_space() {
    while (!at_end() && is_space(peek())) ++pos_;
  }
  static bool is_space(char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }
  static bool is_digit(char c) { return c >= '0' && c <= '9'; }
  static bool is_word(char c) { return is_digit(c) || c == '_' || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z'); }

  // The value starting at `from`, up to the next ',' or '}' outside brackets and quotes,
  // for messages: "got [2, 3]".
  std::string quote(std::size_t from) const {
    if (from >= text_.size()) return "the end of the header";
    std::size_t end = from;
    int depth = 0;
    char in_quote = 0;
    for (; end < text_.size(); ++end) {
      const char c = text_[end];
      if (in_quote) {
        if (c == in_quote) in_quote = 0;
      } else if (c == '\'' || c == '"') {
        in_quote = c;
      } else if (c == '(' || c == '[' || c == '{') {
        ++depth;
      } else if (c == ')' || c == ']' || (c == '}' && depth > 0)) {
        --depth;
      } else if ((c == ',' || c == '}') && depth <= 0) {
        break;
      }
    }
    while (end > from && is_space(text_[end - 1])) --end;
    if (end == from) end = from + 1;  // the delimiter itself is what is wrong
    std::string_view value = text_.substr(from, end - from);
    if (value.size() > kQuotedTextMax) return fmt::format("{}...", value.substr(0, kQuotedTextMax));
    return std::string(value);
  }

  // 'text' or "text", with an optional u prefix (Python 2 unicode literals). No escapes:
  // nothing a .npy header holds needs them, and a stray backslash just fails dtype lookup.
  std::string parse_string() {
    if (!at_end() && (peek() == 'u' || peek() == 'U')) ++pos_;
    const char quote_char = peek();
    const std::size_t close = text_.find(quote_char, pos_ + 1);
    if (close == std::string_view::npos) fail_malformed(fmt::format("unterminated string {}", text_.substr(pos_)));
    std::string value(text_.substr(pos_ + 1, close - pos_ - 1));
    pos_ = close + 1;
    return value;
  }

  std::string parse_descr() {
    const std::size_t value_at = pos_;
    if (!at_end() && peek() == '[')
      fail(source_, fmt::format("unsupported dtype {}: structured dtypes are not supported", quote(value_at)));
    const bool prefixed = !at_end() && (peek() == 'u' || peek() == 'U') && pos_ + 1 < text_.size() &&
                          (text_[pos_ + 1] == '\'' || text_[pos_ + 1] == '"');
    if (at_end() || !(prefixed || peek() == '\'' || peek() == '"'))
      fail_malformed(fmt::format("key 'descr' must be a dtype string such as '<f4', got {}", quote(value_at)));
    return parse_string();
  }

  bool parse_bool(const std::string& key) {
    const std::size_t value_at = pos_;
    for (const auto& [word, value] : {std::pair<std::string_view, bool>{"True", true}, {"False", false}}) {
      if (text_.substr(pos_, word.size()) == word &&
          (pos_ + word.size() == text_.size() || !is_word(text_[pos_ + word.size()]))) {
        pos_ += word.size();
        return value;
      }
    }
    fail_malformed(fmt::format("key '{}' must be True or False, got {}", key, quote(value_at)));
  }

  // A tuple of non-negative ints: (), (5,), (2, 3) or (2, 3,). `(5)` is an int in Python,
  // not a tuple, and numpy refuses it too.
  Shape parse_shape() {
    const std::size_t value_at = pos_;
    const auto bad = [&] {
      fail_malformed(fmt::format("key 'shape' must be a tuple of non-negative integers such as (2, 3), got {}",
                                 quote(value_at)));
    };
    if (!consume('(')) bad();
    Shape shape;
    bool trailing_comma = false;
    skip_space();
    while (!consume(')')) {
      if (at_end() || !is_digit(peek())) bad();
      const std::size_t digits_at = pos_;
      std::uint64_t dim = 0;
      bool overflow = false;
      while (!at_end() && is_digit(peek())) {
        const unsigned digit = static_cast<unsigned>(peek() - '0');
        if (dim > (std::numeric_limits<std::uint64_t>::max() - digit) / 10) overflow = true;
        dim = dim * 10 + digit;
        ++pos_;
      }
      if (overflow || dim > std::numeric_limits<std::size_t>::max())
        fail(source_, fmt::format("header shape has the dimension {}, which does not fit in {} bits",
                                  text_.substr(digits_at, pos_ - digits_at), std::numeric_limits<std::size_t>::digits));
      if (!at_end() && (peek() == 'L' || peek() == 'l')) ++pos_;
      shape.push_back(static_cast<std::size_t>(dim));
      skip_space();
      trailing_comma = consume(',');
      skip_space();
      if (!trailing_comma && (at_end() || peek() != ')')) bad();
    }
    if (shape.size() == 1 && !trailing_comma) bad();
    return shape;
  }

  std::string_view text_;
  std::string_view source_;
  std::size_t pos_ = 0;
};

// ---- dtypes ------------------------------------------------------------------------------

enum class Kind { kFloat, kSigned, kUnsigned, kBool };

struct Dtype {
  Kind kind;
  std::size_t itemsize;
};

Dtype parse_dtype(const std::string& descr, std::string_view source) {
  const auto unsupported = [&] {
    fail(source, fmt::format("unsupported dtype '{}' (strata reads float32, float64, int8 to int64, "
                             "uint8 to uint64 and bool)",
                             descr));
  };
  std::string_view code = descr;
  char order = '=';  // numpy's dtype() also takes a bare 'f4', meaning native order
  if (!code.empty() && std::string_view("<>|=!").find(code.front()) != std::string_view::npos) {
    order = code.front();
    code.remove_prefix(1);
  }
  if (code.size() != 2) unsupported();
  Dtype dtype{Kind::kFloat, static_cast<std::size_t>(code[1] - '0')};
  switch (code[0]) {
    case 'f': dtype.kind = Kind::kFloat; break;
    case 'i': dtype.kind = Kind::kSigned; break;
    case 'u': dtype.kind = Kind::kUnsigned; break;
    case 'b': dtype.kind = Kind::kBool; break;
    default: unsupported();
  }
  const bool size_ok = dtype.kind == Kind::kFloat  ? (dtype.itemsize == 4 || dtype.itemsize == 8)
                       : dtype.kind == Kind::kBool ? dtype.itemsize == 1
                                                   : (dtype.itemsize == 1 || dtype.itemsize == 2 ||
                                                      dtype.itemsize == 4 || dtype.itemsize == 8);
  if (!size_ok) unsupported();
  // Byte order does not matter for one-byte items ('>u1' and '|u1' are the same data).
  const bool big = order == '>' || order == '!' || (order == '=' && std::endian::native == std::endian::big);
  if (big && dtype.itemsize > 1)
    fail(source, fmt::format("dtype '{}' is big-endian, which is unsupported; save the array as little-endian "
                             "(arr.astype(arr.dtype.newbyteorder('<')))",
                             descr));
  return dtype;
}

template <std::size_t N>
using UnsignedOfSize = std::conditional_t<
    N == 1, std::uint8_t,
    std::conditional_t<N == 2, std::uint16_t, std::conditional_t<N == 4, std::uint32_t, std::uint64_t>>>;

// `count` little-endian items of type T, possibly unaligned, converted to float.
template <class T>
void convert(const unsigned char* in, float* out, std::size_t count) {
  for (std::size_t i = 0; i < count; ++i, in += sizeof(T))
    out[i] = static_cast<float>(std::bit_cast<T>(load_le<UnsignedOfSize<sizeof(T)>>(in)));
}

void convert(const unsigned char* in, Dtype dtype, float* out, std::size_t count) {
  switch (dtype.kind) {
    case Kind::kFloat:
      return dtype.itemsize == 4 ? convert<float>(in, out, count) : convert<double>(in, out, count);
    case Kind::kBool:  // numpy reads any non-zero byte as True
      for (std::size_t i = 0; i < count; ++i) out[i] = in[i] ? 1.0f : 0.0f;
      return;
    case Kind::kSigned:
      switch (dtype.itemsize) {
        case 1: return convert<std::int8_t>(in, out, count);
        case 2: return convert<std::int16_t>(in, out, count);
        case 4: return convert<std::int32_t>(in, out, count);
        default: return convert<std::int64_t>(in, out, count);
      }
    case Kind::kUnsigned:
      switch (dtype.itemsize) {
        case 1: return convert<std::uint8_t>(in, out, count);
        case 2: return convert<std::uint16_t>(in, out, count);
        case 4: return convert<std::uint32_t>(in, out, count);
        default: return convert<std::uint64_t>(in, out, count);
      }
  }
}

// Fortran order stores axis 0 fastest; walk the file's elements in that order and place each
// at its row-major offset.
Tensor fortran_to_c(const float* in, const Shape& shape) {
  Tensor out = Tensor::empty(shape);
  const std::vector<std::size_t> strides = row_major_strides(shape);
  std::vector<std::size_t> index(shape.size(), 0);
  std::size_t offset = 0;
  for (std::size_t k = 0; k < out.size(); ++k) {
    out[offset] = in[k];
    for (std::size_t axis = 0; axis < shape.size(); ++axis) {
      if (++index[axis] < shape[axis]) {
        offset += strides[axis];
        break;
      }
      offset -= (shape[axis] - 1) * strides[axis];
      index[axis] = 0;
    }
  }
  return out;
}

// ---- writing -----------------------------------------------------------------------------

// The magic, version, header length and padded header dict, exactly as numpy's
// _write_array_header lays them out: version 1.0 when the length fits its 2-byte field,
// else 2.0; the data then starts at a multiple of 64 bytes.
std::string format_header(const Shape& shape) {
  std::string dict = fmt::format("{{'descr': '<f4', 'fortran_order': False, 'shape': {}, }}", shape_to_string(shape));
  if (!shape.empty()) {
    const std::size_t digits = fmt::formatted_size("{}", shape[0]);
    if (digits < kGrowthAxisMaxDigits) dict.append(kGrowthAxisMaxDigits - digits, ' ');
  }
  const std::size_t dict_size = dict.size() + 1;  // with the closing '\n'
  std::size_t length_bytes = 2;
  // Like numpy, a whole block of padding when the header is already aligned.
  std::size_t pad = kAlign - (kMagic.size() + 2 + length_bytes + dict_size) % kAlign;
  if (dict_size + pad > std::numeric_limits<std::uint16_t>::max()) {
    length_bytes = 4;
    pad = kAlign - (kMagic.size() + 2 + length_bytes + dict_size) % kAlign;
  }
  const std::size_t header_size = dict_size + pad;

  std::string out(kMagic);
  out += static_cast<char>(length_bytes == 2 ? 1 : 2);
  out += '\0';
  unsigned char length[4];
  if (length_bytes == 2)
    store_le(length, static_cast<std::uint16_t>(header_size));
  else
    store_le(length, static_cast<std::uint32_t>(header_size));
  out.append(reinterpret_cast<const char*>(length), length_bytes);
  out += dict;
  out.append(pad, ' ');
  out += '\n';
  return out;
}

void append_data(std::string& out, const Tensor& tensor) {
  const std::size_t start = out.size();
  out.resize(start + tensor.size() * sizeof(float));
  auto* p = reinterpret_cast<unsigned char*>(out.data() + start);
  for (float value : tensor) {
    store_le(p, std::bit_cast<std::uint32_t>(value));
    p += sizeof(float);
  }
}

std::string read_file(const std::string& path) {
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (!file) throw IOError(fmt::format("cannot open '{}': {}", path, errno_message(errno)));
  const std::unique_ptr<std::FILE, int (*)(std::FILE*)> closer(file, &std::fclose);
  std::string bytes;
  std::error_code ignored;
  const auto size = std::filesystem::file_size(path, ignored);
  if (!ignored) bytes.reserve(size);
  std::vector<char> buffer(1 << 20);
  std::size_t n;
  while ((n = std::fread(buffer.data(), 1, buffer.size(), file)) > 0) bytes.append(buffer.data(), n);
  if (std::ferror(file)) throw IOError(fmt::format("cannot read '{}': {}", path, errno_message(errno)));
  return bytes;
}

}  // namespace

Tensor parse_npy(const std::string& bytes, const std::string& source_name) {
  const std::string_view in(bytes);
  const auto* raw = reinterpret_cast<const unsigned char*>(bytes.data());
  if (in.empty()) fail(source_name, "not a .npy file: it is empty");
  if (in.substr(0, kMagic.size()) != kMagic.substr(0, std::min(in.size(), kMagic.size())))
    fail(source_name, "not a .npy file: it does not start with the magic string \\x93NUMPY");
  if (in.size() < kMagic.size() + 2)
    fail(source_name, fmt::format("truncated .npy file: it ends after {} bytes, inside the magic string and version",
                                  in.size()));
  const unsigned major = raw[6], minor = raw[7];
  if (minor != 0 || major < 1 || major > 3)
    fail(source_name,
         fmt::format("unsupported .npy format version {}.{} (strata reads 1.0, 2.0 and 3.0)", major, minor));

  // Version 1.0 has a 2-byte header length, 2.0 and 3.0 (utf8 header) a 4-byte one.
  const std::size_t preamble = kMagic.size() + 2 + (major == 1 ? 2 : 4);
  if (in.size() < preamble)
    fail(source_name,
         fmt::format("truncated .npy file: it ends after {} bytes, inside the {}-byte preamble", in.size(), preamble));
  const std::size_t header_size = major == 1 ? load_le<std::uint16_t>(raw + 8) : load_le<std::uint32_t>(raw + 8);
  if (in.size() - preamble < header_size)
    fail(source_name, fmt::format("truncated .npy header: its length field says {} bytes but only {} follow",
                                  header_size, in.size() - preamble));
  const Header header = HeaderParser(in.substr(preamble, header_size), source_name).parse();
  const Dtype dtype = parse_dtype(header.descr, source_name);

  // Refuse shapes whose byte count overflows before anything is allocated. A 0 anywhere
  // makes the product 0, however big the other dimensions are.
  std::size_t count = 0, data_size = 0;
  if (std::find(header.shape.begin(), header.shape.end(), std::size_t{0}) == header.shape.end()) {
    count = 1;
    bool overflow = false;
    for (std::size_t dim : header.shape) overflow |= __builtin_mul_overflow(count, dim, &count);
    overflow |= __builtin_mul_overflow(count, dtype.itemsize, &data_size);
    if (overflow)
      fail(source_name, fmt::format("header says shape {} of {}, which is too large: its size in bytes does not "
                                    "fit in {} bits",
                                    shape_to_string(header.shape), header.descr,
                                    std::numeric_limits<std::size_t>::digits));
  }

  const std::size_t available = in.size() - preamble - header_size;
  if (available < data_size)
    fail(source_name, fmt::format("header says shape {} of {} = {} bytes but only {} bytes follow",
                                  shape_to_string(header.shape), header.descr, data_size, available));
  // Bytes after the data are accepted and ignored: numpy.load does the same (read_array
  // reads exactly `count` items), and refusing files numpy reads would only surprise.
  const unsigned char* data = raw + preamble + header_size;
  if (!header.fortran_order || header.shape.size() < 2) {
    Tensor out = Tensor::empty(header.shape);
    convert(data, dtype, out.data(), count);
    return out;
  }
  std::vector<float> values(count);
  convert(data, dtype, values.data(), count);
  return fortran_to_c(values.data(), header.shape);
}

std::string format_npy(const Tensor& tensor) {
  std::string out = format_header(tensor.shape());
  append_data(out, tensor);
  return out;
}

Tensor load_npy(const std::string& path) { return parse_npy(read_file(path), path); }

void save_npy(const std::string& path, const Tensor& tensor) {
  const std::string header = format_header(tensor.shape());
  if constexpr (std::endian::native == std::endian::little) {
    // The tensor's bytes already are '<f4': write them without a copy.
    serialization::write_file_atomically(path, {header, std::string_view(reinterpret_cast<const char*>(tensor.data()),
                                                     tensor.size() * sizeof(float))});
  } else {
    std::string data;
    append_data(data, tensor);
    serialization::write_file_atomically(path, {header, data});
  }
}

}  // namespace strata
