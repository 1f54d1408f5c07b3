// libFuzzer target for the .npy reader: any bytes either parse or fail with strata::IOError,
// and whatever parses survives a write and a second read bit for bit.
#include <cstdint>
#include <cstring>
#include <string>

#include "fuzz/fuzz_support.hpp"
#include "strata/error.hpp"
#include "strata/npy.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using strata::fuzz::expect;
  strata::Tensor tensor;
  try {
    tensor = strata::parse_npy(std::string(reinterpret_cast<const char*>(data), size), "fuzz.npy");
  } catch (const strata::IOError&) {
    return 0;  // refused with a message: the expected outcome for most inputs
  }
  const strata::Tensor again = strata::parse_npy(strata::format_npy(tensor), "round-trip.npy");
  expect(again.shape() == tensor.shape(), "format_npy then parse_npy keeps the shape");
  expect(tensor.size() == 0 || std::memcmp(again.data(), tensor.data(), tensor.size() * sizeof(float)) == 0,
         "format_npy then parse_npy keeps the bits");
  return 0;
}
