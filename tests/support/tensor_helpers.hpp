// Shared test helpers: random tensors and element-wise closeness with a readable report.
#pragma once

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <sstream>

#include "strata/gradient_check.hpp"
#include "strata/random.hpp"
#include "strata/tensor.hpp"

namespace strata::testing {

inline Tensor random_tensor(Shape shape, std::uint64_t seed, float low = -1.0f, float high = 1.0f) {
  Generator gen(seed);
  Tensor t = Tensor::empty(std::move(shape));
  for (float& v : t) v = gen.uniform(low, high);
  return t;
}

// The largest |a - b| over the largest |b|: one number for comparing a fast path with a
// reference computed another way.
inline double max_relative_diff(const Tensor& a, const Tensor& b) {
  REQUIRE(a.shape() == b.shape());
  double diff = 0.0, scale = 1e-30;
  for (std::size_t i = 0; i < a.size(); ++i) {
    diff = std::max(diff, std::fabs(static_cast<double>(a[i]) - b[i]));
    scale = std::max(scale, std::fabs(static_cast<double>(b[i])));
  }
  return diff / scale;
}

// Catch matcher: same shape and |a - b| <= atol + rtol * |b| everywhere.
class TensorNear : public Catch::MatcherBase<Tensor> {
 public:
  TensorNear(Tensor expected, float atol = 1e-5f, float rtol = 1e-5f)
      : expected_(std::move(expected)), atol_(atol), rtol_(rtol) {}
  bool match(const Tensor& actual) const override {
    if (actual.shape() != expected_.shape()) return false;
    for (std::size_t i = 0; i < actual.size(); ++i)
      if (!(std::fabs(actual[i] - expected_[i]) <= atol_ + rtol_ * std::fabs(expected_[i]))) return false;
    return true;
  }
  std::string describe() const override {
    std::ostringstream s;
    s << "is within atol " << atol_ << " / rtol " << rtol_ << " of " << to_string(expected_);
    return s.str();
  }

 private:
  Tensor expected_;
  float atol_, rtol_;
};

inline TensorNear near(Tensor expected, float atol = 1e-5f, float rtol = 1e-5f) {
  return TensorNear(std::move(expected), atol, rtol);
}

}  // namespace strata::testing

namespace Catch {
template <>
struct StringMaker<strata::Tensor> {
  static std::string convert(const strata::Tensor& t) { return strata::to_string(t); }
};
}  // namespace Catch

// Runs the finite-difference checker and reports the mismatches on failure.
#define CHECK_GRADIENTS(f, sources, ...)                                      \
  do {                                                                        \
    auto gc_result_ = strata::check_gradients(f, sources, ##__VA_ARGS__);     \
    INFO(gc_result_.report);                                                  \
    CHECK(gc_result_.ok);                                                     \
    CHECK(gc_result_.checked > 0);                                            \
  } while (0)
