// The seed CNN (see strata/seed_cnn.hpp).
#include "strata/seed_cnn.hpp"

#include "strata/layers/batch_normalization.hpp"
#include "strata/layers/conv2d.hpp"
#include "strata/layers/dense.hpp"
#include "strata/layers/dropout.hpp"
#include "strata/layers/flatten.hpp"
#include "strata/layers/leaky_re_lu.hpp"
#include "strata/layers/max_pooling2d.hpp"

namespace strata {

Sequential seed_cnn(const SeedCnnOptions& options) {
  using namespace layers;
  const auto activation = [&]() -> std::shared_ptr<Layer> {
    if (options.activation) return options.activation();
    return std::make_shared<LeakyReLU>(LeakyReLUOptions{.alpha = 0.01});
  };
  const auto normalize = [&](Sequential& model) {
    if (options.batch_normalization) model.add(BatchNormalization());
  };
  const auto drop = [&](Sequential& model) {
    if (options.dropout > 0.0) model.add(Dropout({.rate = options.dropout}));
  };
  Sequential model;
  model.add(Conv2D({.filters = 32, .kernel_size = {3, 3}, .input_shape = {28, 28, 1}}));
  normalize(model);
  model.add(activation());
  model.add(MaxPooling2D({.pool_size = {2, 2}}));
  drop(model);
  model.add(Conv2D({.filters = 64, .kernel_size = {3, 3}}));
  normalize(model);
  model.add(activation());
  model.add(MaxPooling2D({.pool_size = {2, 2}}));
  drop(model);
  model.add(Conv2D({.filters = 64, .kernel_size = {3, 3}}));
  normalize(model);
  model.add(activation());
  model.add(Flatten());
  drop(model);
  model.add(Dense({.units = 64}));
  normalize(model);
  model.add(activation());
  drop(model);
  model.add(Dense({.units = options.classes, .activation = "softmax"}));
  return model;
}

}  // namespace strata
