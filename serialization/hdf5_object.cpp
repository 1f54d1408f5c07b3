// HDF5 handles, files and groups: opening, creating, listing, and the error plumbing.
#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <utility>

#include "serialization/hdf5_detail.hpp"
#include "serialization/hdf5_global_heap.hpp"
#include "serialization/hdf5_symbol_table.hpp"

namespace strata::hdf5 {

namespace detail {

void fail(const std::string& file, const std::string& object, const std::string& what) {
  throw IOError(fmt::format("{}: {}: {}", file, object, what));
}

std::string dtype_name(hid_t type) {
  const H5T_class_t cls = H5Tget_class(type);
  const std::size_t size = H5Tget_size(type);
  switch (cls) {
    case H5T_FLOAT:
      return fmt::format("float{}", size * 8);
    case H5T_INTEGER:
      return fmt::format("{}int{}", H5Tget_sign(type) == H5T_SGN_NONE ? "u" : "", size * 8);
    case H5T_STRING:
      return "string";
    case H5T_COMPOUND:
      return "compound";
    case H5T_ENUM:
      return "enum";
    case H5T_ARRAY:
      return "array";
    case H5T_VLEN:
      return "vlen";
    case H5T_REFERENCE:
      return "reference";
    default:
      return "opaque";
  }
}

TypeInfo type_info(hid_t type, hid_t space) {
  TypeInfo info;
  info.dtype = dtype_name(type);
  info.element_size = H5Tget_size(type);
  if (H5Tget_class(type) == H5T_STRING) {
    info.variable_length = H5Tis_variable_str(type) > 0;
    info.utf8 = H5Tget_cset(type) == H5T_CSET_UTF8;
  }
  const H5S_class_t space_class = H5Sget_simple_extent_type(space);
  info.scalar = space_class == H5S_SCALAR;
  if (space_class == H5S_SIMPLE) {
    const int rank = H5Sget_simple_extent_ndims(space);
    std::vector<hsize_t> dims(rank > 0 ? rank : 0);
    if (rank > 0) H5Sget_simple_extent_dims(space, dims.data(), nullptr);
    for (hsize_t d : dims) info.shape.push_back(static_cast<std::size_t>(d));
  }
  return info;
}

}  // namespace detail

using detail::fail;

void silence_library_errors() {
  static std::once_flag once;
  std::call_once(once, [] {
    H5open();
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  });
}

bool is_hdf5(const std::string& path) {
  silence_library_errors();
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) return false;
  return H5Fis_hdf5(path.c_str()) > 0;
}

Handle::Handle(Handle&& other) noexcept : id_(std::exchange(other.id_, -1)), closer_(other.closer_) {}

Handle& Handle::operator=(Handle&& other) noexcept {
  if (this != &other) {
    reset();
    id_ = std::exchange(other.id_, -1);
    closer_ = other.closer_;
  }
  return *this;
}

void Handle::reset() {
  if (id_ >= 0 && closer_) closer_(id_);
  id_ = -1;
}

// ---- Files ----

File File::open(const std::string& path) {
  silence_library_errors();
  std::error_code ec;
  if (!std::filesystem::exists(path, ec))
    throw IOError(fmt::format("Unable to open file {}: No such file or directory", path));
  if (std::filesystem::is_directory(path, ec))
    throw IOError(fmt::format("Unable to open file {}: it is a directory", path));
  {
    std::ifstream probe(path, std::ios::binary);
    if (!probe) throw IOError(fmt::format("Unable to open file {}: {}", path, std::strerror(errno)));
  }
  if (H5Fis_hdf5(path.c_str()) <= 0)
    throw IOError(fmt::format("Unable to open file {}: not an HDF5 file (no HDF5 signature)", path));
  // Read and checked before libhdf5 sees the file (hdf5_global_heap.hpp says why).
  std::shared_ptr<const detail::GlobalHeap> heap = detail::GlobalHeap::read(path);
  if (heap) {
    std::optional<std::string> problem;
    if (heap->layout().root != 0) problem = detail::damaged_object_header(heap->layout(), heap->layout().root);
    if (const auto& cached = heap->layout().root_cached_table; !problem && cached)
      problem = detail::damaged_symbol_table(heap->layout(), cached->first, cached->second);
    if (problem) throw IOError(fmt::format("Unable to open file {}: the HDF5 file is damaged ({})", path, *problem));
  }
  const hid_t id = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  if (id < 0)
    throw IOError(fmt::format("Unable to open file {}: the HDF5 file is truncated or damaged", path));
  File file(Handle(id, &H5Fclose), path);
  file.heap_ = std::move(heap);
  return file;
}

File File::create(const std::string& path) {
  silence_library_errors();
  const hid_t id = H5Fcreate(path.c_str(), H5F_ACC_EXCL, H5P_DEFAULT, H5P_DEFAULT);
  if (id < 0) {
    std::error_code ec;
    const bool exists = std::filesystem::exists(path, ec);
    throw IOError(fmt::format("Unable to create file {}: {}", path, exists ? "the file exists" : "cannot write there"));
  }
  return File(Handle(id, &H5Fclose), path);
}

void File::close() {
  if (!handle_.valid()) return;
  const bool flushed = H5Fflush(handle_.get(), H5F_SCOPE_LOCAL) >= 0;
  // Closed here rather than by the destructor, so a failing close is reported.
  const herr_t closed = H5Fclose(handle_.release());
  if (!flushed || closed < 0) throw IOError(fmt::format("Unable to write file {}", file_));
}

// ---- Groups ----

std::string Group::child_path(const std::string& child) const {
  return path_ == "/" ? "/" + child : path_ + "/" + child;
}

void Group::check_object_header(const std::string& relative_path) const {
  if (!heap_) return;
  H5L_info_t link;
  if (H5Lget_info(id(), relative_path.c_str(), &link, H5P_DEFAULT) < 0 || link.type != H5L_TYPE_HARD) return;
  if (std::optional<std::string> problem = detail::damaged_object_header(heap_->layout(), link.u.address))
    fail(file_, child_path(relative_path), fmt::format("the HDF5 file is damaged ({})", *problem));
}

bool Group::has_attribute(const std::string& name) const {
  return H5Aexists(id(), name.c_str()) > 0;
}

std::vector<std::string> Group::attribute_names() const {
  std::vector<std::string> names;
  auto collect = [](hid_t, const char* name, const H5A_info_t*, void* out) -> herr_t {
    static_cast<std::vector<std::string>*>(out)->emplace_back(name);
    return 0;
  };
  hsize_t index = 0;
  if (H5Aiterate2(id(), H5_INDEX_NAME, H5_ITER_INC, &index, collect, &names) < 0)
    fail(file_, path_, "cannot list attributes");
  return names;
}

bool Group::has(const std::string& relative_path) const {
  // H5Lexists needs every intermediate link to exist, so walk the path one step at a time.
  std::string prefix;
  std::size_t start = 0;
  while (start <= relative_path.size()) {
    const std::size_t slash = relative_path.find('/', start);
    const std::string part = relative_path.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
    if (part.empty()) return false;
    prefix += (prefix.empty() ? "" : "/") + part;
    if (H5Lexists(id(), prefix.c_str(), H5P_DEFAULT) <= 0) return false;
    check_object_header(prefix);  // before libhdf5 reads it, to look further or to open it
    if (slash == std::string::npos) return true;
    start = slash + 1;
  }
  return false;
}

std::vector<std::string> Group::children() const {
  std::vector<std::string> names;
  auto collect = [](hid_t, const char* name, const H5L_info_t*, void* out) -> herr_t {
    static_cast<std::vector<std::string>*>(out)->emplace_back(name);
    return 0;
  };
  hsize_t index = 0;
  if (H5Literate(id(), H5_INDEX_NAME, H5_ITER_INC, &index, collect, &names) < 0)
    fail(file_, path_, "cannot list the group's members");
  return names;
}

Group Group::open_group(const std::string& relative_path) const {
  const std::string where = child_path(relative_path);
  if (!has(relative_path)) fail(file_, where, "no such group");
  const hid_t gid = H5Gopen2(id(), relative_path.c_str(), H5P_DEFAULT);
  if (gid < 0) fail(file_, where, "not a group");
  Group group(detail::group_handle(gid), file_, where);
  group.heap_ = heap_;
  return group;
}

Group Group::create_group(const std::string& relative_path) {
  const std::string where = child_path(relative_path);
  if (has(relative_path)) fail(file_, where, "cannot create the group: the name is already taken");
  Handle lcpl = detail::plist_handle(H5Pcreate(H5P_LINK_CREATE));
  H5Pset_create_intermediate_group(lcpl.get(), 1);
  const hid_t gid = H5Gcreate2(id(), relative_path.c_str(), lcpl.get(), H5P_DEFAULT, H5P_DEFAULT);
  if (gid < 0) fail(file_, where, "cannot create the group");
  return Group(detail::group_handle(gid), file_, where);
}

}  // namespace strata::hdf5
