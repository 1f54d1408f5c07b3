// The activations of `strata study activations` (Xu et al. 2015's rectifiers plus ELU,
// GELU and SiLU), the learned PReLU slopes of a trained model, and activation curves.
#include <fmt/format.h>

#include <algorithm>

#include "strata/error.hpp"
#include "strata/gradient_tape.hpp"
#include "strata/layers/activation.hpp"
#include "strata/layers/elu.hpp"
#include "strata/layers/leaky_re_lu.hpp"
#include "strata/layers/p_re_lu.hpp"
#include "strata/layers/r_re_lu.hpp"
#include "strata/layers/re_lu.hpp"
#include "strata/ops.hpp"
#include "strata/sequential.hpp"
#include "study.hpp"

namespace strata::cli::study {
namespace {

using layers::Layer;

// The seed CNN's hidden Dense layer: its activation sees (None, 64), so "shared over the
// spatial axes" has no spatial axes to share there and means one slope per unit, which is
// what shared_axes {1, 2} gives the convolutions (one slope per channel).
constexpr std::size_t kDensePosition = 3;

template <class L, class Options>
std::shared_ptr<Layer> make(Options options) {
  return std::make_shared<L>(std::move(options));
}

}  // namespace

const std::vector<ActivationSpec>& activation_specs() {
  using namespace layers;
  static const std::vector<ActivationSpec> specs = {
      {"relu", "ReLU", "ReLU()", [](std::size_t) { return make<ReLU>(ReLUOptions{}); }},
      {"leaky_0.01", "LeakyReLU 0.01", "LeakyReLU({.alpha = 0.01f})",
       [](std::size_t) { return make<LeakyReLU>(LeakyReLUOptions{.alpha = 0.01f}); }},
      {"leaky_0.3", "LeakyReLU 0.3", "LeakyReLU()",  // Keras's default alpha
       [](std::size_t) { return make<LeakyReLU>(LeakyReLUOptions{}); }},
      {"prelu_shared", "PReLU shared_axes [1, 2]", "PReLU({.shared_axes = {1, 2}})",
       [](std::size_t position) {
         if (position == kDensePosition) return make<PReLU>(PReLUOptions{});
         return make<PReLU>(PReLUOptions{.shared_axes = {1, 2}});
       }},
      {"prelu", "PReLU not shared", "PReLU()", [](std::size_t) { return make<PReLU>(PReLUOptions{}); }},
      {"rrelu", "RReLU 1/8..1/3", "RReLU()", [](std::size_t) { return make<RReLU>(RReLUOptions{}); }},
      {"elu", "ELU", "ELU()", [](std::size_t) { return make<ELU>(ELUOptions{}); }},
      {"gelu", "GELU", "Activation({.activation = \"gelu\"})",
       [](std::size_t) { return make<Activation>(ActivationOptions{.activation = "gelu"}); }},
      {"silu", "SiLU (swish)", "Activation({.activation = \"silu\"})",
       [](std::size_t) { return make<Activation>(ActivationOptions{.activation = "silu"}); }},
  };
  return specs;
}

const ActivationSpec& find_activation(const std::string& key) {
  const auto& specs = activation_specs();
  const auto it = std::find_if(specs.begin(), specs.end(), [&](const ActivationSpec& s) { return s.key == key; });
  if (it != specs.end()) return *it;
  std::vector<std::string> keys;
  for (const auto& spec : specs) keys.push_back(spec.key);
  throw ValueError(fmt::format("--activations: unknown activation '{}' (known: {})", key, fmt::join(keys, ", ")));
}

std::vector<PReLUSlopes> prelu_slopes(const Sequential& model) {
  std::vector<PReLUSlopes> slopes;
  for (const auto& layer : model.layers()) {
    const auto* prelu = dynamic_cast<const layers::PReLU*>(layer.get());
    if (!prelu) continue;
    const Tensor& alpha = prelu->alpha().value();
    slopes.push_back({prelu->name(), alpha.shape(), std::vector<float>(alpha.begin(), alpha.end())});
  }
  return slopes;
}

ActivationCurve sample_activation(Layer& layer, const std::vector<float>& xs) {
  const Variable x = constant(Tensor({xs.size()}, xs));
  GradientTape tape;
  tape.watch(x);
  const Variable y = layer(x, /*training=*/false);
  // Element-wise activations: d sum(y) / dx_i is f'(x_i).
  const Tensor dy = tape.gradient(ops::sum(y), x);
  return {std::vector<float>(y.value().begin(), y.value().end()), std::vector<float>(dy.begin(), dy.end())};
}

}  // namespace strata::cli::study
