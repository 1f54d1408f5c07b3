// `strata demo`: fits y = 3x + 2 with a GradientTape, the smallest use of the autograd engine.
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <memory>

#include "commands.hpp"
#include "strata/strata.hpp"

namespace strata::cli {
namespace {

void run_tape_demo(int steps) {
  Tensor xs({8, 1}, {-2.0f, -1.5f, -1.0f, -0.5f, 0.0f, 0.5f, 1.0f, 1.5f});
  Tensor ys = xs;
  for (float& v : ys) v = 3.0f * v + 2.0f;
  Variable w(Tensor({1, 1}, {0.0f}), "w"), b(Tensor({1}, {0.0f}), "b");
  const Variable x = constant(xs), y = constant(ys);
  for (int step = 0; step <= steps; ++step) {
    GradientTape tape;
    Variable loss = ops::mean(ops::square(ops::matmul(x, w) + b - y));
    auto grads = tape.gradient(loss, {w, b});
    for (std::size_t i = 0; i < w.size(); ++i) w.value()[i] -= 0.1f * grads[0][i];
    for (std::size_t i = 0; i < b.size(); ++i) b.value()[i] -= 0.1f * grads[1][i];
    if (step % 10 == 0) fmt::print("step {:3d}  loss {:.6f}  w {:.4f}  b {:.4f}\n", step, loss.value().item(), w.value()[0], b.value()[0]);
  }
  fmt::print("fitted y = {:.3f} x + {:.3f} (true: y = 3 x + 2)\n", w.value()[0], b.value()[0]);
}

}  // namespace

void add_demo_command(CLI::App& app) {
  auto steps = std::make_shared<int>(100);
  auto* demo = app.add_subcommand("demo", "Fit a line with a GradientTape (a small autograd demo)");
  demo->add_option("--steps", *steps, "Gradient-descent steps")->check(CLI::Range(0, 1000000))->capture_default_str();
  demo->callback([steps] { run_tape_demo(*steps); });
}

}  // namespace strata::cli
