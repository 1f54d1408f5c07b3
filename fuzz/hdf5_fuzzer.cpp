// libFuzzer target for the HDF5 readers: load_model and load_weights on any file either
// succeed or fail with a strata::Error, and a failed load_weights leaves the model's
// weights exactly as they were.
#include <cstdint>
#include <cstring>
#include <vector>

#include "fuzz/fuzz_support.hpp"
#include "strata/error.hpp"
#include "strata/layers/conv2d.hpp"
#include "strata/layers/dense.hpp"
#include "strata/layers/flatten.hpp"
#include "strata/layers/layer.hpp"
#include "strata/layers/leaky_re_lu.hpp"
#include "strata/sequential.hpp"

namespace {

constexpr std::size_t kMaxElements = std::size_t{1} << 16;

// The model of tests/data/h5's weight files: Conv2D(2, 3) on (5, 5, 1), LeakyReLU,
// Flatten, Dense(3), so that fuzzed variants of those files reach the deepest checks.
strata::Sequential fixture_model() {
  using namespace strata::layers;
  strata::Sequential model;
  model.add(Conv2D({.filters = 2, .kernel_size = 3, .input_shape = {5, 5, 1}}));
  model.add(LeakyReLU());
  model.add(Flatten());
  model.add(Dense({.units = 3}));
  return model;
}

std::vector<strata::Tensor> snapshot(const strata::Sequential& model) {
  std::vector<strata::Tensor> values;
  for (const strata::Variable& w : model.weights()) values.push_back(w.value());
  return values;
}

bool same_bits(const std::vector<strata::Tensor>& a, const std::vector<strata::Tensor>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (a[i].shape() != b[i].shape() || std::memcmp(a[i].data(), b[i].data(), a[i].size() * sizeof(float)) != 0)
      return false;
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  strata::layers::set_max_weight_elements(kMaxElements);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static strata::fuzz::MemoryFile file;
  static strata::Sequential model = fixture_model();
  const std::string& path = file.write(data, size);
  try {
    strata::Sequential loaded = strata::load_model(path);
    (void)loaded.to_json();
  } catch (const strata::Error&) {
  }
  const std::vector<strata::Tensor> before = snapshot(model);
  try {
    model.load_weights(path);
  } catch (const strata::Error&) {
    strata::fuzz::expect(same_bits(snapshot(model), before), "a failed load_weights changes no weight");
  }
  return 0;
}
