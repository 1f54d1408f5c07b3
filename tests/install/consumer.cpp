// Built against the installed package: one op and one gradient, then every layer class
// built by name through the registry. This program references no layer class, so a
// registration dropped from the installed library (DESIGN.md's static-initializer trap)
// shows up here as an unknown class name or a missing entry in registered_layers().
#include <strata/layers/registry.hpp>
#include <strata/strata.hpp>

#include <algorithm>
#include <cstdio>
#include <exception>
#include <string>
#include <utility>
#include <vector>

namespace {

// Every class name the library registers, with a minimal valid tf.keras config for it.
// Adding a layer means adding it here; a dropped registration fails the run.
const std::vector<std::pair<std::string, const char*>>& expected_layers() {
  static const std::vector<std::pair<std::string, const char*>> layers = {
      {"Activation", R"({"activation": "relu"})"},
      {"AlphaDropout", R"({"rate": 0.1})"},
      {"AveragePooling2D", R"({})"},
      {"BatchNormalization", R"({})"},
      {"Conv2D", R"({"filters": 4, "kernel_size": [3, 3]})"},
      {"Conv2DTranspose", R"({"filters": 4, "kernel_size": [3, 3], "strides": [2, 2]})"},
      {"Dense", R"({"units": 3})"},
      {"Dropout", R"({"rate": 0.5})"},
      {"ELU", R"({})"},
      {"Flatten", R"({})"},
      {"GlobalAveragePooling2D", R"({})"},
      {"GlobalMaxPooling2D", R"({})"},
      {"InputLayer", R"({"batch_input_shape": [null, 4]})"},
      {"LeakyReLU", R"({"alpha": 0.01})"},
      {"MaxPooling2D", R"({"pool_size": [2, 2]})"},
      {"PReLU", R"({"shared_axes": [1, 2]})"},
      {"RReLU", R"({})"},
      {"ReLU", R"({})"},
      {"Reshape", R"({"target_shape": [2, 2]})"},
      {"Softmax", R"({})"},
      {"ThresholdedReLU", R"({})"},
  };
  return layers;
}

bool gradient_works() {
  strata::Variable x(strata::Tensor::scalar(3.0f), "x");
  strata::GradientTape tape;
  strata::Variable y = x * x;
  const float dy = tape.gradient(y, x).item();
  std::printf("strata %s: d(x^2)/dx at 3 = %g\n", std::string(strata::version()).c_str(), dy);
  return dy == 6.0f;
}

// Each class builds by name, reports that name, and survives a serialize/deserialize trip.
int failed_layers() {
  int failures = 0;
  for (const auto& [class_name, config] : expected_layers()) {
    try {
      strata::Json json = strata::Json::object();
      json["class_name"] = class_name;
      json["config"] = strata::Json::parse(config);
      const auto layer = strata::layers::deserialize(json, "consumer");
      const auto again = strata::layers::deserialize(strata::layers::serialize(*layer), "consumer.again");
      if (layer->class_name() != class_name || again->class_name() != class_name) {
        std::printf("FAIL %s: deserialized as %s, then %s\n", class_name.c_str(), layer->class_name().c_str(),
                    again->class_name().c_str());
        ++failures;
      }
    } catch (const std::exception& e) {
      std::printf("FAIL %s: %s\n", class_name.c_str(), e.what());
      ++failures;
    }
  }
  return failures;
}

// registered_layers() is sorted; it must hold exactly the expected names, no more, no less.
bool registry_matches() {
  std::vector<std::string> expected;
  for (const auto& entry : expected_layers()) expected.push_back(entry.first);
  std::sort(expected.begin(), expected.end());
  const std::vector<std::string> registered = strata::layers::registered_layers();
  if (registered == expected) return true;
  std::printf("FAIL registered_layers():");
  for (const std::string& name : registered) std::printf(" %s", name.c_str());
  std::printf("\n  expected:");
  for (const std::string& name : expected) std::printf(" %s", name.c_str());
  std::printf("\n");
  return false;
}

}  // namespace

int main() {
  const bool gradient_ok = gradient_works();
  const int layer_failures = failed_layers();
  const bool registry_ok = registry_matches();
  std::printf("%zu layer classes deserialized from the installed library, %d failed\n", expected_layers().size(),
              layer_failures);
  return gradient_ok && layer_failures == 0 && registry_ok ? 0 : 1;
}
