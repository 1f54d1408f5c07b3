// IDX files (the MNIST family's format), gzipped or raw: a big-endian header (magic, then
// one 32-bit extent per dimension) and the values. strata reads unsigned bytes into float32.
#include <fmt/format.h>
#include <zlib.h>

#include <cerrno>
#include <climits>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "strata/datasets.hpp"
#include "strata/error.hpp"

namespace strata::datasets {
namespace {

constexpr std::uint32_t kUnsignedByte = 0x08;
// numpy's limit (NPY_MAXDIMS): every IDX reader ends in a numpy array.
constexpr std::size_t kMaxDims = 32;
// Deflate cannot expand data more than 1032-fold (a 258-byte match costs at least 2 bits),
// so a gzip file of n bytes decompresses to at most this many times n.
constexpr std::uint64_t kMaxDeflateRatio = 1032;
// Large blocks: a few big reads and one tight conversion loop per block.
constexpr std::size_t kBlockSize = std::size_t{1} << 20;

[[noreturn]] void fail(const std::string& path, std::string_view what) {
  throw IOError(fmt::format("{}: {}", path, what));
}

struct GzCloser {
  void operator()(gzFile_s* file) const { gzclose(file); }
};

// zlib's gz* API reads gzip and (transparently) raw files alike; this wrapper turns its
// failures into IOErrors that say whether the stream was cut short or corrupt.
class ByteReader {
 public:
  explicit ByteReader(const std::string& path) : path_(path) {
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec)) {
      throw IOError(fmt::format("cannot open '{}': {}", path, std::generic_category().message(EISDIR)));
    }
    errno = 0;
    file_.reset(gzopen(path.c_str(), "rb"));
    if (!file_) {
      const int error = errno ? errno : ENOMEM;
      throw IOError(fmt::format("cannot open '{}': {}", path, std::generic_category().message(error)));
    }
    gzbuffer(file_.get(), 1u << 18);
    file_size_ = std::filesystem::file_size(path, ec);
    if (ec) throw IOError(fmt::format("cannot read '{}': {}", path, ec.message()));
  }

  // Reads up to `size` bytes; fewer only at the end of the data.
  std::size_t read(void* buffer, std::size_t size) {
    auto* out = static_cast<unsigned char*>(buffer);
    std::size_t done = 0;
    while (done < size) {
      const auto chunk = static_cast<unsigned>(std::min<std::size_t>(size - done, INT_MAX / 2));
      const int got = gzread(file_.get(), out + done, chunk);
      if (got < 0) fail_stream();
      done += static_cast<std::size_t>(got);
      if (got == 0) break;
    }
    if (done < size) check_clean_end();
    return done;
  }

  // Counts (and drops) what is left.
  std::uint64_t skip_rest() {
    std::vector<unsigned char> sink(kBlockSize);
    std::uint64_t rest = 0;
    while (const std::size_t got = read(sink.data(), sink.size())) rest += got;
    return rest;
  }

  bool gzipped() { return gzdirect(file_.get()) == 0; }
  std::uint64_t file_size() const { return file_size_; }

 private:
  // gzread reports a gzip stream cut short as a short read plus Z_BUF_ERROR.
  void check_clean_end() {
    int code = Z_OK;
    gzerror(file_.get(), &code);
    if (code == Z_BUF_ERROR) fail(path_, "truncated gzip stream: " + zlib_message());
    if (code != Z_OK) fail_stream();
  }

  [[noreturn]] void fail_stream() {
    int code = Z_OK;
    gzerror(file_.get(), &code);
    if (code == Z_ERRNO) throw IOError(fmt::format("cannot read '{}': {}", path_, std::generic_category().message(errno)));
    fail(path_, "corrupt gzip stream: " + zlib_message());
  }

  // zlib prefixes its messages with the path; we already say which file.
  std::string zlib_message() {
    int code = Z_OK;
    std::string message = gzerror(file_.get(), &code);
    const std::string prefix = path_ + ": ";
    if (message.starts_with(prefix)) message.erase(0, prefix.size());
    return message;
  }

  std::string path_;
  std::unique_ptr<gzFile_s, GzCloser> file_;
  std::uint64_t file_size_ = 0;
};

std::uint32_t load_be32(const unsigned char* p) {
  return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) | std::uint32_t{p[3]};
}

std::string dims_text(const Shape& shape) {
  return fmt::format("{}", fmt::join(shape, " x "));
}

// "60000 x 28 x 28 = 47040000 bytes", or "60000 bytes" for one dimension.
std::string data_size_text(const Shape& shape, std::uint64_t bytes) {
  if (shape.size() == 1) return fmt::format("{} bytes", bytes);
  return fmt::format("{} = {} bytes", dims_text(shape), bytes);
}

Shape read_header(ByteReader& reader, const std::string& path) {
  unsigned char magic_bytes[4];
  const std::size_t got = reader.read(magic_bytes, 4);
  if (got == 0) fail(path, "not an IDX file: it is empty");
  if (got < 4) fail(path, fmt::format("truncated IDX header: the file ends after {} of the 4 bytes of the magic number", got));
  const std::uint32_t magic = load_be32(magic_bytes);
  const std::uint32_t rank = magic & 0xFF;
  const std::uint32_t expected = (kUnsignedByte << 8) | rank;
  if (magic != expected) {
    fail(path, fmt::format("bad magic number 0x{:08X} (expected 0x{:08X} for unsigned bytes)", magic, expected));
  }
  if (rank == 0) fail(path, fmt::format("the IDX header (magic 0x{:08X}) gives 0 dimensions; expected at least 1", magic));
  if (rank > kMaxDims) {
    fail(path, fmt::format("the IDX header (magic 0x{:08X}) gives {} dimensions; at most {} are supported", magic, rank,
                           kMaxDims));
  }
  std::vector<unsigned char> extents(4 * rank);
  const std::size_t header_size = 4 + extents.size();
  const std::size_t got_extents = reader.read(extents.data(), extents.size());
  if (got_extents < extents.size()) {
    fail(path, fmt::format("truncated IDX header: the file ends after {} bytes, but a header with {} dimensions takes {}",
                           4 + got_extents, rank, header_size));
  }
  Shape shape(rank);
  for (std::size_t i = 0; i < rank; ++i) shape[i] = load_be32(&extents[4 * i]);
  return shape;
}

}  // namespace

Tensor read_idx(const std::string& path) {
  ByteReader reader(path);
  const Shape shape = read_header(reader, path);
  const std::uint64_t header_size = 4 + 4 * shape.size();

  std::uint64_t count = 1;
  for (std::size_t extent : shape) {
    if (__builtin_mul_overflow(count, std::uint64_t{extent}, &count) || count > (SIZE_MAX / sizeof(float))) {
      fail(path, fmt::format("header says {} bytes of data, which is too large for memory", dims_text(shape)));
    }
  }

  // Check the size before allocating: a corrupt header must not ask for gigabytes.
  const bool gzipped = reader.gzipped();
  const char* holder = gzipped ? "the decompressed file holds" : "the file holds";
  if (!gzipped) {
    const std::uint64_t available = reader.file_size() - header_size;
    if (available != count) {
      fail(path, fmt::format("header says {} of data but {} {}", data_size_text(shape, count), holder, available));
    }
  } else if (header_size + count > reader.file_size() * kMaxDeflateRatio) {
    fail(path, fmt::format("header says {} of data but a gzip file of {} bytes holds at most {}",
                           data_size_text(shape, count), reader.file_size(),
                           reader.file_size() * kMaxDeflateRatio - header_size));
  }

  Tensor out = Tensor::empty(shape);
  std::vector<unsigned char> block(static_cast<std::size_t>(std::min<std::uint64_t>(count, kBlockSize)));
  float* dst = out.data();
  std::uint64_t done = 0;
  while (done < count) {
    const auto want = static_cast<std::size_t>(std::min<std::uint64_t>(count - done, block.size()));
    const std::size_t got = reader.read(block.data(), want);
    const unsigned char* src = block.data();
    for (std::size_t i = 0; i < got; ++i) dst[i] = static_cast<float>(src[i]);
    dst += got;
    done += got;
    if (got < want) {
      fail(path, fmt::format("header says {} of data but {} {}", data_size_text(shape, count), holder, done));
    }
  }
  if (const std::uint64_t extra = reader.skip_rest()) {
    fail(path, fmt::format("header says {} of data but {} {} ({} bytes of trailing data)", data_size_text(shape, count),
                           holder, count + extra, extra));
  }
  return out;
}

}  // namespace strata::datasets
