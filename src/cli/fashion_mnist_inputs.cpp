#include "fashion_mnist_inputs.hpp"

#include <algorithm>
#include <cstring>

namespace strata::cli {

Tensor to_model_input(Tensor images) {
  for (float& v : images) v /= 255.0f;
  Shape shape = images.shape();
  shape.push_back(1);
  return std::move(images).reshape(shape);
}

namespace {
Tensor first_rows(const Tensor& x, std::size_t rows) {
  Shape shape = x.shape();
  shape[0] = rows;
  Tensor out = Tensor::empty(shape);
  std::memcpy(out.data(), x.data(), out.size() * sizeof(float));
  return out;
}
}  // namespace

datasets::TrainTestSplit load_fashion_mnist(std::size_t train_subset) {
  auto data = datasets::fashion_mnist::load_data();
  if (train_subset > 0 && train_subset < data.train.x.shape()[0]) {
    data.train.x = first_rows(data.train.x, train_subset);
    data.train.y = first_rows(data.train.y, train_subset);
  }
  data.train.x = to_model_input(std::move(data.train.x));
  data.test.x = to_model_input(std::move(data.test.x));
  return data;
}

}  // namespace strata::cli
