// keras.datasets.fashion_mnist.load_data() on local files: the four IDX files of an
// MNIST-style folder, checked for ranks and matching counts.
#include <fmt/format.h>

#include <cstdlib>
#include <filesystem>
#include <future>
#include <string>

#include "strata/datasets.hpp"
#include "strata/error.hpp"

namespace strata::datasets {
namespace {

constexpr const char* kDefaultDataDir = "/usr/share/datasets/fashion-mnist";

Tensor read_with_rank(const std::string& path, std::size_t rank, const char* what) {
  Tensor t = read_idx(path);
  if (t.rank() != rank) {
    throw IOError(fmt::format("{}: expected {} of rank {}, but the IDX header gives the shape {}", path, what, rank,
                              shape_to_string(t.shape())));
  }
  return t;
}

Split load_split(const std::filesystem::path& dir, const std::string& images_name, const std::string& labels_name) {
  const std::string images_path = (dir / images_name).string();
  const std::string labels_path = (dir / labels_name).string();
  // The images dominate the time (inflating ~47 MB): read them on a second thread
  // while this one reads the labels.
  auto images = std::async(std::launch::async, read_with_rank, images_path, 3, "images (count, rows, cols)");
  Tensor labels = read_with_rank(labels_path, 1, "labels (count,)");
  Split split{images.get(), std::move(labels)};
  if (split.x.dim(0) != split.y.dim(0)) {
    throw IOError(fmt::format("{} holds {} images but {} holds {} labels", images_path, split.x.dim(0), labels_path,
                              split.y.dim(0)));
  }
  return split;
}

}  // namespace

std::string data_dir() {
  const char* env = std::getenv("STRATA_DATA_DIR");
  return env && *env ? std::string(env) : std::string(kDefaultDataDir);
}

TrainTestSplit load_idx_data(const std::string& dir, const IdxFiles& files) {
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) {
    throw IOError(fmt::format("data directory '{}' does not exist; set STRATA_DATA_DIR to a folder holding {}, {}, "
                              "{} and {} (Debian's dataset-fashion-mnist installs them in {})",
                              dir, files.train_images, files.train_labels, files.test_images, files.test_labels,
                              kDefaultDataDir));
  }
  // Train and test on their own threads too: inflating is all the work, one file per core.
  auto test = std::async(std::launch::async, load_split, std::filesystem::path(dir), files.test_images,
                         files.test_labels);
  TrainTestSplit data;
  data.train = load_split(dir, files.train_images, files.train_labels);
  data.test = test.get();
  return data;
}

namespace fashion_mnist {
TrainTestSplit load_data() { return load_idx_data(data_dir()); }
TrainTestSplit load_data(const std::string& dir) { return load_idx_data(dir); }
}  // namespace fashion_mnist

}  // namespace strata::datasets
