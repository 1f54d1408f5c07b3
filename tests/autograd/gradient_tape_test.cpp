// GradientTape semantics: watching, accumulation, unconnected sources, nesting,
// persistence, stop_recording and error messages.
#include <catch2/catch.hpp>

#include <cmath>
#include <thread>

#include "strata/error.hpp"
#include "strata/gradient_tape.hpp"
#include "strata/ops.hpp"
#include "support/tensor_helpers.hpp"

using namespace strata;
using strata::testing::near;

TEST_CASE("A trainable variable is watched without watch()", "[tape]") {
  Variable x(Tensor::scalar(3.0f), "x");
  GradientTape tape;
  Variable y = x * x;  // dy/dx = 2x = 6
  CHECK(tape.gradient(y, x) == Tensor::scalar(6.0f));
}

TEST_CASE("A constant needs watch() and is otherwise unconnected", "[tape]") {
  Variable c = constant(Tensor::scalar(3.0f));
  {
    GradientTape tape;
    Variable y = c * c;
    CHECK(tape.recorded_ops() == 0);
    CHECK(tape.gradient(y, c) == Tensor::scalar(0.0f));
  }
  {
    GradientTape tape;
    tape.watch(c);
    Variable y = c * c;
    CHECK(tape.gradient(y, c) == Tensor::scalar(6.0f));
  }
}

TEST_CASE("A non-trainable variable is not watched unless asked", "[tape]") {
  Variable v(Tensor::scalar(2.0f), "frozen", /*trainable=*/false);
  GradientTape tape;
  Variable y = v * 5.0f;
  CHECK(tape.gradient(y, v) == Tensor::scalar(0.0f));
}

TEST_CASE("Gradients accumulate when a value is used more than once", "[tape]") {
  Variable x(Tensor({2}, {1.0f, -2.0f}), "x");
  GradientTape tape;
  // y = sum(x*x + 3x + x) -> dy/dx = 2x + 4
  Variable y = ops::sum(x * x + 3.0f * x + x);
  CHECK(tape.gradient(y, x) == Tensor({2}, {6.0f, 0.0f}));
}

TEST_CASE("A diamond graph sums both paths", "[tape]") {
  Variable x(Tensor::scalar(0.5f), "x");
  GradientTape tape;
  Variable a = ops::exp(x), b = ops::square(x);
  Variable y = a * b;  // d/dx e^x x^2 = e^x (x^2 + 2x)
  const float expected = std::exp(0.5f) * (0.25f + 1.0f);
  CHECK(tape.gradient(y, x).item() == Approx(expected).epsilon(1e-6));
}

TEST_CASE("Unconnected sources get zeros of their own shape", "[tape]") {
  Variable x(Tensor::scalar(1.0f), "x"), unused(Tensor({2, 3}), "unused");
  GradientTape tape;
  Variable y = x * 2.0f;
  auto grads = tape.gradient(y, {x, unused});
  CHECK(grads[0] == Tensor::scalar(2.0f));
  CHECK(grads[1] == Tensor::zeros({2, 3}));
}

TEST_CASE("A source asked for twice gets its gradient twice", "[tape]") {
  Variable x(Tensor({2}, {1.0f, -2.0f}), "x"), w(Tensor({2}, {3.0f, 4.0f}), "w");
  GradientTape tape;
  Variable y = ops::sum(x * w);
  auto grads = tape.gradient(y, {x, w, x});
  CHECK(grads[0] == Tensor({2}, {3.0f, 4.0f}));
  CHECK(grads[1] == Tensor({2}, {1.0f, -2.0f}));
  CHECK(grads[2] == Tensor({2}, {3.0f, 4.0f}));
}

TEST_CASE("The gradient with respect to an intermediate value is available", "[tape]") {
  Variable x(Tensor::scalar(2.0f), "x");
  GradientTape tape;
  Variable h = x * 3.0f;
  Variable y = h * h;  // dy/dh = 2h = 12
  auto grads = tape.gradient(y, {h, x});
  CHECK(grads[0] == Tensor::scalar(12.0f));
  CHECK(grads[1] == Tensor::scalar(36.0f));
}

TEST_CASE("A non-persistent tape frees its record and refuses a second gradient()", "[tape]") {
  Variable x(Tensor::scalar(2.0f), "x");
  GradientTape tape;
  Variable y = x * x;
  CHECK(tape.recorded_ops() == 1);
  tape.gradient(y, x);
  CHECK(tape.recorded_ops() == 0);
  CHECK_THROWS_AS(tape.gradient(y, x), ValueError);
  CHECK_THROWS_WITH(tape.gradient(y, x),
                    "GradientTape.gradient can only be called once on non-persistent tapes: a non-persistent "
                    "GradientTape can only be used to compute one set of gradients (or jacobians); construct it "
                    "with {.persistent = true} to call gradient() again");
}

TEST_CASE("A persistent tape answers several gradient() calls", "[tape]") {
  Variable x(Tensor::scalar(3.0f), "x");
  GradientTape tape({.persistent = true});
  Variable y = x * x, z = y * x;
  CHECK(tape.gradient(y, x) == Tensor::scalar(6.0f));
  CHECK(tape.gradient(z, x) == Tensor::scalar(27.0f));  // 3x^2
  CHECK(tape.recorded_ops() == 2);
}

TEST_CASE("A non-scalar target needs an output gradient", "[tape]") {
  Variable x(Tensor({2}, {1.0f, 2.0f}), "x");
  GradientTape tape({.persistent = true});
  Variable y = x * 3.0f;
  CHECK_THROWS_WITH(tape.gradient(y, x),
                    "GradientTape.gradient: the target must be a scalar (one element), got shape (2,); reduce it "
                    "(e.g. ops::sum) or pass output_gradient with the target's shape");
  CHECK(tape.gradient(y, x, Tensor({2}, {1.0f, 10.0f})) == Tensor({2}, {3.0f, 30.0f}));
  CHECK_THROWS_WITH(tape.gradient(y, x, Tensor({3})),
                    "GradientTape.gradient: output_gradient has shape (3,) but the target has shape (2,)");
}

TEST_CASE("An output gradient is read, not changed, and returned when the target is also a source", "[tape]") {
  Variable x(Tensor({2}, {1.0f, 2.0f}), "x");
  GradientTape tape({.persistent = true});
  Variable h = x * 3.0f;
  Variable y = h * h;  // dy/dh = 2h = (6, 12), dy/dx = 18x = (18, 36)
  const Tensor dy({2}, {1.0f, 10.0f});
  // The target's op reads dy in place (it is not a source here).
  CHECK(tape.gradient(y, x, dy) == Tensor({2}, {18.0f, 360.0f}));
  CHECK(dy == Tensor({2}, {1.0f, 10.0f}));
  CHECK(tape.gradient(y, x, dy) == Tensor({2}, {18.0f, 360.0f}));  // again, from the same dy
  // As a source, the target's gradient is dy itself, and the others are unchanged.
  const std::vector<Tensor> grads = tape.gradient(y, {y, h, x}, dy);
  CHECK(grads[0] == dy);
  CHECK(grads[1] == Tensor({2}, {6.0f, 120.0f}));
  CHECK(grads[2] == Tensor({2}, {18.0f, 360.0f}));
}

TEST_CASE("Nested tapes each record what they watch", "[tape]") {
  Variable c = constant(Tensor::scalar(2.0f));
  GradientTape outer;
  outer.watch(c);
  Variable a = c * c;  // recorded by outer only
  {
    GradientTape inner;
    inner.watch(a);
    Variable b = a * 3.0f;  // recorded by both
    CHECK(inner.recorded_ops() == 1);
    CHECK(inner.gradient(b, a) == Tensor::scalar(3.0f));
    CHECK(outer.recorded_ops() == 2);
    CHECK(outer.gradient(b, c) == Tensor::scalar(12.0f));  // 3 * 2c
  }
}

TEST_CASE("stop_recording pauses the tape until the guard ends", "[tape]") {
  Variable x(Tensor::scalar(2.0f), "x");
  GradientTape tape;
  Variable y = x * x;
  {
    auto pause = tape.stop_recording();
    Variable ignored = x * 10.0f;
    CHECK(tape.recorded_ops() == 1);
  }
  Variable z = y * x;
  CHECK(tape.recorded_ops() == 2);
  CHECK(tape.gradient(z, x) == Tensor::scalar(12.0f));  // 3x^2
}

TEST_CASE("Ops outside any tape record nothing and still compute", "[tape]") {
  Variable x(Tensor::scalar(2.0f), "x");
  Variable y = x * x;
  CHECK(y.value() == Tensor::scalar(4.0f));
  GradientTape tape;  // created after the op: y is not on its record
  CHECK(tape.gradient(y, x) == Tensor::scalar(0.0f));
}

TEST_CASE("Tapes are per thread", "[tape]") {
  Variable x(Tensor::scalar(2.0f), "x");
  GradientTape tape;
  std::size_t other_thread_records = 99;
  std::thread worker([&] {
    Variable y = x * x;  // no tape active on this thread
    (void)y;
    other_thread_records = tape.recorded_ops();
  });
  worker.join();
  CHECK(other_thread_records == 0);
}

TEST_CASE("The gradient checker catches a wrong backward", "[tape][gradient_check]") {
  Variable x(Tensor({3}, {0.1f, 0.2f, 0.3f}), "x");
  // square is right; doubling the value after the op without recording breaks the link
  auto right = check_gradients([&] { return ops::square(x); }, {x});
  CHECK(right.ok);
  auto wrong = check_gradients(
      [&] {
        Variable y = ops::square(x);
        return constant(y.value()) * 1.0f + y * 0.0f;  // value depends on x, gradient is 0
      },
      {x});
  CHECK_FALSE(wrong.ok);
  CHECK_THAT(wrong.report, Catch::Contains("source 0 ('x', shape (3,)) element 0: analytic 0"));
}
