// load_weights and load_model on damaged and hostile .h5 files (tests/data/h5/
// make_hostile_fixtures.py): each is refused with a message naming the file and the
// object, before anything large is allocated, and the model keeps every weight it had.
#include <catch2/catch.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <utility>
#include <vector>

#include "strata/error.hpp"
#include "strata/layers/conv2d.hpp"
#include "strata/layers/dense.hpp"
#include "strata/layers/flatten.hpp"
#include "strata/layers/leaky_re_lu.hpp"
#include "strata/sequential.hpp"

using namespace strata;
using namespace strata::layers;

namespace {

std::string fixture(const std::string& name) { return std::string(STRATA_TEST_DATA_DIR) + "/h5/" + name; }

// The fixtures' model: Conv2D(2, 3) on (5, 5, 1) -> LeakyReLU -> Flatten -> Dense(3).
Sequential fixture_model() {
  backend::clear_session();
  Sequential model;
  model.add(Conv2D({.filters = 2, .kernel_size = 3, .input_shape = {5, 5, 1}}));
  model.add(LeakyReLU());
  model.add(Flatten());
  model.add(Dense({.units = 3}));
  return model;
}

std::vector<Tensor> snapshot(const Sequential& model) {
  std::vector<Tensor> values;
  for (const Variable& w : model.weights()) values.push_back(w.value());
  return values;
}

// The bytes of a fixture, for a damaged copy.
std::string fixture_bytes(const std::string& name) {
  std::ifstream in(fixture(name), std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

// Writes `bytes` to `name` in the temp folder and returns its path.
std::string write_temp_file(const std::string& name, const std::string& bytes) {
  const std::string path = (std::filesystem::temp_directory_path() / name).string();
  std::ofstream(path, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  return path;
}

// load_weights refuses `path` with `message` and the fixture model keeps every weight.
void check_load_weights_refuses(const std::string& path, const std::string& message) {
  Sequential model = fixture_model();
  const std::vector<Tensor> before = snapshot(model);
  CHECK_THROWS_MATCHES(model.load_weights(path), IOError, Catch::Message(message));
  CHECK(snapshot(model) == before);
}

// load_model and load_weights both refuse `path` with `message`; the file is removed.
void check_loads_refuse(const std::string& path, const std::string& message) {
  CHECK_THROWS_MATCHES(load_model(path), IOError, Catch::Message(message));
  check_load_weights_refuses(path, message);
  std::filesystem::remove(path);
}

}  // namespace

TEST_CASE("load_weights refuses damaged files by name and leaves the model exactly as it was", "[saving][hostile]") {
  struct Case {
    std::string file, message;
  };
  const std::vector<Case> cases = {
      {"weights_missing_group.h5", ": /dense: no such group"},
      {"weights_missing_dataset.h5", ": /dense/dense/kernel:0: no such dataset"},
      {"weights_group_as_dataset.h5", ": /dense/dense/kernel:0: not a dataset"},
      {"weights_string_kernel.h5",
       ": /dense/dense/kernel:0: dtype string is not supported; expected float32 or float64"},
      {"weights_numeric_layer_names.h5", ": attribute layer_names of /: expected strings, found int64 values"},
  };
  for (const Case& c : cases) {
    INFO(c.file);
    Sequential model = fixture_model();
    const std::vector<Tensor> before = snapshot(model);
    CHECK_THROWS_MATCHES(model.load_weights(fixture(c.file)), IOError, Catch::Message(fixture(c.file) + c.message));
    CHECK(snapshot(model) == before);
  }
}

TEST_CASE("load_weights refuses a dataset declaring 2^40 values from its shape, before reading it",
          "[saving][hostile]") {
  // The file is 15 KB; reading the dataset would allocate 4 TiB.
  Sequential model = fixture_model();
  const std::vector<Tensor> before = snapshot(model);
  CHECK_THROWS_MATCHES(model.load_weights(fixture("weights_huge_dataset.h5")), ShapeError,
                       Catch::Message("Shape mismatch in layer #1 (named dense) for weight dense/kernel:0. Weight "
                                      "expects shape (18, 3). Received saved weight with shape (1099511627776,)"));
  CHECK(snapshot(model) == before);
}

TEST_CASE("load_model refuses filters = 10^12 in model_config before allocating, naming file and JSON path",
          "[saving][hostile]") {
  const std::string path = fixture("model_huge_filters.h5");
  CHECK_THROWS_MATCHES(load_model(path), ConfigError,
                       Catch::Message(path + ": model_config: config.layers[1].config.filters: 1000000000000 is larger "
                                             "than 2147483647, the largest size strata reads from a config"));
}

TEST_CASE("load_model refuses a model_config nested 1000 deep", "[saving][hostile]") {
  const std::string path = fixture("model_deep_config.h5");
  CHECK_THROWS_MATCHES(
      load_model(path), ConfigError,
      Catch::Message(path + ": attribute model_config of /: invalid JSON: nested deeper than 100 levels at byte 100"));
}

namespace {

// model_keras211.h5 with the fourth object of its global heap (where its strings live)
// given a new index and size; returns the copy's path and the heap's offset.
std::pair<std::string, std::size_t> damaged_heap_copy(const std::string& name, std::uint16_t index,
                                                      std::uint64_t size) {
  std::string bytes = fixture_bytes("model_keras211.h5");
  const std::size_t heap = bytes.find("GCOL");
  REQUIRE(heap != std::string::npos);
  // Collection header (16 bytes), then objects of header 16 + data padded to 8: 6, 10, 1514 bytes.
  const std::size_t fourth = heap + 16 + (16 + 8) + (16 + 16) + (16 + 1520);
  REQUIRE(bytes[fourth] == 4);  // the fourth object's index (little-endian)
  std::memcpy(bytes.data() + fourth, &index, sizeof index);
  std::memcpy(bytes.data() + fourth + 8, &size, sizeof size);
  return {write_temp_file(name, bytes), heap};
}

}  // namespace

TEST_CASE("load_model and load_weights refuse a global heap that libhdf5 1.10 would loop on or read past",
          "[saving][hostile]") {
  // Both found by hdf5_fuzzer. Index 0 with size 0 (free space that takes no room): HDF5
  // 1.10.8 loops forever reading any string attribute. A size of 2^54: HDF5 copies that
  // many bytes out of a 4 KiB heap.
  const std::vector<std::pair<std::uint16_t, std::uint64_t>> damages{{0, 0}, {4, std::uint64_t{1} << 54}};
  for (const auto& [index, size] : damages) {
    INFO("index " << index << ", size " << size);
    const auto [path, heap] = damaged_heap_copy("strata_damaged_heap.h5", index, size);
    const std::string message = fmt::format(
        "Unable to open file {}: the HDF5 file is damaged (its global heap at byte {} is malformed)", path, heap);
    check_loads_refuse(path, message);
  }
}

TEST_CASE("load_model refuses a string whose heap ID points at no object, naming the attribute",
          "[saving][hostile]") {
  // Found by hdf5_fuzzer: libhdf5 1.10.8 follows such an ID out of its heap and crashes;
  // strata reads strings from its own checked copy of the heap instead.
  std::string bytes = fixture_bytes("model_keras211.h5");
  // model_config's descriptor as stored: length 1514, collection address 2048, index 3.
  const std::uint32_t length = 1514, index = 3, missing = 99;
  const std::uint64_t collection = 2048;
  std::string descriptor(16, '\0');
  std::memcpy(descriptor.data(), &length, 4);
  std::memcpy(descriptor.data() + 4, &collection, 8);
  std::memcpy(descriptor.data() + 12, &index, 4);
  const std::size_t at = bytes.find(descriptor);
  REQUIRE(at != std::string::npos);
  std::memcpy(bytes.data() + at + 12, &missing, 4);
  const std::string path = write_temp_file("strata_missing_heap_object.h5", bytes);
  CHECK_THROWS_MATCHES(load_model(path), IOError,
                       Catch::Message(path + ": attribute model_config of /: string 0 points outside the file's "
                                             "global heap (damaged file)"));
  std::filesystem::remove(path);
}

TEST_CASE("HDF5 files with an attribute message that does not fit in itself are refused before libhdf5 decodes it",
          "[saving][hostile]") {
  // Found by hdf5_fuzzer: libhdf5 1.10.8 reads past its buffer decoding such a message
  // (strdup of a name without its NUL, memcpy of a value larger than the message) and
  // can crash inside H5Aexists.
  const std::string original = fixture_bytes("model_keras211.h5");
  // model_config's attribute message (version 1): version, reserved, name size (2),
  // datatype size (2), dataspace size (2), then the name padded to 8 bytes, ...
  const std::size_t message = original.find(std::string("model_config\0", 13)) - 8;
  REQUIRE(original[message] == 1);
  REQUIRE(original[message + 2] == 13);
  struct Damage {
    std::size_t at;
    char value;
    std::string problem;
  };
  const std::vector<Damage> damages{
      {message + 2, 5, "its name has no end"},  // "model", no NUL within 5 bytes
      {message + 8 + 16 + 24 + 1, 1, "its dataspace is cut short"},  // rank 1 in an 8-byte dataspace
      // The string datatype's size field says 18 bytes per value; the message holds 16.
      {message + 8 + 16 + 4, 18, "its value is larger than the message"},
      // The datatype's first byte: class 9 (variable-length) and version 0, which no
      // datatype has (hdf5_datatype_check_test.cpp covers the datatype check itself).
      {message + 8 + 16, 0x09, "its datatype is malformed: version 0 is not a datatype version"},
  };
  for (const Damage& damage : damages) {
    INFO(damage.problem);
    std::string bytes = original;
    bytes[damage.at] = damage.value;
    const std::string path = write_temp_file("strata_damaged_attribute.h5", bytes);
    // The root group's object header is checked when the file is opened.
    CHECK_THROWS_MATCHES(load_model(path), IOError,
                         Catch::Message(fmt::format("Unable to open file {}: the HDF5 file is damaged (an attribute "
                                                    "message at byte {}: {})",
                                                    path, message, damage.problem)));
    std::filesystem::remove(path);
  }
}

TEST_CASE("HDF5 files whose root object header continues outside the file are refused before H5Fopen",
          "[saving][hostile]") {
  // Found by hdf5_fuzzer: libhdf5 1.10.8 copies from past its read buffer inside H5Fopen
  // when the root group's continuation block has an undefined address.
  std::string bytes = fixture_bytes("model_keras211.h5");
  // The root object header (at address 96) starts with a continuation message: type 0x10,
  // size 16, flags, reserved, then the block's address and length.
  const std::size_t continuation = 96 + 16;
  REQUIRE(bytes[continuation] == 0x10);
  std::fill(bytes.begin() + continuation + 8, bytes.begin() + continuation + 16, '\xff');
  const std::string path = write_temp_file("strata_root_outside.h5", bytes);
  const std::string message =
      "Unable to open file " + path +
      ": the HDF5 file is damaged (a block of the object header at address 96 lies outside the file)";
  check_loads_refuse(path, message);
}

TEST_CASE("HDF5 files whose local heap free list loops are refused before libhdf5 follows it",
          "[saving][hostile]") {
  // Found by hdf5_fuzzer: libhdf5 1.10.8 follows such a list forever, allocating a node
  // per step (21 GB in a minute).
  std::string bytes = fixture_bytes("model_keras211.h5");
  // A group's local heap: "HEAP", version 0, reserved (3), data size (8), offset of the
  // first free block (8), address of the data (8). A free block starts with the offset
  // of the next one; pointing the first at itself makes the loop.
  const std::size_t heap = bytes.find("HEAP");
  REQUIRE(heap != std::string::npos);
  std::uint64_t first = 0, data = 0;
  std::memcpy(&first, bytes.data() + heap + 16, 8);
  std::memcpy(&data, bytes.data() + heap + 24, 8);
  REQUIRE(first != 1);
  std::memcpy(bytes.data() + data + first, &first, 8);
  const std::string path = write_temp_file("strata_looping_local_heap.h5", bytes);
  CHECK_THROWS_MATCHES(load_model(path), IOError,
                       Catch::Message(fmt::format("Unable to open file {}: the HDF5 file is damaged (its symbol "
                                                  "table: the free list of the local heap at address {} is malformed)",
                                                  path, heap)));
  std::filesystem::remove(path);
}

TEST_CASE("HDF5 files whose object headers or local heaps are damaged are refused before libhdf5 reads them",
          "[saving][hostile]") {
  // Found by hdf5_fuzzer: from each of these libhdf5 1.10.8 allocates gigabytes (a block
  // or heap size read from the damaged field) or reads past its buffers.
  const std::string original = fixture_bytes("model_keras211.h5");
  auto put = [](std::string& bytes, std::size_t at, std::uint64_t value, std::size_t width) {
    std::memcpy(bytes.data() + at, &value, width);
  };
  auto get = [](const std::string& bytes, std::size_t at) {
    std::uint64_t value = 0;
    std::memcpy(&value, bytes.data() + at, 8);
    return value;
  };
  // The root group's local heap: "HEAP", version, reserved (3), data size (8), first free
  // block (8), data address (8). Its names: "" at 0, "model_weights" at 8.
  const std::size_t heap = original.find("HEAP");
  const std::uint64_t heap_size = get(original, heap + 8);
  // The root group's symbol node: "SNOD", version, reserved, count (2), then entries of
  // name offset (8), object header address (8), ... The first is model_weights.
  const std::size_t node = original.find("SNOD");
  REQUIRE(get(original, node + 8) == 8);
  const std::uint64_t model_weights = get(original, node + 16);
  // The root object header (address 96) continues at 0x320 with its symbol table message.
  const std::size_t continuation = 0x320;
  REQUIRE(original[continuation] == 0x11);

  struct Damage {
    std::string name;
    std::size_t at;
    std::uint64_t value;
    std::size_t width;
    std::string group;  // the damaged group: "/" is checked when the file is opened
    std::string problem;
  };
  const std::vector<Damage> damages{
      {"a continuation message too short for its address and length", continuation, 0x10, 4, "/",
       "object header at address 96: the continuation message at byte 0 of a block is cut short"},
      {"a local heap larger than the file", heap + 8, 1ull << 33, 8, "/",
       fmt::format("its symbol table: the local heap at address {} lies outside the file", heap)},
      {"a symbol whose name lies outside the local heap", node + 8, heap_size, 8, "/",
       fmt::format("its symbol table: entry 0 of the symbol node at address {} names no name in the heap", node)},
      {"a group whose object header is larger than the file", model_weights + 8, 0xfffffff0, 4, "/model_weights",
       fmt::format("a block of the object header at address {} lies outside the file", model_weights)},
  };
  for (const Damage& damage : damages) {
    INFO(damage.name);
    std::string bytes = original;
    put(bytes, damage.at, damage.value, damage.width);
    const std::string path = write_temp_file("strata_damaged_header.h5", bytes);
    // model_weights is checked when load_model opens it (the model_config before it is intact).
    const std::string where = damage.group == "/" ? "Unable to open file " + path : path + ": " + damage.group;
    check_loads_refuse(path, where + ": the HDF5 file is damaged (" + damage.problem + ")");
  }
}

TEST_CASE("Keras's own files pass the global heap check", "[saving][hostile]") {
  CHECK_NOTHROW(load_model(fixture("model_keras211.h5")));
  CHECK_NOTHROW(load_model(fixture("model_compiled_keras211.h5")));
}
