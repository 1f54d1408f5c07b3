// read_idx: raw and gzipped IDX files built here from the format's description (magic
// 0x000008NN for NN dimensions of unsigned bytes, big-endian extents, the bytes), gzipped
// by hand per RFC 1951/1952, good and malformed, each error compared word for word.
#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <string>

#include "serialization/idx_fixtures.hpp"
#include "strata/datasets.hpp"
#include "strata/error.hpp"
#include "strata/tensor.hpp"

using idx_fixtures::counting_bytes;
using idx_fixtures::gzip;
using idx_fixtures::idx_bytes;
using idx_fixtures::TempDir;
using strata::Shape;
using strata::Tensor;
using strata::datasets::read_idx;

namespace {

std::string error_of(const std::string& path) {
  try {
    read_idx(path);
  } catch (const strata::IOError& e) {
    return e.what();
  }
  return "(no IOError)";
}

// 2 images of 3 x 2 pixels: 0, 1, ..., 10, 255.
std::string two_images() {
  std::string data = counting_bytes(11);
  data += '\xFF';
  return idx_bytes(0x00000803, {2, 3, 2}, data);
}

void check_two_images(const Tensor& t) {
  REQUIRE(t.shape() == Shape{2, 3, 2});
  for (std::size_t i = 0; i < 11; ++i) CHECK(t[i] == static_cast<float>(i));
  CHECK(t[11] == 255.0f);
  CHECK(t.at({1, 0, 0}) == 6.0f);
}

}  // namespace

TEST_CASE("the tests' gzip writer computes gzip's CRC-32 check value", "[idx]") {
  // The standard check value of CRC-32/ISO-HDLC (the one gzip uses) for "123456789".
  CHECK(idx_fixtures::crc32("123456789") == 0xCBF43926u);
}

TEST_CASE("read_idx reads a raw IDX file of unsigned bytes with the header's shape", "[idx]") {
  TempDir dir;
  check_two_images(read_idx(dir.file("images-idx3-ubyte", two_images())));
}

TEST_CASE("read_idx reads a gzipped IDX file like the raw one", "[idx]") {
  TempDir dir;
  check_two_images(read_idx(dir.file("images-idx3-ubyte.gz", gzip(two_images()))));
}

TEST_CASE("read_idx reads a vector of labels (magic 0x00000801)", "[idx]") {
  TempDir dir;
  const Tensor t = read_idx(dir.file("labels.gz", gzip(idx_bytes(0x00000801, {5}, std::string("\x09\x00\x00\x03\x07", 5)))));
  CHECK(t == Tensor({5}, std::vector<float>{9, 0, 0, 3, 7}));
}

TEST_CASE("read_idx tells gzip from raw by the content, not the file name", "[idx]") {
  TempDir dir;
  check_two_images(read_idx(dir.file("raw-named.gz", two_images())));
  check_two_images(read_idx(dir.file("gzipped-named.idx", gzip(two_images()))));
}

TEST_CASE("read_idx reads data larger than its read block exactly", "[idx]") {
  TempDir dir;
  // Just over 3 MiB: several 1 MiB blocks and a partial one.
  const std::size_t rows = 449441, n = rows * 7;
  const std::string raw = idx_bytes(0x00000802, {static_cast<std::uint32_t>(rows), 7}, counting_bytes(n, 5));
  for (const std::string& path : {dir.file("big", raw), dir.file("big.gz", gzip(raw))}) {
    const Tensor t = read_idx(path);
    REQUIRE(t.shape() == Shape{rows, 7});
    bool all_match = true;
    for (std::size_t i = 0; i < n; ++i) all_match = all_match && t[i] == static_cast<float>((5 + i) % 256);
    CHECK(all_match);
  }
}

TEST_CASE("read_idx reads a header with a zero extent as an empty tensor", "[idx]") {
  TempDir dir;
  const Tensor t = read_idx(dir.file("empty-set.gz", gzip(idx_bytes(0x00000803, {0, 28, 28}, ""))));
  CHECK(t.shape() == Shape{0, 28, 28});
  CHECK(t.size() == 0);
}

TEST_CASE("read_idx rejects a bad magic number, naming the expected one", "[idx]") {
  TempDir dir;
  // 0x09 is IDX's signed-byte type; strata reads unsigned bytes only.
  const std::string signed_bytes = dir.file("train-images-idx3-ubyte.gz", gzip(idx_bytes(0x00000903, {1, 1, 1}, "x")));
  CHECK(error_of(signed_bytes) ==
        signed_bytes + ": bad magic number 0x00000903 (expected 0x00000803 for unsigned bytes)");
  const std::string text = dir.file("notes.txt", "hello, world");
  CHECK(error_of(text) == text + ": bad magic number 0x68656C6C (expected 0x0000086C for unsigned bytes)");
}

TEST_CASE("read_idx rejects a header with no dimension or too many", "[idx]") {
  TempDir dir;
  const std::string none = dir.file("none", idx_bytes(0x00000800, {}, "x"));
  CHECK(error_of(none) == none + ": the IDX header (magic 0x00000800) gives 0 dimensions; expected at least 1");
  const std::string many = dir.file("many", idx_bytes(0x00000821, std::vector<std::uint32_t>(33, 1), "x"));
  CHECK(error_of(many) == many + ": the IDX header (magic 0x00000821) gives 33 dimensions; at most 32 are supported");
}

TEST_CASE("read_idx rejects an empty file and a truncated header", "[idx]") {
  TempDir dir;
  const std::string empty = dir.file("empty", "");
  CHECK(error_of(empty) == empty + ": not an IDX file: it is empty");
  const std::string empty_gz = dir.file("empty.gz", gzip(""));
  CHECK(error_of(empty_gz) == empty_gz + ": not an IDX file: it is empty");
  const std::string magic_only = dir.file("magic", std::string("\x00\x00\x08", 3));
  CHECK(error_of(magic_only) ==
        magic_only + ": truncated IDX header: the file ends after 3 of the 4 bytes of the magic number");
  const std::string short_header = dir.file("short.gz", gzip(idx_bytes(0x00000803, {60000, 28}, "")));
  CHECK(error_of(short_header) ==
        short_header + ": truncated IDX header: the file ends after 12 bytes, but a header with 3 dimensions takes 16");
}

TEST_CASE("read_idx rejects a count larger than the data before reading it", "[idx]") {
  TempDir dir;
  const std::string raw = dir.file("train-images-idx3-ubyte", idx_bytes(0x00000803, {60000, 28, 28}, counting_bytes(1000)));
  CHECK(error_of(raw) == raw + ": header says 60000 x 28 x 28 = 47040000 bytes of data but the file holds 1000");

  const std::string labels = dir.file("labels", idx_bytes(0x00000801, {10}, "\x01\x02\x03"));
  CHECK(error_of(labels) == labels + ": header says 10 bytes of data but the file holds 3");

  // A gzip file can hold at most 1032 times its size: no need to inflate it to know.
  const std::string gz_bytes = gzip(idx_bytes(0x00000803, {60000, 28, 28}, counting_bytes(1000)));
  const std::string gz = dir.file("train-images-idx3-ubyte.gz", gz_bytes);
  CHECK(error_of(gz) == fmt::format("{}: header says 60000 x 28 x 28 = 47040000 bytes of data but a gzip file of {} "
                                    "bytes holds at most {}",
                                    gz, gz_bytes.size(), gz_bytes.size() * 1032 - 16));

  const std::string huge = dir.file("huge", idx_bytes(0x00000803, {0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF}, "x"));
  CHECK(error_of(huge) ==
        huge + ": header says 4294967295 x 4294967295 x 4294967295 bytes of data, which is too large for memory");
}

TEST_CASE("read_idx rejects data shorter than the header says, after inflating it", "[idx]") {
  TempDir dir;
  const std::string gz = dir.file("short-data.gz", gzip(idx_bytes(0x00000803, {3, 2, 2}, counting_bytes(5))));
  CHECK(error_of(gz) == gz + ": header says 3 x 2 x 2 = 12 bytes of data but the decompressed file holds 5");
}

TEST_CASE("read_idx rejects trailing bytes after the data", "[idx]") {
  TempDir dir;
  const std::string raw_bytes = idx_bytes(0x00000803, {3, 2, 2}, counting_bytes(14));
  const std::string raw = dir.file("long", raw_bytes);
  CHECK(error_of(raw) == raw + ": header says 3 x 2 x 2 = 12 bytes of data but the file holds 14");
  const std::string gz = dir.file("long.gz", gzip(raw_bytes));
  CHECK(error_of(gz) ==
        gz + ": header says 3 x 2 x 2 = 12 bytes of data but the decompressed file holds 14 (2 bytes of trailing data)");
}

TEST_CASE("read_idx rejects a corrupt gzip stream with zlib's reason", "[idx]") {
  TempDir dir;
  const std::string good = gzip(two_images());

  // Byte 10 starts the deflate data (the fixture writer stores no file name): its first
  // block's BTYPE 11 is reserved.
  std::string bad_block = good;
  bad_block[10] = static_cast<char>(bad_block[10] | 0x06);
  const std::string block = dir.file("bad-block.gz", bad_block);
  CHECK(error_of(block) == block + ": corrupt gzip stream: invalid block type");

  // A stored block's NLEN (bytes 13-14) must be the complement of its LEN.
  std::string bad_length = good;
  bad_length[13] = static_cast<char>(bad_length[13] ^ 0x01);
  const std::string length = dir.file("bad-length.gz", bad_length);
  CHECK(error_of(length) == length + ": corrupt gzip stream: invalid stored block lengths");

  // The CRC-32 of the data sits 8 bytes from the end.
  std::string bad_crc = good;
  bad_crc[bad_crc.size() - 8] = static_cast<char>(bad_crc[bad_crc.size() - 8] ^ 0x01);
  const std::string crc = dir.file("bad-crc.gz", bad_crc);
  CHECK(error_of(crc) == crc + ": corrupt gzip stream: incorrect data check");
}

TEST_CASE("read_idx rejects a gzip stream cut short", "[idx]") {
  TempDir dir;
  const std::string good = gzip(idx_bytes(0x00000801, {4000}, counting_bytes(4000)));
  const std::string cut = dir.file("cut.gz", good.substr(0, good.size() / 2));
  CHECK(error_of(cut) == cut + ": truncated gzip stream: unexpected end of file");
}

TEST_CASE("read_idx names a missing or unreadable file", "[idx]") {
  TempDir dir;
  const std::string missing = dir.path() + "/train-labels-idx1-ubyte.gz";
  CHECK(error_of(missing) == "cannot open '" + missing + "': No such file or directory");
  CHECK(error_of(dir.path()) == "cannot open '" + dir.path() + "': Is a directory");
}
