// libFuzzer target for model_from_json: any text either builds a model or fails with a
// strata::Error. A model that builds must also print its summary, run on a zero batch
// when small enough, and survive to_json -> model_from_json -> to_json unchanged (a model
// strata cannot read back would be a saved model lost).
#include <cstdint>
#include <string>

#include "fuzz/fuzz_support.hpp"
#include "strata/error.hpp"
#include "strata/layers/layer.hpp"
#include "strata/sequential.hpp"

namespace {

// Small enough that one input runs in milliseconds under ASan.
constexpr std::size_t kMaxElements = std::size_t{1} << 16;

// The elements of a shape with batch 1; 0 when some dimension is unknown.
std::size_t elements(const strata::TensorShape& shape) {
  std::size_t n = 1;
  for (std::size_t i = 1; i < shape.size(); ++i) {
    if (!shape[i] || __builtin_mul_overflow(n, *shape[i], &n)) return 0;
  }
  return n;
}

// True when the input and every layer's output fit in kMaxElements for one sample.
bool small_enough(const strata::Sequential& model) {
  strata::TensorShape shape = model.input_shape();
  const std::size_t in = elements(shape);
  if (in == 0 || in > kMaxElements) return false;
  for (const auto& layer : model.layers()) {
    shape = layer->compute_output_shape(shape);
    const std::size_t out = elements(shape);
    if (out == 0 || out > kMaxElements) return false;
  }
  return true;
}

void exercise(strata::Sequential& model) {
  using strata::fuzz::expect;
  if (model.built()) {
    (void)model.summary_string();
    if (small_enough(model)) {
      strata::Shape shape{1};
      for (std::size_t i = 1; i < model.input_shape().size(); ++i) shape.push_back(*model.input_shape()[i]);
      try {
        (void)model.predict(strata::Tensor(shape));
      } catch (const strata::Error&) {
        // a layer may refuse an input shape it accepted at build time (Reshape, pooling)
      }
    }
  }
  const std::string json = model.to_json();
  strata::Sequential again = [&] {
    try {
      return strata::model_from_json(json);
    } catch (const strata::Error& e) {
      std::fprintf(stderr, "to_json wrote what model_from_json refuses: %s\n%s\n", e.what(), json.c_str());
      std::abort();
    }
  }();
  expect(again.to_json() == json, "model_from_json(to_json()) writes the same JSON");
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  strata::layers::set_max_weight_elements(kMaxElements);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  strata::Sequential model;
  try {
    model = strata::model_from_json(std::string(reinterpret_cast<const char*>(data), size));
  } catch (const strata::Error&) {
    return 0;  // refused with a message: the expected outcome for most inputs
  }
  exercise(model);
  return 0;
}
