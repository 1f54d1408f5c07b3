// Keras regularizers: a penalty on a weight, added to the model's losses.
#pragma once

#include <concepts>
#include <memory>
#include <string>

#include "strata/json.hpp"
#include "strata/variable.hpp"

namespace strata {

class ConfigReader;

class Regularizer {
 public:
  virtual ~Regularizer() = default;
  virtual std::string class_name() const = 0;
  virtual Json get_config() const = 0;
  // The differentiable penalty for weight w (a scalar).
  virtual Variable operator()(const Variable& w) const = 0;
};

// A `regularizer=` argument: none (default), a Keras name ("l1", "l2", "l1_l2") or an object.
class RegularizerArg {
 public:
  RegularizerArg() = default;
  RegularizerArg(std::nullptr_t) {}  // NOLINT(google-explicit-constructor)
  RegularizerArg(const char* name);  // NOLINT(google-explicit-constructor)
  RegularizerArg(const std::string& name);
  template <class T>
    requires std::derived_from<std::decay_t<T>, Regularizer>
  RegularizerArg(T&& regularizer)  // NOLINT(google-explicit-constructor)
      : ptr_(std::make_shared<std::decay_t<T>>(std::forward<T>(regularizer))) {}
  RegularizerArg(std::shared_ptr<const Regularizer> regularizer) : ptr_(std::move(regularizer)) {}
  // A shared object of any regularizer class, e.g. std::make_shared<regularizers::L2>(); a
  // null pointer means none. (One implicit conversion, so `.kernel_regularizer = p` works.)
  template <class T>
    requires std::derived_from<T, Regularizer>
  RegularizerArg(std::shared_ptr<T> regularizer)  // NOLINT(google-explicit-constructor)
      : ptr_(std::move(regularizer)) {}

  explicit operator bool() const { return ptr_ != nullptr; }
  const std::shared_ptr<const Regularizer>& ptr() const { return ptr_; }

 private:
  std::shared_ptr<const Regularizer> ptr_;
};

namespace regularizers {
std::shared_ptr<const Regularizer> get(const std::string& name);
// null -> nullptr; a string or {"class_name", "config"}.
std::shared_ptr<const Regularizer> deserialize(const ConfigReader& parent, const std::string& key);
// null for nullptr, else {"class_name", "config"}.
Json serialize(const std::shared_ptr<const Regularizer>& regularizer);
}  // namespace regularizers

}  // namespace strata

// ---- The Keras regularizers (layers/regularizers.cpp). Factors are stored as float32,
// as Keras's backend.cast_to_floatx does, so get_config() writes 0.01 as
// 0.009999999776482582 (KERAS.md §3.2). A NaN or infinite factor throws ValueError.
namespace strata::regularizers {

// l1 * sum(|w|)
struct L1Options {
  double l1 = 0.01;
};
class L1 : public Regularizer {
 public:
  explicit L1(L1Options options = {});
  std::string class_name() const override { return "L1"; }
  Json get_config() const override;  // {"l1"}
  Variable operator()(const Variable& w) const override;
  static L1 from_config(const ConfigReader& config);
  float l1() const { return l1_; }

 private:
  float l1_;
};

// l2 * sum(w^2)
struct L2Options {
  double l2 = 0.01;
};
class L2 : public Regularizer {
 public:
  explicit L2(L2Options options = {});
  std::string class_name() const override { return "L2"; }
  Json get_config() const override;  // {"l2"}
  Variable operator()(const Variable& w) const override;
  static L2 from_config(const ConfigReader& config);
  float l2() const { return l2_; }

 private:
  float l2_;
};

// l1 * sum(|w|) + l2 * sum(w^2). The class defaults are 0 and 0; the name "l1_l2" means
// 0.01 and 0.01, as in Keras.
struct L1L2Options {
  double l1 = 0.0;
  double l2 = 0.0;
};
class L1L2 : public Regularizer {
 public:
  explicit L1L2(L1L2Options options = {});
  std::string class_name() const override { return "L1L2"; }
  Json get_config() const override;  // {"l1", "l2"}
  Variable operator()(const Variable& w) const override;
  static L1L2 from_config(const ConfigReader& config);
  float l1() const { return l1_; }
  float l2() const { return l2_; }

 private:
  float l1_;
  float l2_;
};

}  // namespace strata::regularizers
