// HDF5 datasets of weights: float32 on write (as Keras saves float32 variables), float32 or
// float64 on read (float64 converted), anything else refused with the dataset's name.
#include <fmt/format.h>

#include "serialization/hdf5_detail.hpp"

namespace strata::hdf5 {

using detail::fail;

namespace {

struct OpenDataset {
  Handle dataset, type, space;
};

OpenDataset open_dataset(const Group& group, const std::string& relative_path) {
  const std::string where = group.child_path(relative_path);
  if (!group.has(relative_path)) fail(group.file_name(), where, "no such dataset");
  OpenDataset d;
  d.dataset = detail::dataset_handle(H5Dopen2(group.id(), relative_path.c_str(), H5P_DEFAULT));
  if (!d.dataset.valid()) fail(group.file_name(), where, "not a dataset");
  d.type = detail::datatype_handle(H5Dget_type(d.dataset.get()));
  d.space = detail::dataspace_handle(H5Dget_space(d.dataset.get()));
  if (!d.type.valid() || !d.space.valid()) fail(group.file_name(), where, "cannot read its type");
  return d;
}

}  // namespace

TypeInfo Group::dataset_info(const std::string& relative_path) const {
  const OpenDataset d = open_dataset(*this, relative_path);
  return detail::type_info(d.type.get(), d.space.get());
}

Tensor Group::read_dataset(const std::string& relative_path) const {
  const std::string where = child_path(relative_path);
  const OpenDataset d = open_dataset(*this, relative_path);
  const TypeInfo info = detail::type_info(d.type.get(), d.space.get());
  if (info.dtype != "float32" && info.dtype != "float64")
    fail(file_, where, fmt::format("dtype {} is not supported; expected float32 or float64", info.dtype));
  if (!info.scalar && H5Sget_simple_extent_type(d.space.get()) != H5S_SIMPLE) fail(file_, where, "the dataset holds no data");
  Tensor value(info.shape);
  // libhdf5 converts float64 to float32 (round to nearest) while reading.
  if (value.size() > 0 && H5Dread(d.dataset.get(), H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, value.data()) < 0)
    fail(file_, where, "cannot read the data (truncated or damaged file?)");
  return value;
}

void Group::write_dataset(const std::string& relative_path, const Tensor& value) {
  const std::string where = child_path(relative_path);
  if (has(relative_path)) fail(file_, where, "cannot create the dataset: the name is already taken");
  std::vector<hsize_t> dims(value.shape().begin(), value.shape().end());
  Handle space = detail::dataspace_handle(dims.empty() ? H5Screate(H5S_SCALAR)
                                                       : H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr));
  Handle lcpl = detail::plist_handle(H5Pcreate(H5P_LINK_CREATE));
  H5Pset_create_intermediate_group(lcpl.get(), 1);
  Handle dataset = detail::dataset_handle(
      H5Dcreate2(id(), relative_path.c_str(), H5T_IEEE_F32LE, space.get(), lcpl.get(), H5P_DEFAULT, H5P_DEFAULT));
  if (!dataset.valid()) fail(file_, where, "cannot create the dataset");
  if (value.size() > 0 && H5Dwrite(dataset.get(), H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, value.data()) < 0)
    fail(file_, where, "cannot write the data");
}

}  // namespace strata::hdf5
