// Fashion-MNIST as the CLI feeds it to a model: (N, 28, 28, 1) pixels scaled to [0, 1].
#pragma once

#include <cstddef>

#include "strata/datasets.hpp"

namespace strata::cli {

// Loads the data set from datasets::data_dir(); `train_subset` > 0 keeps that many
// training samples (the first ones).
datasets::TrainTestSplit load_fashion_mnist(std::size_t train_subset = 0);
// Pixels 0..255 of shape (N, 28, 28) → [0, 1] of shape (N, 28, 28, 1).
Tensor to_model_input(Tensor images);

}  // namespace strata::cli
