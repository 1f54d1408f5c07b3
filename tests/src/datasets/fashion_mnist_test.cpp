// The Fashion-MNIST loader: small MNIST-style folders built here, the STRATA_DATA_DIR
// override, and the real data set from Debian's dataset-fashion-mnist, whose expected
// values were decoded by hand (zcat FILE | od -A d -t u1).
#include <catch2/catch.hpp>
#include <stdlib.h>

#include <array>
#include <filesystem>
#include <optional>
#include <string>

#include "serialization/idx_fixtures.hpp"
#include "strata/datasets.hpp"
#include "strata/error.hpp"

namespace fs = std::filesystem;
using idx_fixtures::counting_bytes;
using idx_fixtures::gzip;
using idx_fixtures::idx_bytes;
using idx_fixtures::TempDir;
using strata::Shape;
namespace datasets = strata::datasets;

namespace {

constexpr const char* kDebianDir = "/usr/share/datasets/fashion-mnist";

// Sets (or unsets) an environment variable for one scope and restores it after.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    if (value) {
      ::setenv(name, value, 1);
    } else {
      ::unsetenv(name);
    }
  }
  ~ScopedEnv() {
    if (old_) {
      ::setenv(name_, old_->c_str(), 1);
    } else {
      ::unsetenv(name_);
    }
  }

 private:
  const char* name_;
  std::optional<std::string> old_;
};

// A miniature Fashion-MNIST: 3 train and 2 test images of 2 x 2 pixels, gzipped.
void write_small_set(const TempDir& dir, std::size_t train_labels = 3) {
  dir.file("train-images-idx3-ubyte.gz", gzip(idx_bytes(0x00000803, {3, 2, 2}, counting_bytes(12, 100))));
  dir.file("train-labels-idx1-ubyte.gz",
           gzip(idx_bytes(0x00000801, {static_cast<std::uint32_t>(train_labels)}, counting_bytes(train_labels, 7))));
  dir.file("t10k-images-idx3-ubyte.gz", gzip(idx_bytes(0x00000803, {2, 2, 2}, counting_bytes(8, 200))));
  dir.file("t10k-labels-idx1-ubyte.gz", gzip(idx_bytes(0x00000801, {2}, "\x09\x02")));
}

std::string error_of(const std::string& dir) {
  try {
    datasets::fashion_mnist::load_data(dir);
  } catch (const strata::IOError& e) {
    return e.what();
  }
  return "(no IOError)";
}

}  // namespace

TEST_CASE("load_idx_data reads images and labels of an MNIST-style folder", "[datasets]") {
  TempDir dir;
  write_small_set(dir);
  const auto [train, test] = datasets::load_idx_data(dir.path());
  CHECK(train.x.shape() == Shape{3, 2, 2});
  CHECK(train.y.shape() == Shape{3});
  CHECK(test.x.shape() == Shape{2, 2, 2});
  CHECK(test.y.shape() == Shape{2});
  CHECK(train.x.at({0, 0, 0}) == 100.0f);
  CHECK(train.x.at({2, 1, 1}) == 111.0f);
  CHECK(test.x.at({1, 1, 1}) == 207.0f);
  CHECK(train.y == strata::Tensor({3}, std::vector<float>{7, 8, 9}));
  CHECK(test.y == strata::Tensor({2}, std::vector<float>{9, 2}));
}

TEST_CASE("load_idx_data takes other file names", "[datasets]") {
  TempDir dir;
  dir.file("a", idx_bytes(0x00000803, {1, 1, 2}, "\x01\x02"));
  dir.file("b", idx_bytes(0x00000801, {1}, "\x05"));
  const auto data = datasets::load_idx_data(dir.path(), {.train_images = "a", .train_labels = "b",
                                                         .test_images = "a", .test_labels = "b"});
  CHECK(data.train.x.shape() == Shape{1, 1, 2});
  CHECK(data.test.y.item() == 5.0f);
}

TEST_CASE("Fashion-MNIST loading fails when images and labels disagree in count, naming both files", "[datasets]") {
  TempDir dir;
  write_small_set(dir, 4);
  const std::string images = (fs::path(dir.path()) / "train-images-idx3-ubyte.gz").string();
  const std::string labels = (fs::path(dir.path()) / "train-labels-idx1-ubyte.gz").string();
  CHECK(error_of(dir.path()) == images + " holds 3 images but " + labels + " holds 4 labels");
}

TEST_CASE("Fashion-MNIST loading fails on images that are not of rank 3", "[datasets]") {
  TempDir dir;
  write_small_set(dir);
  const std::string images = dir.file("t10k-images-idx3-ubyte.gz", gzip(idx_bytes(0x00000801, {2}, "\x01\x02")));
  CHECK(error_of(dir.path()) ==
        images + ": expected images (count, rows, cols) of rank 3, but the IDX header gives the shape (2,)");
}

TEST_CASE("Fashion-MNIST loading names a missing file and a missing folder", "[datasets]") {
  TempDir dir;
  write_small_set(dir);
  const std::string labels = (fs::path(dir.path()) / "t10k-labels-idx1-ubyte.gz").string();
  fs::remove(labels);
  CHECK(error_of(dir.path()) == "cannot open '" + labels + "': No such file or directory");

  const std::string nowhere = dir.path() + "/nowhere";
  CHECK(error_of(nowhere) ==
        "data directory '" + nowhere +
            "' does not exist; set STRATA_DATA_DIR to a folder holding train-images-idx3-ubyte.gz, "
            "train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz and t10k-labels-idx1-ubyte.gz (Debian's "
            "dataset-fashion-mnist installs them in /usr/share/datasets/fashion-mnist)");
}

TEST_CASE("data_dir is STRATA_DATA_DIR when set, else Debian's folder", "[datasets]") {
  {
    ScopedEnv env("STRATA_DATA_DIR", "/data/elsewhere");
    CHECK(datasets::data_dir() == "/data/elsewhere");
  }
  {
    ScopedEnv env("STRATA_DATA_DIR", nullptr);
    CHECK(datasets::data_dir() == kDebianDir);
  }
  {
    ScopedEnv env("STRATA_DATA_DIR", "");
    CHECK(datasets::data_dir() == kDebianDir);
  }
}

TEST_CASE("fashion_mnist load_data reads from STRATA_DATA_DIR", "[datasets]") {
  TempDir dir;
  write_small_set(dir);
  ScopedEnv env("STRATA_DATA_DIR", dir.path().c_str());
  const auto data = datasets::fashion_mnist::load_data();
  CHECK(data.train.x.shape() == Shape{3, 2, 2});
  CHECK(data.test.y == strata::Tensor({2}, std::vector<float>{9, 2}));
}

TEST_CASE("fashion_mnist load_data reads the real Fashion-MNIST with Keras's shapes", "[datasets][slow]") {
  if (!fs::is_directory(kDebianDir)) {
    WARN("skipped: " << kDebianDir << " does not exist (apt-get install dataset-fashion-mnist)");
    return;
  }
  const auto [train, test] = datasets::fashion_mnist::load_data(kDebianDir);
  REQUIRE(train.x.shape() == Shape{60000, 28, 28});
  REQUIRE(train.y.shape() == Shape{60000});
  REQUIRE(test.x.shape() == Shape{10000, 28, 28});
  REQUIRE(test.y.shape() == Shape{10000});

  // Labels: train starts 9 (ankle boot), 0, 0, 3, 0, 2 and ends 5; test starts 9, 2, 1, 1, 6
  // and ends 5.
  const std::array<float, 6> train_first{9, 0, 0, 3, 0, 2};
  const std::array<float, 5> test_first{9, 2, 1, 1, 6};
  for (std::size_t i = 0; i < train_first.size(); ++i) CHECK(train.y[i] == train_first[i]);
  for (std::size_t i = 0; i < test_first.size(); ++i) CHECK(test.y[i] == test_first[i]);
  CHECK(train.y[59999] == 5.0f);
  CHECK(test.y[9999] == 5.0f);

  // Pixels of the first training image (row 3: ... 1 0 0 13 73 ...) and two image sums.
  CHECK(train.x.at({0, 3, 12}) == 1.0f);
  CHECK(train.x.at({0, 3, 15}) == 13.0f);
  CHECK(train.x.at({0, 3, 16}) == 73.0f);
  double first_train_sum = 0, last_test_sum = 0;
  for (std::size_t i = 0; i < 784; ++i) first_train_sum += train.x[i];
  for (std::size_t i = 0; i < 784; ++i) last_test_sum += test.x[9999 * 784 + i];
  CHECK(first_train_sum == 76247.0);
  CHECK(last_test_sum == 24390.0);

  // Fashion-MNIST is balanced: 6000 images of each class in train, 1000 in test.
  std::array<int, 10> train_counts{}, test_counts{};
  for (float label : train.y) ++train_counts.at(static_cast<std::size_t>(label));
  for (float label : test.y) ++test_counts.at(static_cast<std::size_t>(label));
  for (std::size_t c = 0; c < 10; ++c) {
    CHECK(train_counts[c] == 6000);
    CHECK(test_counts[c] == 1000);
  }
  float lo = 255, hi = 0;
  for (float v : train.x) {
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
  CHECK(lo == 0.0f);
  CHECK(hi == 255.0f);
}
