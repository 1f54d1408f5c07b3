// A small internal RAII wrapper over libhdf5's C API: files, groups, string attributes
// (fixed- and variable-length, ASCII and UTF-8, scalars or arrays, Keras's chunked
// `layer_names0, layer_names1, ...`) and float datasets. Every failure is a strata::IOError
// naming the file and the object; libhdf5's own error printing is switched off.
// Internal: <hdf5.h> stays out of this header so the tests need no HDF5 include path.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "strata/tensor.hpp"

namespace strata::hdf5 {

using Id = std::int64_t;  // libhdf5's hid_t (checked in hdf5_object.cpp)

namespace detail {
class GlobalHeap;
}

// Turns off libhdf5's printing of its error stack (idempotent); we throw instead.
void silence_library_errors();
// True when `path` is a readable HDF5 file (the signature may sit after a user block).
bool is_hdf5(const std::string& path);

// Owns one libhdf5 identifier and closes it with the matching H5?close.
class Handle {
 public:
  using Closer = int (*)(Id);
  Handle() = default;
  Handle(Id id, Closer closer) : id_(id), closer_(closer) {}
  Handle(Handle&& other) noexcept;
  Handle& operator=(Handle&& other) noexcept;
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  ~Handle() { reset(); }

  Id get() const { return id_; }
  bool valid() const { return id_ >= 0; }
  void reset();
  // Gives up ownership without closing.
  Id release() { Id id = id_; id_ = -1; return id; }

 private:
  Id id_ = -1;
  Closer closer_ = nullptr;
};

// How strings are stored. h5py 3 writes `bytes` as variable-length ASCII and `str` as
// variable-length UTF-8; numpy `S` arrays (h5py 2, Keras's chunked attributes) are fixed-length.
enum class StringKind { variable_ascii, variable_utf8, fixed_ascii };

// What an attribute or dataset holds, for checks and messages.
struct TypeInfo {
  std::string dtype;        // numpy's name: "float32", "float64", "int32", "string", ...
  bool variable_length = false;  // strings only
  bool utf8 = false;             // strings only
  std::size_t element_size = 0;  // bytes; fixed-length strings: the fixed length
  bool scalar = false;           // a scalar dataspace (no dimensions)
  Shape shape;                   // empty for scalars
};

class Group {
 public:
  const std::string& file_name() const { return file_; }
  const std::string& path() const { return path_; }  // "/", "/model_weights/conv2d"
  // "<path>/<child>" for messages and nested objects.
  std::string child_path(const std::string& child) const;

  bool has_attribute(const std::string& name) const;
  std::vector<std::string> attribute_names() const;  // in name order
  TypeInfo attribute_info(const std::string& name) const;
  // True when a link (group or dataset) exists at this relative path; `a/b:0` is allowed.
  // Files opened for reading: the object header of each object on the path is checked
  // before libhdf5 reads it (hdf5_object_header.hpp); IOError when one is damaged. Every
  // open goes through here, so libhdf5 only meets headers strata has checked.
  bool has(const std::string& relative_path) const;
  // Link names directly under this group, in libhdf5's name order.
  std::vector<std::string> children() const;

  Group open_group(const std::string& relative_path) const;
  // Creates a group (intermediate groups too); IOError when it exists.
  Group create_group(const std::string& relative_path);

  // Every string of an attribute, whatever its storage; an empty numeric array (Keras's
  // empty weight_names) reads as no strings. IOError for other types.
  std::vector<std::string> read_strings(const std::string& name) const;
  // Keras's load_attributes_from_hdf5_group: `name`, or else `name0`, `name1`, ... joined.
  // IOError when neither exists.
  std::vector<std::string> read_chunked_strings(const std::string& name) const;
  // One string (a scalar or a one-element array).
  std::string read_string(const std::string& name) const;

  // A 1-d string array; an empty list is written as Keras does: a float64 array of shape (0,).
  void write_strings(const std::string& name, const std::vector<std::string>& values,
                     StringKind kind = StringKind::variable_ascii);
  void write_string(const std::string& name, const std::string& value,
                    StringKind kind = StringKind::variable_ascii);
  // Keras's save_attributes_to_hdf5_group: one variable-length array when it fits in 64512
  // bytes (counted as numpy does: count * longest), else fixed-length chunks `name0`, ...
  void write_chunked_strings(const std::string& name, const std::vector<std::string>& values);

  TypeInfo dataset_info(const std::string& relative_path) const;
  // A float32 or float64 dataset as float32; IOError for other dtypes.
  Tensor read_dataset(const std::string& relative_path) const;
  // A float32 dataset (intermediate groups created, as h5py does for `kernel` in `conv2d/kernel:0`).
  void write_dataset(const std::string& relative_path, const Tensor& value);

  Id id() const { return handle_.get(); }
  const detail::GlobalHeap* heap() const { return heap_.get(); }

 protected:
  Group(Handle handle, std::string file, std::string path)
      : handle_(std::move(handle)), file_(std::move(file)), path_(std::move(path)) {}
  Handle handle_;
  std::string file_;
  std::string path_;
  // Files opened for reading: where variable-length strings are read from (nullptr: libhdf5
  // reads them, for files strata writes).
  std::shared_ptr<const detail::GlobalHeap> heap_;
  // IOError when the object header at relative_path (a hard link) is damaged.
  void check_object_header(const std::string& relative_path) const;
};

class File : public Group {
 public:
  // Read-only. IOError: missing file, not an HDF5 file, truncated or unreadable.
  static File open(const std::string& path);
  // Creates a new file; IOError when `path` exists (writers go through a fresh temp file).
  static File create(const std::string& path);
  // Flushes and closes; IOError when the data cannot be written. The destructor closes too
  // but cannot report errors.
  void close();

 private:
  File(Handle handle, std::string path) : Group(std::move(handle), std::move(path), "/") {}
};

// Keras's HDF5_OBJECT_HEADER_LIMIT: attributes larger than this are split.
inline constexpr std::size_t kObjectHeaderLimit = 64512;

}  // namespace strata::hdf5
