// Tensor storage (64-byte aligned, for SIMD kernels) and shape helpers.
#include "strata/tensor.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <new>

#include "autograd/tensor_memory.hpp"
#include "strata/error.hpp"

namespace strata {
namespace {
constexpr std::size_t kAlignment = 64;
std::size_t storage_bytes(std::size_t size) { return (size * sizeof(float) + kAlignment - 1) / kAlignment * kAlignment; }
}  // namespace

std::size_t shape_size(const Shape& shape) {
  // A zero anywhere makes the size 0, whatever the other extents; otherwise refuse products
  // that overflow (or would overflow the byte count) instead of wrapping to a small buffer.
  if (std::find(shape.begin(), shape.end(), std::size_t{0}) != shape.end()) return 0;
  constexpr std::size_t kMaxElements = std::numeric_limits<std::size_t>::max() / sizeof(float) / 2;
  std::size_t n = 1;
  for (std::size_t d : shape) {
    if (d > kMaxElements / n)
      throw ValueError(fmt::format("shape {} has too many elements", shape_to_string(shape)));
    n *= d;
  }
  return n;
}

std::string shape_to_string(const Shape& shape) {
  if (shape.size() == 1) return fmt::format("({},)", shape[0]);
  return fmt::format("({})", fmt::join(shape, ", "));
}

std::vector<std::size_t> row_major_strides(const Shape& shape) {
  std::vector<std::size_t> strides(shape.size(), 1);
  for (std::size_t i = shape.size(); i-- > 1;) strides[i - 1] = strides[i] * shape[i];
  return strides;
}

std::size_t normalize_axis(int axis, std::size_t rank) {
  const long r = static_cast<long>(rank);
  if (axis < -r || axis >= r)
    throw ValueError(fmt::format("axis {} is out of bounds for a tensor of rank {}", axis, rank));
  return static_cast<std::size_t>(axis < 0 ? axis + r : axis);
}

void Tensor::allocate(std::size_t size) {
  data_ = nullptr;
  size_ = 0;
  if (size == 0) return;
  data_ = memory::allocate(storage_bytes(size));
  size_ = size;
}

void Tensor::release() {
  if (data_) memory::release(data_, storage_bytes(size_));
  data_ = nullptr;
  size_ = 0;
}

Tensor::Tensor() : Tensor(Shape{}) {}

Tensor::Tensor(Shape shape) : Tensor(std::move(shape), Uninitialized{}) { std::fill_n(data_, size_, 0.0f); }

Tensor::Tensor(Shape shape, std::vector<float> values)
    : Tensor(std::move(shape), std::span<const float>(values)) {}

Tensor::Tensor(Shape shape, std::span<const float> values) : shape_(std::move(shape)) {
  if (values.size() != shape_size(shape_))
    throw ShapeError(fmt::format("Tensor: {} values do not fill a tensor of shape {} ({} elements)",
                                 values.size(), shape_to_string(shape_), shape_size(shape_)));
  allocate(values.size());
  std::copy(values.begin(), values.end(), data_);
}

Tensor Tensor::zeros(Shape shape) { return Tensor(std::move(shape)); }
Tensor Tensor::ones(Shape shape) { return full(std::move(shape), 1.0f); }

Tensor Tensor::full(Shape shape, float value) {
  Tensor t = empty(std::move(shape));
  t.fill(value);
  return t;
}

Tensor Tensor::scalar(float value) { return full({}, value); }

Tensor::Tensor(Shape shape, Uninitialized) : shape_(std::move(shape)) { allocate(shape_size(shape_)); }

Tensor Tensor::empty(Shape shape) { return Tensor(std::move(shape), Uninitialized{}); }

Tensor::Tensor(const Tensor& other) : shape_(other.shape_) {
  allocate(other.size_);
  if (size_) std::memcpy(data_, other.data_, size_ * sizeof(float));
}

Tensor::Tensor(Tensor&& other) noexcept
    : shape_(std::move(other.shape_)), size_(other.size_), data_(other.data_) {
  other.data_ = nullptr;
  other.size_ = 0;
  other.shape_ = Shape{0};
}

Tensor& Tensor::operator=(const Tensor& other) {
  if (this == &other) return *this;
  if (size_ != other.size_) {
    release();
    allocate(other.size_);
  }
  shape_ = other.shape_;
  if (size_) std::memcpy(data_, other.data_, size_ * sizeof(float));
  return *this;
}

Tensor& Tensor::operator=(Tensor&& other) noexcept {
  if (this == &other) return *this;
  release();
  shape_ = std::move(other.shape_);
  size_ = other.size_;
  data_ = other.data_;
  other.data_ = nullptr;
  other.size_ = 0;
  other.shape_ = Shape{0};
  return *this;
}

Tensor::~Tensor() { release(); }

std::size_t Tensor::dim(int axis) const { return shape_[normalize_axis(axis, rank())]; }

float& Tensor::at(std::initializer_list<std::size_t> index) {
  if (index.size() != rank())
    throw ShapeError(fmt::format("Tensor::at: {} indices for a tensor of rank {}", index.size(), rank()));
  std::size_t flat = 0, axis = 0;
  for (std::size_t i : index) {
    if (i >= shape_[axis])
      throw ShapeError(fmt::format("Tensor::at: index {} is out of bounds for axis {} with size {}", i,
                                   axis, shape_[axis]));
    flat = flat * shape_[axis] + i;
    ++axis;
  }
  return data_[flat];
}

float Tensor::at(std::initializer_list<std::size_t> index) const {
  return const_cast<Tensor*>(this)->at(index);
}

float Tensor::item() const {
  if (size_ != 1)
    throw ShapeError(fmt::format("Tensor::item: expected a tensor with one element, got shape {}",
                                 shape_to_string(shape_)));
  return data_[0];
}

Tensor Tensor::reshape(Shape shape) const& { return Tensor(*this).reshape(std::move(shape)); }

Tensor Tensor::reshape(Shape shape) && {
  if (shape_size(shape) != size_)
    throw ShapeError(fmt::format("reshape: cannot reshape a tensor of shape {} ({} elements) into shape {}",
                                 shape_to_string(shape_), size_, shape_to_string(shape)));
  Tensor out(std::move(*this));
  out.shape_ = std::move(shape);
  return out;
}

void Tensor::fill(float value) { std::fill_n(data_, size_, value); }

bool operator==(const Tensor& a, const Tensor& b) {
  return a.shape() == b.shape() && std::equal(a.begin(), a.end(), b.begin());
}

std::string to_string(const Tensor& t) {
  constexpr std::size_t kShown = 8;
  std::vector<float> head(t.begin(), t.begin() + std::min(t.size(), kShown));
  return fmt::format("Tensor(shape={}, values=[{}{}])", shape_to_string(t.shape()), fmt::join(head, ", "),
                     t.size() > kShown ? ", ..." : "");
}

}  // namespace strata
