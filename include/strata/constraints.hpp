// Keras constraints: a projection applied to a weight after each optimizer update.
#pragma once

#include <concepts>
#include <initializer_list>
#include <memory>
#include <string>
#include <vector>

#include "strata/json.hpp"
#include "strata/number.hpp"
#include "strata/tensor.hpp"

namespace strata {

class ConfigReader;

class Constraint {
 public:
  virtual ~Constraint() = default;
  virtual std::string class_name() const = 0;
  virtual Json get_config() const = 0;
  // Projects w in place.
  virtual void apply(Tensor& w) const = 0;
};

// A `constraint=` argument: none (default), a Keras name ("non_neg", "max_norm",
// "unit_norm", "min_max_norm") or an object.
class ConstraintArg {
 public:
  ConstraintArg() = default;
  ConstraintArg(std::nullptr_t) {}  // NOLINT(google-explicit-constructor)
  ConstraintArg(const char* name);  // NOLINT(google-explicit-constructor)
  ConstraintArg(const std::string& name);
  template <class T>
    requires std::derived_from<std::decay_t<T>, Constraint>
  ConstraintArg(T&& constraint)  // NOLINT(google-explicit-constructor)
      : ptr_(std::make_shared<std::decay_t<T>>(std::forward<T>(constraint))) {}
  ConstraintArg(std::shared_ptr<const Constraint> constraint) : ptr_(std::move(constraint)) {}
  // A shared object of any constraint class, e.g. std::make_shared<constraints::NonNeg>(); a
  // null pointer means none. (One implicit conversion, so `.kernel_constraint = p` works.)
  template <class T>
    requires std::derived_from<T, Constraint>
  ConstraintArg(std::shared_ptr<T> constraint)  // NOLINT(google-explicit-constructor)
      : ptr_(std::move(constraint)) {}

  explicit operator bool() const { return ptr_ != nullptr; }
  const std::shared_ptr<const Constraint>& ptr() const { return ptr_; }

 private:
  std::shared_ptr<const Constraint> ptr_;
};

namespace constraints {
std::shared_ptr<const Constraint> get(const std::string& name);
std::shared_ptr<const Constraint> deserialize(const ConfigReader& parent, const std::string& key);
Json serialize(const std::shared_ptr<const Constraint>& constraint);
}  // namespace constraints

}  // namespace strata

// ---- The Keras constraints (layers/constraints.cpp). Norms are L2 norms over `axis` of
// the weight, kept per remaining index; a Dense kernel (in, out) uses axis 0 (one norm per
// unit), a Conv2D kernel (kh, kw, in, out) axis {0, 1, 2} (one norm per filter).
namespace strata::constraints {

// The `axis` argument: one axis (`0`) or a list (`{0, 1, 2}`), written back as given.
// Negative axes count from the end.
class Axis {
 public:
  Axis(int axis) : axes_{axis}, list_(false) {}  // NOLINT(google-explicit-constructor)
  Axis(std::initializer_list<int> axes) : axes_(axes), list_(true) {}
  explicit Axis(std::vector<int> axes) : axes_(std::move(axes)), list_(true) {}

  const std::vector<int>& axes() const { return axes_; }
  bool is_list() const { return list_; }

 private:
  std::vector<int> axes_;
  bool list_;
};

// Keras's backend.epsilon(), added to norms before dividing.
inline constexpr float kEpsilon = 1e-7f;

// Zeroes negative weights.
class NonNeg : public Constraint {
 public:
  std::string class_name() const override { return "NonNeg"; }
  Json get_config() const override;  // {}
  void apply(Tensor& w) const override;
  static NonNeg from_config(const ConfigReader& config);
};

// w * clip(norm, 0, max_value) / (epsilon + norm)
struct MaxNormOptions {
  Number max_value = 2;
  Axis axis = 0;
};
class MaxNorm : public Constraint {
 public:
  explicit MaxNorm(MaxNormOptions options = {}) : options_(std::move(options)) {}
  std::string class_name() const override { return "MaxNorm"; }
  Json get_config() const override;  // {"max_value", "axis"}
  void apply(Tensor& w) const override;
  static MaxNorm from_config(const ConfigReader& config);
  const MaxNormOptions& options() const { return options_; }

 private:
  MaxNormOptions options_;
};

// w / (epsilon + norm)
struct UnitNormOptions {
  Axis axis = 0;
};
class UnitNorm : public Constraint {
 public:
  explicit UnitNorm(UnitNormOptions options = {}) : options_(std::move(options)) {}
  std::string class_name() const override { return "UnitNorm"; }
  Json get_config() const override;  // {"axis"}
  void apply(Tensor& w) const override;
  static UnitNorm from_config(const ConfigReader& config);
  const UnitNormOptions& options() const { return options_; }

 private:
  UnitNormOptions options_;
};

// w * desired / (epsilon + norm), desired = rate * clip(norm, min_value, max_value)
// + (1 - rate) * norm: rate 1 enforces the bounds at once, a smaller rate moves toward them.
struct MinMaxNormOptions {
  Number min_value = 0.0;
  Number max_value = 1.0;
  Number rate = 1.0;
  Axis axis = 0;
};
class MinMaxNorm : public Constraint {
 public:
  explicit MinMaxNorm(MinMaxNormOptions options = {}) : options_(std::move(options)) {}
  std::string class_name() const override { return "MinMaxNorm"; }
  Json get_config() const override;  // {"min_value", "max_value", "rate", "axis"}
  void apply(Tensor& w) const override;
  static MinMaxNorm from_config(const ConfigReader& config);
  const MinMaxNormOptions& options() const { return options_; }

 private:
  MinMaxNormOptions options_;
};

}  // namespace strata::constraints
