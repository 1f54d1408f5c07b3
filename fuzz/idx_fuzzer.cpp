// libFuzzer target for the IDX reader (raw or gzipped): any file either reads or fails with
// strata::IOError, and what reads has as many values as its header's shape says.
#include <cstdint>

#include "fuzz/fuzz_support.hpp"
#include "strata/datasets.hpp"
#include "strata/error.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static strata::fuzz::MemoryFile file;
  const std::string& path = file.write(data, size);
  try {
    const strata::Tensor t = strata::datasets::read_idx(path);
    std::size_t count = 1;
    for (std::size_t d : t.shape()) count *= d;
    strata::fuzz::expect(t.size() == count, "read_idx returns as many values as its shape");
    for (float v : t) strata::fuzz::expect(v >= 0.0f && v <= 255.0f, "read_idx values are bytes");
  } catch (const strata::IOError&) {
  }
  return 0;
}
