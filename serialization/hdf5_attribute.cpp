// HDF5 string attributes as Keras and h5py write them: variable-length (h5py 3) or
// fixed-length (h5py 2, numpy `S` arrays), ASCII or UTF-8, scalar or 1-d, and Keras's
// chunked `name0, name1, ...` form for long lists (KERAS.md 7.1). Variable-length strings
// of files opened for reading come from strata's checked copy of the global heap
// (hdf5_global_heap.hpp), not from libhdf5's heap reader.
#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <mutex>

#include "serialization/hdf5_bytes.hpp"
#include "serialization/hdf5_detail.hpp"
#include "serialization/hdf5_global_heap.hpp"

namespace strata::hdf5 {

using detail::fail;

namespace {

std::string attribute_where(const Group& group, const std::string& name) {
  return fmt::format("attribute {} of {}", name, group.path());
}

struct OpenAttribute {
  Handle attribute, type, space;
  hssize_t count = 0;
};

OpenAttribute open_attribute(const Group& group, const std::string& name) {
  const std::string where = attribute_where(group, name);
  if (!group.has_attribute(name)) fail(group.file_name(), where, "missing");
  OpenAttribute a;
  a.attribute = detail::attribute_handle(H5Aopen(group.id(), name.c_str(), H5P_DEFAULT));
  if (!a.attribute.valid()) fail(group.file_name(), where, "cannot open");
  a.type = detail::datatype_handle(H5Aget_type(a.attribute.get()));
  a.space = detail::dataspace_handle(H5Aget_space(a.attribute.get()));
  if (!a.type.valid() || !a.space.valid()) fail(group.file_name(), where, "cannot read its type");
  a.count = H5Sget_simple_extent_npoints(a.space.get());
  if (a.count < 0) fail(group.file_name(), where, "cannot read its size");
  return a;
}

// ---- Variable-length strings, read from strata's own copy of the global heap ----

constexpr const char* kDescriptorTag = "strata: variable-length string descriptor";

bool is_descriptor_type(hid_t type) {
  if (H5Tget_class(type) != H5T_OPAQUE) return false;
  char* tag = H5Tget_tag(type);
  const bool ours = tag && std::strcmp(tag, kDescriptorTag) == 0;
  H5free_memory(tag);
  return ours;
}

// libhdf5's conversion from a file's variable-length strings to the descriptor type: none
// at all, so the buffer keeps each string's descriptor as stored (its length, then the heap
// ID of its bytes: collection address and object index) and libhdf5 never reads the heap.
herr_t keep_descriptors(hid_t source, hid_t destination, H5T_cdata_t* data, std::size_t, std::size_t, std::size_t,
                        void*, void*, hid_t) {
  if (data->command != H5T_CONV_INIT) return 0;  // converting in place between equal sizes: nothing to do
  const bool applies = is_descriptor_type(destination) && H5Tis_variable_str(source) > 0 &&
                       H5Tget_size(source) == H5Tget_size(destination);
  return applies ? 0 : -1;
}

Handle descriptor_type(std::size_t size) {
  static std::once_flag registered;
  std::call_once(registered, [] {
    Handle string = detail::datatype_handle(H5Tcopy(H5T_C_S1));
    H5Tset_size(string.get(), H5T_VARIABLE);
    Handle raw = detail::datatype_handle(H5Tcreate(H5T_OPAQUE, 16));
    H5Tset_tag(raw.get(), kDescriptorTag);
    H5Tregister(H5T_PERS_SOFT, "strata: keep string descriptors", string.get(), raw.get(), keep_descriptors);
  });
  Handle type = detail::datatype_handle(H5Tcreate(H5T_OPAQUE, size));
  H5Tset_tag(type.get(), kDescriptorTag);
  return type;
}

// Fails unless the attribute stores `element_size` bytes for each of its `count` elements:
// a dataspace that claims more than the file holds is refused before anything is allocated.
void check_storage(const Group& group, const std::string& name, const OpenAttribute& a, std::size_t element_size) {
  const hsize_t stored = H5Aget_storage_size(a.attribute.get());
  if (element_size == 0 || stored / element_size < static_cast<hsize_t>(a.count))
    fail(group.file_name(), attribute_where(group, name),
         fmt::format("declares {} strings but stores {} bytes (damaged file)", a.count, stored));
}

std::vector<std::string> read_variable(const Group& group, const std::string& name, const OpenAttribute& a) {
  const detail::GlobalHeap& heap = *group.heap();
  const std::size_t offset_size = heap.offset_size(), size = 4 + offset_size + 4;
  check_storage(group, name, a, size);
  Handle type = descriptor_type(size);
  std::string descriptors(size * static_cast<std::size_t>(a.count), '\0');
  if (H5Aread(a.attribute.get(), type.get(), descriptors.data()) < 0)
    fail(group.file_name(), attribute_where(group, name), "cannot read the strings");
  std::vector<std::string> out;
  for (std::size_t i = 0; i < static_cast<std::size_t>(a.count); ++i) {
    const char* d = descriptors.data() + i * size;
    const std::uint64_t length = detail::little_endian(d, 4);
    if (length == 0) {  // an empty string or a null pointer
      out.emplace_back();
      continue;
    }
    const auto bytes = heap.object(detail::little_endian(d + 4, offset_size),
                                   static_cast<std::uint32_t>(detail::little_endian(d + 4 + offset_size, 4)));
    if (!bytes || bytes->size() < length)
      fail(group.file_name(), attribute_where(group, name),
           fmt::format("string {} points outside the file's global heap (damaged file)", i));
    out.emplace_back(bytes->substr(0, length));
  }
  return out;
}

// Files strata is writing have no heap copy: libhdf5 reads their strings.
std::vector<std::string> read_variable_with_libhdf5(const Group& group, const std::string& name,
                                                    const OpenAttribute& a) {
  Handle memory = detail::datatype_handle(H5Tcopy(H5T_C_S1));
  H5Tset_size(memory.get(), H5T_VARIABLE);
  H5Tset_cset(memory.get(), H5Tget_cset(a.type.get()));  // libhdf5 will not convert between character sets
  std::vector<char*> pointers(static_cast<std::size_t>(a.count), nullptr);
  if (H5Aread(a.attribute.get(), memory.get(), pointers.data()) < 0)
    fail(group.file_name(), attribute_where(group, name), "cannot read the strings");
  std::vector<std::string> out;
  for (char* p : pointers) out.emplace_back(p ? p : "");
  H5Dvlen_reclaim(memory.get(), a.space.get(), H5P_DEFAULT, pointers.data());
  return out;
}

std::vector<std::string> read_fixed(const Group& group, const std::string& name, const OpenAttribute& a) {
  const std::size_t size = H5Tget_size(a.type.get());
  check_storage(group, name, a, size);
  const bool space_padded = H5Tget_strpad(a.type.get()) == H5T_STR_SPACEPAD;
  std::vector<char> buffer(size * static_cast<std::size_t>(a.count) + 1, '\0');
  if (H5Aread(a.attribute.get(), a.type.get(), buffer.data()) < 0)
    fail(group.file_name(), attribute_where(group, name), "cannot read the strings");
  std::vector<std::string> out;
  for (hssize_t i = 0; i < a.count; ++i) {
    const char* begin = buffer.data() + static_cast<std::size_t>(i) * size;
    std::string s(begin, std::find(begin, begin + size, '\0'));
    if (space_padded) s.erase(s.find_last_not_of(' ') + 1);
    out.push_back(std::move(s));
  }
  return out;
}

// `values` as one string type and dataspace: variable-length char* or fixed-length padded.
struct StringBuffer {
  Handle type;
  std::vector<const char*> pointers;
  std::vector<char> fixed;
  const void* data() const { return fixed.empty() ? static_cast<const void*>(pointers.data()) : fixed.data(); }
};

// `fixed_size` 0: the longest string (numpy's `S<n>` itemsize, at least 1).
StringBuffer make_buffer(const std::vector<std::string>& values, StringKind kind, std::size_t fixed_size = 0) {
  StringBuffer b;
  b.type = detail::datatype_handle(H5Tcopy(H5T_C_S1));
  if (kind == StringKind::fixed_ascii) {
    // numpy's `S<n>` as h5py stores it: zero padded.
    std::size_t size = std::max<std::size_t>(fixed_size, 1);
    for (const auto& v : values) size = std::max(size, v.size());
    H5Tset_size(b.type.get(), size);
    H5Tset_strpad(b.type.get(), H5T_STR_NULLPAD);
    b.fixed.assign(size * std::max<std::size_t>(values.size(), 1), '\0');
    for (std::size_t i = 0; i < values.size(); ++i) std::copy(values[i].begin(), values[i].end(), b.fixed.begin() + i * size);
  } else {
    H5Tset_size(b.type.get(), H5T_VARIABLE);
    for (const auto& v : values) b.pointers.push_back(v.c_str());
  }
  H5Tset_cset(b.type.get(), kind == StringKind::variable_utf8 ? H5T_CSET_UTF8 : H5T_CSET_ASCII);
  return b;
}

void write_attribute(Group& group, const std::string& name, hid_t type, hid_t space, const void* data) {
  const std::string where = attribute_where(group, name);
  if (group.has_attribute(name) && H5Adelete(group.id(), name.c_str()) < 0) fail(group.file_name(), where, "cannot replace");
  Handle attribute = detail::attribute_handle(H5Acreate2(group.id(), name.c_str(), type, space, H5P_DEFAULT, H5P_DEFAULT));
  if (!attribute.valid()) fail(group.file_name(), where, "cannot create");
  if (H5Awrite(attribute.get(), type, data) < 0) fail(group.file_name(), where, "cannot write");
}

}  // namespace

TypeInfo Group::attribute_info(const std::string& name) const {
  const OpenAttribute a = open_attribute(*this, name);
  return detail::type_info(a.type.get(), a.space.get());
}

std::vector<std::string> Group::read_strings(const std::string& name) const {
  const OpenAttribute a = open_attribute(*this, name);
  const H5T_class_t cls = H5Tget_class(a.type.get());
  // Keras writes an empty list as a float64 array of shape (0,).
  if (a.count == 0 && (cls == H5T_FLOAT || cls == H5T_INTEGER || cls == H5T_STRING)) return {};
  if (cls != H5T_STRING)
    fail(file_, attribute_where(*this, name),
         fmt::format("expected strings, found {} values", detail::dtype_name(a.type.get())));
  if (H5Tis_variable_str(a.type.get()) <= 0) return read_fixed(*this, name, a);
  return heap_ ? read_variable(*this, name, a) : read_variable_with_libhdf5(*this, name, a);
}

std::vector<std::string> Group::read_chunked_strings(const std::string& name) const {
  if (has_attribute(name)) return read_strings(name);
  if (!has_attribute(name + "0")) fail(file_, attribute_where(*this, name), "missing");
  std::vector<std::string> out;
  for (int chunk = 0; has_attribute(fmt::format("{}{}", name, chunk)); ++chunk) {
    std::vector<std::string> part = read_strings(fmt::format("{}{}", name, chunk));
    out.insert(out.end(), part.begin(), part.end());
  }
  return out;
}

std::string Group::read_string(const std::string& name) const {
  std::vector<std::string> values = read_strings(name);
  if (values.size() != 1)
    fail(file_, attribute_where(*this, name), fmt::format("expected one string, found {}", values.size()));
  return values.front();
}

void Group::write_strings(const std::string& name, const std::vector<std::string>& values, StringKind kind) {
  if (values.empty()) {
    const hsize_t zero = 0;
    Handle space = detail::dataspace_handle(H5Screate_simple(1, &zero, nullptr));
    const double nothing = 0.0;
    write_attribute(*this, name, H5T_IEEE_F64LE, space.get(), &nothing);
    return;
  }
  const StringBuffer buffer = make_buffer(values, kind);
  const hsize_t count = values.size();
  Handle space = detail::dataspace_handle(H5Screate_simple(1, &count, nullptr));
  write_attribute(*this, name, buffer.type.get(), space.get(), buffer.data());
}

void Group::write_string(const std::string& name, const std::string& value, StringKind kind) {
  const std::vector<std::string> values{value};  // outlives the buffer's pointers
  const StringBuffer buffer = make_buffer(values, kind);
  Handle space = detail::dataspace_handle(H5Screate(H5S_SCALAR));
  write_attribute(*this, name, buffer.type.get(), space.get(), buffer.data());
}

void Group::write_chunked_strings(const std::string& name, const std::vector<std::string>& values) {
  std::size_t longest = 0;
  for (const auto& v : values) {
    if (v.size() > kObjectHeaderLimit)
      fail(file_, attribute_where(*this, name),
           fmt::format("a string of {} bytes is larger than {} bytes and cannot be saved", v.size(), kObjectHeaderLimit));
    longest = std::max(longest, v.size());
  }
  // As Keras: numpy.array_split into the fewest chunks whose nbytes (count * longest) fit.
  std::size_t chunks = 1;
  auto largest_chunk = [&] { return (values.size() + chunks - 1) / chunks; };
  while (largest_chunk() * longest > kObjectHeaderLimit) ++chunks;
  if (chunks == 1) {
    write_strings(name, values);
    return;
  }
  std::size_t start = 0;
  for (std::size_t c = 0; c < chunks; ++c) {
    // array_split: the first (n % chunks) chunks hold one more item.
    const std::size_t size = values.size() / chunks + (c < values.size() % chunks ? 1 : 0);
    const std::vector<std::string> part(values.begin() + start, values.begin() + start + size);
    // Each chunk keeps the whole array's item size, as numpy slices do.
    const StringBuffer buffer = make_buffer(part, StringKind::fixed_ascii, longest);
    const hsize_t count = part.size();
    Handle space = detail::dataspace_handle(H5Screate_simple(1, &count, nullptr));
    write_attribute(*this, fmt::format("{}{}", name, c), buffer.type.get(), space.get(), buffer.data());
    start += size;
  }
}

}  // namespace strata::hdf5
