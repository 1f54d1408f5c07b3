// Data sets as keras.datasets loads them, read from local IDX files (no download):
//   auto [train, test] = strata::datasets::fashion_mnist::load_data();
//   // train.x (60000, 28, 28) pixels 0..255, train.y (60000,) class indices 0..9
// Every error is a strata::IOError naming the file and what is wrong with it: missing or
// unreadable files as well as malformed contents (bad magic, truncated data, broken gzip).
#pragma once

#include <string>

#include "strata/tensor.hpp"

namespace strata::datasets {

// Images as float32 0..255 (Keras gives uint8), labels as float32 class indices.
struct Split {
  Tensor x;
  Tensor y;
};

struct TrainTestSplit {
  Split train;
  Split test;
};

// An IDX file of unsigned bytes (magic 0x00000801 for a vector, 0x00000803 for images),
// gzipped or raw (told apart by its first bytes, not its name); the shape comes from its
// header, the values are converted to float32.
Tensor read_idx(const std::string& path);

// Where the data sets live: $STRATA_DATA_DIR when set and not empty, else
// /usr/share/datasets/fashion-mnist (Debian's dataset-fashion-mnist package).
std::string data_dir();

// The four files of an MNIST-style data set, relative to its folder. The defaults are the
// names MNIST and Fashion-MNIST both use (and keras.datasets.fashion_mnist downloads).
struct IdxFiles {
  std::string train_images = "train-images-idx3-ubyte.gz";
  std::string train_labels = "train-labels-idx1-ubyte.gz";
  std::string test_images = "t10k-images-idx3-ubyte.gz";
  std::string test_labels = "t10k-labels-idx1-ubyte.gz";
};

// Reads images (N, rows, cols) and labels (N,) for train and test from `dir`; checks that
// images and labels have those ranks and agree in count.
TrainTestSplit load_idx_data(const std::string& dir, const IdxFiles& files = {});

namespace fashion_mnist {
// keras.datasets.fashion_mnist.load_data(): train (60000, 28, 28), (60000,);
// test (10000, 28, 28), (10000,); from data_dir().
TrainTestSplit load_data();
// The same from another folder holding the four files.
TrainTestSplit load_data(const std::string& dir);
}  // namespace fashion_mnist

}  // namespace strata::datasets
