// The HDF5 wrapper: string attributes in every storage h5py uses, Keras's chunked
// attributes, float datasets, and errors that name the file and the object. Files written
// by h5py come from tests/data/h5/make_fixtures.py.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>

#include <fmt/format.h>

#include "serialization/hdf5.hpp"
#include "strata/error.hpp"

using namespace strata;
namespace fs = std::filesystem;

namespace {

std::string fixture(const std::string& name) { return std::string(STRATA_TEST_DATA_DIR) + "/h5/" + name; }

// A fresh folder per test case, removed afterwards.
struct ScratchDir {
  fs::path path;
  ScratchDir() {
    static int counter = 0;
    path = fs::temp_directory_path() / fmt::format("strata_hdf5_test_{}_{}", ::getpid(), counter++);
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~ScratchDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  std::string file(const std::string& name) const { return (path / name).string(); }
};

}  // namespace

TEST_CASE("hdf5 string attributes round trip in each storage kind", "[hdf5]") {
  ScratchDir dir;
  const std::string path = dir.file("strings.h5");
  {
    hdf5::File f = hdf5::File::create(path);
    f.write_strings("vlen_ascii", {"conv2d", "dense_1"}, hdf5::StringKind::variable_ascii);
    f.write_strings("vlen_utf8", {"caf\xc3\xa9", ""}, hdf5::StringKind::variable_utf8);
    f.write_strings("fixed", {"conv2d", "leaky_re_lu"}, hdf5::StringKind::fixed_ascii);
    f.write_string("scalar", "tensorflow");
    f.write_string("scalar_utf8", "2.11.0", hdf5::StringKind::variable_utf8);
    f.close();
  }
  const hdf5::File f = hdf5::File::open(path);
  CHECK(f.read_strings("vlen_ascii") == std::vector<std::string>{"conv2d", "dense_1"});
  CHECK(f.read_strings("vlen_utf8") == std::vector<std::string>{"caf\xc3\xa9", ""});
  CHECK(f.read_strings("fixed") == std::vector<std::string>{"conv2d", "leaky_re_lu"});
  CHECK(f.read_string("scalar") == "tensorflow");
  CHECK(f.read_string("scalar_utf8") == "2.11.0");

  const hdf5::TypeInfo vlen = f.attribute_info("vlen_ascii");
  CHECK(vlen.dtype == "string");
  CHECK(vlen.variable_length);
  CHECK_FALSE(vlen.utf8);
  CHECK(vlen.shape == Shape{2});
  CHECK(f.attribute_info("vlen_utf8").utf8);
  const hdf5::TypeInfo fixed = f.attribute_info("fixed");
  CHECK_FALSE(fixed.variable_length);
  CHECK(fixed.element_size == 11);  // numpy's S11: the longest name
  const hdf5::TypeInfo scalar = f.attribute_info("scalar");
  CHECK(scalar.scalar);
  CHECK(scalar.shape.empty());
  CHECK(f.attribute_names() == std::vector<std::string>{"fixed", "scalar", "scalar_utf8", "vlen_ascii", "vlen_utf8"});
}

TEST_CASE("hdf5 an empty string list is written as Keras does, a float64 array of shape (0,)", "[hdf5]") {
  ScratchDir dir;
  const std::string path = dir.file("empty.h5");
  {
    hdf5::File f = hdf5::File::create(path);
    f.write_strings("weight_names", {});
    f.close();
  }
  const hdf5::File f = hdf5::File::open(path);
  const hdf5::TypeInfo info = f.attribute_info("weight_names");
  CHECK(info.dtype == "float64");
  CHECK(info.shape == Shape{0});
  CHECK(f.read_strings("weight_names").empty());
}

TEST_CASE("hdf5 long string lists are split into fixed-length name0, name1 chunks as numpy.array_split", "[hdf5]") {
  ScratchDir dir;
  const std::string path = dir.file("chunked.h5");
  // 2001 names of 40 bytes: 80,040 bytes > 64,512, so two chunks of 1001 and 1000 (40,040 bytes each at most).
  std::vector<std::string> names;
  for (int i = 0; i < 2001; ++i) names.push_back(fmt::format("layer_{:034d}", i));
  {
    hdf5::File f = hdf5::File::create(path);
    f.write_chunked_strings("layer_names", names);
    f.write_chunked_strings("short", {"a", "bb"});
    f.close();
  }
  const hdf5::File f = hdf5::File::open(path);
  CHECK_FALSE(f.has_attribute("layer_names"));
  CHECK(f.attribute_info("layer_names0").shape == Shape{1001});
  CHECK(f.attribute_info("layer_names1").shape == Shape{1000});
  CHECK_FALSE(f.attribute_info("layer_names0").variable_length);
  CHECK(f.attribute_info("layer_names0").element_size == 40);
  CHECK_FALSE(f.has_attribute("layer_names2"));
  CHECK(f.read_chunked_strings("layer_names") == names);
  // Short lists stay one variable-length attribute.
  CHECK(f.attribute_info("short").variable_length);
  CHECK(f.read_chunked_strings("short") == std::vector<std::string>{"a", "bb"});
  CHECK_THROWS_WITH(f.read_chunked_strings("missing"), Catch::Contains("attribute missing of /: missing") &&
                                                            Catch::Contains(path));
}

TEST_CASE("hdf5 reads the variable-length strings h5py 3 writes for Keras", "[hdf5]") {
  const hdf5::File f = hdf5::File::open(fixture("weights_keras211.h5"));
  CHECK(f.attribute_info("layer_names").variable_length);
  CHECK(f.read_chunked_strings("layer_names") == std::vector<std::string>{"conv2d", "leaky_re_lu", "flatten", "dense"});
  CHECK(f.attribute_info("backend").scalar);
  CHECK(f.read_string("backend") == "tensorflow");
  CHECK(f.read_string("keras_version") == "2.11.0");
  CHECK(f.open_group("conv2d").read_strings("weight_names") ==
        std::vector<std::string>{"conv2d/kernel:0", "conv2d/bias:0"});
  CHECK(f.open_group("flatten").read_strings("weight_names").empty());
}

TEST_CASE("hdf5 reads the fixed-length, chunked strings of h5py 2 era files", "[hdf5]") {
  const hdf5::File f = hdf5::File::open(fixture("weights_h5py2.h5"));
  CHECK_FALSE(f.attribute_info("layer_names0").variable_length);
  CHECK(f.read_chunked_strings("layer_names") == std::vector<std::string>{"conv2d", "leaky_re_lu", "flatten", "dense"});
  CHECK_FALSE(f.attribute_info("keras_version").variable_length);
  CHECK(f.read_string("keras_version") == "2.3.0-tf");
  CHECK(f.open_group("dense").read_strings("weight_names") == std::vector<std::string>{"dense/kernel:0", "dense/bias:0"});
}

TEST_CASE("hdf5 float32 datasets round trip with nested names, float64 ones convert", "[hdf5]") {
  ScratchDir dir;
  const std::string path = dir.file("data.h5");
  const Tensor kernel({2, 3}, {1.5f, -2.0f, 0.25f, 3.0f, -0.125f, 1e-7f});
  {
    hdf5::File f = hdf5::File::create(path);
    hdf5::Group g = f.create_group("conv2d");
    g.write_dataset("conv2d/kernel:0", kernel);
    g.write_dataset("conv2d/scalar:0", Tensor::scalar(4.0f));
    f.close();
  }
  const hdf5::File f = hdf5::File::open(path);
  CHECK(f.children() == std::vector<std::string>{"conv2d"});
  CHECK(f.open_group("conv2d").children() == std::vector<std::string>{"conv2d"});
  CHECK(f.has("conv2d/conv2d/kernel:0"));
  CHECK_FALSE(f.has("conv2d/conv2d/bias:0"));
  CHECK(f.dataset_info("conv2d/conv2d/kernel:0").dtype == "float32");
  CHECK(f.read_dataset("conv2d/conv2d/kernel:0") == kernel);
  CHECK(f.read_dataset("conv2d/conv2d/scalar:0") == Tensor::scalar(4.0f));

  const hdf5::File old = hdf5::File::open(fixture("weights_h5py2.h5"));
  CHECK(old.dataset_info("dense/dense/kernel:0").dtype == "float64");
  CHECK(old.read_dataset("dense/dense/kernel:0").shape() == Shape{18, 3});
}

TEST_CASE("hdf5 refuses integer datasets, naming the file and the dataset", "[hdf5]") {
  const std::string path = fixture("weights_int_kernel.h5");
  const hdf5::File f = hdf5::File::open(path);
  CHECK_THROWS_AS(f.read_dataset("conv2d/conv2d/kernel:0"), IOError);
  CHECK_THROWS_WITH(f.read_dataset("conv2d/conv2d/kernel:0"),
                    path + ": /conv2d/conv2d/kernel:0: dtype int32 is not supported; expected float32 or float64");
  CHECK_THROWS_WITH(f.read_dataset("conv2d/conv2d/nothing:0"), path + ": /conv2d/conv2d/nothing:0: no such dataset");
  CHECK_THROWS_WITH(f.open_group("nothing"), path + ": /nothing: no such group");
}

TEST_CASE("hdf5 a missing, non-HDF5 or truncated file is an IOError naming it", "[hdf5]") {
  ScratchDir dir;
  const std::string missing = dir.file("missing.h5");
  CHECK_THROWS_AS(hdf5::File::open(missing), IOError);
  CHECK_THROWS_WITH(hdf5::File::open(missing), "Unable to open file " + missing + ": No such file or directory");

  const std::string text = dir.file("text.h5");
  std::ofstream(text) << "{\"class_name\": \"Sequential\"}";
  CHECK_FALSE(hdf5::is_hdf5(text));
  CHECK_THROWS_WITH(hdf5::File::open(text), "Unable to open file " + text + ": not an HDF5 file (no HDF5 signature)");

  const std::string truncated = dir.file("truncated.h5");
  fs::copy_file(fixture("weights_keras211.h5"), truncated);
  fs::resize_file(truncated, fs::file_size(truncated) / 2);
  CHECK(hdf5::is_hdf5(truncated));  // the signature is still there
  CHECK_THROWS_WITH(hdf5::File::open(truncated),
                    "Unable to open file " + truncated + ": the HDF5 file is truncated or damaged");
}

TEST_CASE("hdf5 File::create never overwrites an existing file", "[hdf5]") {
  ScratchDir dir;
  const std::string path = dir.file("taken.h5");
  std::ofstream(path) << "keep me";
  CHECK_THROWS_WITH(hdf5::File::create(path), "Unable to create file " + path + ": the file exists");
  std::ifstream in(path);
  std::string content;
  std::getline(in, content);
  CHECK(content == "keep me");
}

TEST_CASE("hdf5 creating a group or dataset whose name is taken is an IOError", "[hdf5]") {
  ScratchDir dir;
  const std::string path = dir.file("dup.h5");
  hdf5::File f = hdf5::File::create(path);
  f.create_group("dense");
  CHECK_THROWS_WITH(f.create_group("dense"), path + ": /dense: cannot create the group: the name is already taken");
  hdf5::Group g = f.open_group("dense");
  g.write_dataset("w", Tensor::zeros({2}));
  CHECK_THROWS_WITH(g.write_dataset("w", Tensor::zeros({2})),
                    path + ": /dense/w: cannot create the dataset: the name is already taken");
}
