// Keras initializers: objects with a class name and config that fill new weights.
// Seeded ones give the same values on every call (and every machine); unseeded ones draw
// from strata's default generator (see set_random_seed).
#pragma once

#include <concepts>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "strata/json.hpp"
#include "strata/number.hpp"
#include "strata/tensor.hpp"

namespace strata {

class ConfigReader;

class Initializer {
 public:
  virtual ~Initializer() = default;
  virtual std::string class_name() const = 0;
  virtual Json get_config() const = 0;
  virtual Tensor operator()(const Shape& shape) const = 0;
};

// An `initializer=` argument: a Keras name ("glorot_uniform", "zeros", "he_normal", ...) or
// an initializer object. An unknown name throws ValueError at once.
class InitializerArg {
 public:
  InitializerArg(const char* name);  // NOLINT(google-explicit-constructor): Keras-style argument
  InitializerArg(const std::string& name);
  template <class T>
    requires std::derived_from<std::decay_t<T>, Initializer>
  InitializerArg(T&& initializer)  // NOLINT(google-explicit-constructor)
      : ptr_(std::make_shared<std::decay_t<T>>(std::forward<T>(initializer))) {}
  InitializerArg(std::shared_ptr<const Initializer> initializer);
  // A shared object of any initializer class, e.g. std::make_shared<initializers::HeNormal>():
  // shared, not copied. Needed because shared_ptr<Derived> -> shared_ptr<const Initializer>
  // -> InitializerArg would be two implicit conversions, which `.kernel_initializer = p` refuses.
  template <class T>
    requires std::derived_from<T, Initializer>
  InitializerArg(std::shared_ptr<T> initializer)  // NOLINT(google-explicit-constructor)
      : InitializerArg(std::shared_ptr<const Initializer>(std::move(initializer))) {}

  const Initializer& operator*() const { return *ptr_; }
  const Initializer* operator->() const { return ptr_.get(); }
  const std::shared_ptr<const Initializer>& ptr() const { return ptr_; }

 private:
  std::shared_ptr<const Initializer> ptr_;
};

namespace initializers {
// By Keras name (snake_case shorthand or class name); ValueError when unknown.
std::shared_ptr<const Initializer> get(const std::string& name);
// From a string or {"class_name", "config"} (tf.keras 2.x or Keras 3 form) at `path`.
std::shared_ptr<const Initializer> deserialize(const ConfigReader& parent, const std::string& key);
// {"class_name": ..., "config": ...} as tf.keras 2.x writes it.
Json serialize(const Initializer& initializer);
}  // namespace initializers

}  // namespace strata

// ---- The Keras initializers (layers/initializers.cpp). Options structs hold Keras's
// defaults; numbers are kept as given (an int or a float), so get_config() writes what
// Keras would for the same arguments.
namespace strata::initializers {

// Keras's _compute_fans: rank 0 -> (1, 1); rank 1 -> (n, n); rank 2 -> (rows, cols);
// rank >= 3 (conv kernels (..., in, out)) -> in and out times the receptive field size.
struct Fans {
  std::size_t fan_in = 1;
  std::size_t fan_out = 1;
};
Fans compute_fans(const Shape& shape);

// A seed; none = draw from the default generator (different values on every call).
using Seed = std::optional<std::int64_t>;

class Zeros : public Initializer {
 public:
  std::string class_name() const override { return "Zeros"; }
  Json get_config() const override;  // {}
  Tensor operator()(const Shape& shape) const override;
  static Zeros from_config(const ConfigReader& config);
};

class Ones : public Initializer {
 public:
  std::string class_name() const override { return "Ones"; }
  Json get_config() const override;  // {}
  Tensor operator()(const Shape& shape) const override;
  static Ones from_config(const ConfigReader& config);
};

struct ConstantOptions {
  Number value = 0;
};
class Constant : public Initializer {
 public:
  explicit Constant(ConstantOptions options = {}) : options_(options) {}
  std::string class_name() const override { return "Constant"; }
  Json get_config() const override;  // {"value"}
  Tensor operator()(const Shape& shape) const override;
  static Constant from_config(const ConfigReader& config);
  const ConstantOptions& options() const { return options_; }

 private:
  ConstantOptions options_;
};

struct RandomNormalOptions {
  Number mean = 0.0;
  Number stddev = 0.05;
  Seed seed = std::nullopt;
};
class RandomNormal : public Initializer {
 public:
  explicit RandomNormal(RandomNormalOptions options = {}) : options_(options) {}
  std::string class_name() const override { return "RandomNormal"; }
  Json get_config() const override;  // {"mean", "stddev", "seed"}
  Tensor operator()(const Shape& shape) const override;
  static RandomNormal from_config(const ConfigReader& config);
  const RandomNormalOptions& options() const { return options_; }

 private:
  RandomNormalOptions options_;
};

struct RandomUniformOptions {
  Number minval = -0.05;
  Number maxval = 0.05;
  Seed seed = std::nullopt;
};
class RandomUniform : public Initializer {
 public:
  explicit RandomUniform(RandomUniformOptions options = {}) : options_(options) {}
  std::string class_name() const override { return "RandomUniform"; }
  Json get_config() const override;  // {"minval", "maxval", "seed"}
  Tensor operator()(const Shape& shape) const override;
  static RandomUniform from_config(const ConfigReader& config);
  const RandomUniformOptions& options() const { return options_; }

 private:
  RandomUniformOptions options_;
};

// Normal draws beyond two standard deviations from the mean are drawn again.
struct TruncatedNormalOptions {
  Number mean = 0.0;
  Number stddev = 0.05;
  Seed seed = std::nullopt;
};
class TruncatedNormal : public Initializer {
 public:
  explicit TruncatedNormal(TruncatedNormalOptions options = {}) : options_(options) {}
  std::string class_name() const override { return "TruncatedNormal"; }
  Json get_config() const override;  // {"mean", "stddev", "seed"}
  Tensor operator()(const Shape& shape) const override;
  static TruncatedNormal from_config(const ConfigReader& config);
  const TruncatedNormalOptions& options() const { return options_; }

 private:
  TruncatedNormalOptions options_;
};

// stddev (after truncation) sqrt(scale / n), or uniform in +-sqrt(3 scale / n), where n is
// fan_in, fan_out or their mean. distribution "normal" means "truncated_normal" (as in
// Keras); a non-positive scale, an unknown mode or distribution throw ValueError.
struct VarianceScalingOptions {
  Number scale = 1.0;
  std::string mode = "fan_in";                     // "fan_in", "fan_out", "fan_avg"
  std::string distribution = "truncated_normal";  // "truncated_normal", "untruncated_normal", "uniform"
  Seed seed = std::nullopt;
};
class VarianceScaling : public Initializer {
 public:
  explicit VarianceScaling(VarianceScalingOptions options = {});
  std::string class_name() const override { return "VarianceScaling"; }
  Json get_config() const override;  // {"scale", "mode", "distribution", "seed"}
  Tensor operator()(const Shape& shape) const override;
  static VarianceScaling from_config(const ConfigReader& config);
  const VarianceScalingOptions& options() const { return options_; }

 private:
  VarianceScalingOptions options_;
};

// The named VarianceScaling presets; their configs hold only the seed.
struct SeedOptions {
  Seed seed = std::nullopt;
};
// scale 1, fan_avg, uniform: limit sqrt(6 / (fan_in + fan_out))
class GlorotUniform : public VarianceScaling {
 public:
  explicit GlorotUniform(SeedOptions options = {});
  std::string class_name() const override { return "GlorotUniform"; }
  Json get_config() const override;  // {"seed"}
  static GlorotUniform from_config(const ConfigReader& config);
};

// scale 1, fan_avg, truncated_normal: stddev sqrt(2 / (fan_in + fan_out))
class GlorotNormal : public VarianceScaling {
 public:
  explicit GlorotNormal(SeedOptions options = {});
  std::string class_name() const override { return "GlorotNormal"; }
  Json get_config() const override;  // {"seed"}
  static GlorotNormal from_config(const ConfigReader& config);
};

// scale 2, fan_in, truncated_normal: stddev sqrt(2 / fan_in)
class HeNormal : public VarianceScaling {
 public:
  explicit HeNormal(SeedOptions options = {});
  std::string class_name() const override { return "HeNormal"; }
  Json get_config() const override;  // {"seed"}
  static HeNormal from_config(const ConfigReader& config);
};

// scale 2, fan_in, uniform: limit sqrt(6 / fan_in)
class HeUniform : public VarianceScaling {
 public:
  explicit HeUniform(SeedOptions options = {});
  std::string class_name() const override { return "HeUniform"; }
  Json get_config() const override;  // {"seed"}
  static HeUniform from_config(const ConfigReader& config);
};

// scale 1, fan_in, truncated_normal: stddev sqrt(1 / fan_in)
class LecunNormal : public VarianceScaling {
 public:
  explicit LecunNormal(SeedOptions options = {});
  std::string class_name() const override { return "LecunNormal"; }
  Json get_config() const override;  // {"seed"}
  static LecunNormal from_config(const ConfigReader& config);
};

// scale 1, fan_in, uniform: limit sqrt(3 / fan_in)
class LecunUniform : public VarianceScaling {
 public:
  explicit LecunUniform(SeedOptions options = {});
  std::string class_name() const override { return "LecunUniform"; }
  Json get_config() const override;  // {"seed"}
  static LecunUniform from_config(const ConfigReader& config);
};

// Orthogonal columns (or rows, when the flattened matrix (prod(shape[:-1]), shape[-1]) is
// wide) from the QR decomposition of a normal matrix, times gain. Needs rank >= 2.
struct OrthogonalOptions {
  Number gain = 1.0;
  Seed seed = std::nullopt;
};
class Orthogonal : public Initializer {
 public:
  explicit Orthogonal(OrthogonalOptions options = {}) : options_(options) {}
  std::string class_name() const override { return "Orthogonal"; }
  Json get_config() const override;  // {"gain", "seed"}
  Tensor operator()(const Shape& shape) const override;
  static Orthogonal from_config(const ConfigReader& config);
  const OrthogonalOptions& options() const { return options_; }

 private:
  OrthogonalOptions options_;
};

// gain times the (possibly rectangular) identity matrix; 2-d shapes only.
struct IdentityOptions {
  Number gain = 1.0;
};
class Identity : public Initializer {
 public:
  explicit Identity(IdentityOptions options = {}) : options_(options) {}
  std::string class_name() const override { return "Identity"; }
  Json get_config() const override;  // {"gain"}
  Tensor operator()(const Shape& shape) const override;
  static Identity from_config(const ConfigReader& config);
  const IdentityOptions& options() const { return options_; }

 private:
  IdentityOptions options_;
};

}  // namespace strata::initializers
