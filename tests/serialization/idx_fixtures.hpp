// Small IDX files for the reader's and the data-set loader's tests: built byte by byte
// from the format's description, gzipped by hand, written into a fresh temp folder.
#pragma once

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

namespace idx_fixtures {

namespace fs = std::filesystem;

// Magic number, big-endian extents, then the bytes.
inline std::string idx_bytes(std::uint32_t magic, const std::vector<std::uint32_t>& dims, const std::string& data) {
  std::string out;
  auto put32 = [&](std::uint32_t v) {
    for (int shift = 24; shift >= 0; shift -= 8) out += static_cast<char>((v >> shift) & 0xFF);
  };
  put32(magic);
  for (std::uint32_t d : dims) put32(d);
  return out + data;
}

// `n` bytes counting up from `first` (wrapping at 256).
inline std::string counting_bytes(std::size_t n, unsigned first = 0) {
  std::string out(n, '\0');
  for (std::size_t i = 0; i < n; ++i) out[i] = static_cast<char>((first + i) & 0xFF);
  return out;
}

// CRC-32 as gzip stores it (RFC 1952 section 8: reflected polynomial 0xEDB88320).
inline std::uint32_t crc32(const std::string& data) {
  std::uint32_t crc = 0xFFFFFFFFu;
  for (unsigned char byte : data) {
    crc ^= byte;
    for (int bit = 0; bit < 8; ++bit) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
  }
  return ~crc;
}

// A gzip file (RFC 1952) of `raw` whose deflate data are stored blocks (RFC 1951 3.2.4),
// written by hand: the tests do not link zlib, and the reader must take any conforming
// stream, not only zlib's. (The real Fashion-MNIST files cover compressed blocks.)
// Layout: a 10-byte header, then per block of up to 65535 bytes a BFINAL/BTYPE byte,
// LEN and NLEN (little-endian), the bytes; then CRC-32 and the size, little-endian.
inline std::string gzip(const std::string& raw) {
  auto put16 = [](std::string& out, std::uint32_t v) {
    out += static_cast<char>(v & 0xFF);
    out += static_cast<char>((v >> 8) & 0xFF);
  };
  std::string out("\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03", 10);
  std::size_t at = 0;
  do {
    const std::size_t len = std::min<std::size_t>(raw.size() - at, 65535);
    const bool final_block = at + len == raw.size();
    out += static_cast<char>(final_block ? 0x01 : 0x00);
    put16(out, static_cast<std::uint32_t>(len));
    put16(out, static_cast<std::uint32_t>(~len & 0xFFFF));
    out.append(raw, at, len);
    at += len;
  } while (at < raw.size());
  const std::uint32_t crc = crc32(raw);
  put16(out, crc & 0xFFFF);
  put16(out, crc >> 16);
  const auto size = static_cast<std::uint32_t>(raw.size());
  put16(out, size & 0xFFFF);
  put16(out, size >> 16);
  return out;
}

inline void write_file(const fs::path& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  REQUIRE(out);
}

// A fresh folder under the system temp dir, removed with its contents at scope exit.
class TempDir {
 public:
  TempDir() {
    std::random_device rd;
    path_ = fs::temp_directory_path() / ("strata-idx-test-" + std::to_string(rd()) + std::to_string(rd()));
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  // Writes `bytes` to a file of that name in the folder and returns its path.
  std::string file(const std::string& name, const std::string& bytes) const {
    write_file(path_ / name, bytes);
    return (path_ / name).string();
  }
  std::string path() const { return path_.string(); }

 private:
  fs::path path_;
};

}  // namespace idx_fixtures
