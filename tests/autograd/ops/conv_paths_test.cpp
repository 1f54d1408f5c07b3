// conv2d's batched, blocked and small-channel paths (a first layer's 1 or 3 channels go to
// the direct kernels of conv_direct.cpp; deeper layers to im2col + OpenBLAS), the fused
// bias, and the same results with 1 and 2 threads, all against direct loops and finite
// differences.
#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

#include "strata/error.hpp"
#include "strata/fused_ops.hpp"
#include "strata/gradient_check.hpp"
#include "strata/gradient_tape.hpp"
#include "strata/ops.hpp"
#include "strata/random.hpp"
#include "support/conv_gradient_check.hpp"
#include "support/tensor_helpers.hpp"
#include "strata/threads.hpp"

using strata::Shape;
using strata::Tensor;
using strata::Variable;
using strata::testing::random_tensor;
using strata::testing::max_relative_diff;
using strata::ops::Padding;

namespace {

// Stride-1 convolution straight from its definition, in double, with 'same' padding of
// (k - 1) / 2 before (odd kernels).
Tensor reference_conv(const Tensor& x, const Tensor& k, const Tensor* bias, bool same) {
  const std::size_t n = x.dim(0), h = x.dim(1), w = x.dim(2), c = x.dim(3);
  const std::size_t kh = k.dim(0), kw = k.dim(1), f = k.dim(3);
  const std::size_t oh = same ? h : h - kh + 1, ow = same ? w : w - kw + 1;
  const std::ptrdiff_t ph = same ? static_cast<std::ptrdiff_t>((kh - 1) / 2) : 0;
  const std::ptrdiff_t pw = same ? static_cast<std::ptrdiff_t>((kw - 1) / 2) : 0;
  Tensor out({n, oh, ow, f});
  for (std::size_t b = 0; b < n; ++b)
    for (std::size_t i = 0; i < oh; ++i)
      for (std::size_t j = 0; j < ow; ++j)
        for (std::size_t o = 0; o < f; ++o) {
          double sum = bias ? (*bias)[o] : 0.0;
          for (std::size_t a = 0; a < kh; ++a)
            for (std::size_t e = 0; e < kw; ++e) {
              const std::ptrdiff_t y = static_cast<std::ptrdiff_t>(i + a) - ph;
              const std::ptrdiff_t z = static_cast<std::ptrdiff_t>(j + e) - pw;
              if (y < 0 || z < 0 || y >= static_cast<std::ptrdiff_t>(h) || z >= static_cast<std::ptrdiff_t>(w)) continue;
              for (std::size_t ch = 0; ch < c; ++ch)
                sum += static_cast<double>(x.at({b, static_cast<std::size_t>(y), static_cast<std::size_t>(z), ch})) *
                       k.at({a, e, ch, o});
            }
          out.at({b, i, j, o}) = static_cast<float>(sum);
        }
  return out;
}

struct ThreadCount {
  std::size_t saved = strata::num_threads();
  ~ThreadCount() { strata::set_num_threads(saved); }
};

struct PathCase {
  Shape x, kernel;
  bool same;
};

// First layers (1 or 3 channels: the direct kernels), a deeper layer (OpenBLAS), odd
// batch sizes that split unevenly over threads and blocks.
const std::vector<PathCase> cases{
    {{3, 9, 8, 1}, {3, 3, 1, 32}, false}, {{5, 7, 7, 3}, {3, 3, 3, 16}, true},  {{2, 6, 6, 1}, {3, 3, 1, 48}, true},
    {{3, 6, 5, 3}, {3, 3, 3, 64}, false}, {{7, 5, 5, 8}, {3, 3, 8, 24}, false}, {{1, 8, 8, 2}, {1, 1, 2, 16}, false},
};

}  // namespace

TEST_CASE("conv2d with and without a fused bias matches direct loops on every path", "[conv][paths]") {
  std::uint64_t seed = 100;
  for (const PathCase& pc : cases) {
    const Tensor x = random_tensor(pc.x, ++seed), k = random_tensor(pc.kernel, ++seed);
    const Tensor b = random_tensor({pc.kernel[3]}, ++seed);
    const strata::ops::Conv2DOptions options{.padding = pc.same ? Padding::same : Padding::valid};
    INFO("x " << strata::shape_to_string(pc.x) << ", kernel " << strata::shape_to_string(pc.kernel));
    CHECK(max_relative_diff(strata::ops::conv2d(Variable(x), Variable(k), options).value(),
                            reference_conv(x, k, nullptr, pc.same)) < 1e-5);
    CHECK(max_relative_diff(strata::ops::conv2d(Variable(x), Variable(k), Variable(b), options).value(),
                            reference_conv(x, k, &b, pc.same)) < 1e-5);
  }
}

TEST_CASE("conv2d's gradients on every path match finite differences", "[conv][paths]") {
  std::uint64_t seed = 200;
  for (const PathCase& pc : cases)
    strata::testing::check_conv2d_gradients(pc.x, pc.kernel, {.padding = pc.same ? Padding::same : Padding::valid},
                                            seed);
}

TEST_CASE("conv2d gives the same values with one thread and with two", "[conv][paths]") {
  ThreadCount restore;
  const Tensor x = random_tensor({9, 12, 12, 3}, 1), k = random_tensor({3, 3, 3, 32}, 2);
  const Tensor b = random_tensor({32}, 3), dy = random_tensor({9, 12, 12, 32}, 4);
  auto run = [&](std::size_t threads) {
    strata::set_num_threads(threads);
    Variable vx(x), vk(k), vb(b);
    strata::GradientTape tape;
    tape.watch(vx);
    Variable y = strata::ops::conv2d(vx, vk, vb, {.padding = Padding::same});
    std::vector<Tensor> out = tape.gradient(y, {vx, vk, vb}, dy);
    out.insert(out.begin(), y.value());
    return out;
  };
  const std::vector<Tensor> one = run(1), two = run(2);
  CHECK(one[0] == two[0]);  // the forward pass splits whole images: bit for bit
  CHECK(one[1] == two[1]);  // so does the input's gradient
  // The kernel's and bias's gradients add per-thread partial sums: equal up to rounding.
  CHECK(max_relative_diff(two[2], one[2]) < 1e-5);
  CHECK(max_relative_diff(two[3], one[3]) < 1e-5);
}

TEST_CASE("conv2d on fewer images than threads splits the filters over the threads", "[conv][paths]") {
  // One image (inference) on two threads: the im2col path (a 5x5 kernel) gives each thread
  // a share of the filters (70: two shares of 35, so a share ends inside a vector), with the
  // bias and a fused leaky_relu applied to each share's columns. Two images take the usual
  // path.
  ThreadCount restore;
  strata::set_num_threads(2);
  std::uint64_t seed = 300;
  for (const std::size_t batch : {1, 2}) {
    const Tensor x = random_tensor({batch, 7, 6, 12}, ++seed), k = random_tensor({5, 5, 12, 70}, ++seed);
    const Tensor b = random_tensor({70}, ++seed);
    Tensor expected = reference_conv(x, k, &b, true);
    for (std::size_t i = 0; i < expected.size(); ++i) expected[i] = expected[i] > 0.0f ? expected[i] : 0.1f * expected[i];
    const strata::ops::Conv2DOptions options{.padding = Padding::same, .activation = *strata::ops::fused_leaky_relu(0.1f)};
    INFO("batch " << batch);
    CHECK(max_relative_diff(strata::ops::conv2d(Variable(x), Variable(k), Variable(b), options).value(), expected) <
          1e-5);
  }
}

TEST_CASE("conv2d names the bias and the filters when they do not match", "[conv][paths]") {
  Variable x(Tensor({1, 4, 4, 1})), k(Tensor({3, 3, 1, 8})), b(Tensor({4}));
  CHECK_THROWS_WITH(strata::ops::conv2d(x, k, b), "conv2d: the bias (4,) does not match the kernel's 8 filters");
}
