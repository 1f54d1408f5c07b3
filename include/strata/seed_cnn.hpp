// The seed CNN, strata's running example: Conv2D 32, 64, 64 filters of 3x3, each followed
// by an activation layer (LeakyReLU(alpha = 0.01) by default), MaxPooling2D 2x2 after the
// first two, Flatten, Dense 64 + activation, Dense 10 softmax, on 28x28x1 images.
#pragma once

#include <functional>
#include <memory>

#include "strata/layers/layer.hpp"
#include "strata/sequential.hpp"

namespace strata {

struct SeedCnnOptions {
  // Makes one activation layer per use (five in all); empty: LeakyReLU(alpha = 0.01).
  std::function<std::shared_ptr<layers::Layer>()> activation{};
  // Adds BatchNormalization after every convolution and the hidden Dense layer (before
  // the activation).
  bool batch_normalization = false;
  // When positive, a Dropout layer with this rate after each MaxPooling2D, after Flatten
  // and after the hidden Dense layer's activation (regularization for longer runs).
  double dropout = 0.0;
  std::size_t classes = 10;
};

Sequential seed_cnn(const SeedCnnOptions& options = {});

}  // namespace strata
