// The workloads' inputs: deterministic pseudo-random numbers from the C++ library, so
// neither side's own generator decides the data.
#include "bench/workloads.hpp"

#include <cmath>
#include <random>

namespace strata::bench {
namespace {

std::vector<float> uniform(std::mt19937& rng, std::size_t count, float limit) {
  std::uniform_real_distribution<float> dist(-limit, limit);
  std::vector<float> v(count);
  for (float& x : v) x = dist(rng);
  return v;
}
// Glorot-uniform scale, as Keras initializes these layers.
std::vector<float> glorot(std::mt19937& rng, std::size_t fan_in, std::size_t fan_out, std::size_t count) {
  return uniform(rng, count, std::sqrt(6.0f / static_cast<float>(fan_in + fan_out)));
}

}  // namespace

double Workload::flops_per_run() const {
  if (kind == Kind::conv) return 3.0 * conv.forward_flops();
  if (kind == Kind::dense) return 3.0 * 2.0 * static_cast<double>(batch * features * features);
  return 0.0;
}

CnnWeights random_cnn_weights(unsigned seed) {
  std::mt19937 rng(seed);
  CnnWeights w;
  w.conv1_kernel = glorot(rng, 9, 9 * 32, 9 * 32);
  w.conv1_bias = uniform(rng, 32, 0.05f);
  w.conv2_kernel = glorot(rng, 9 * 32, 9 * 64, 9 * 32 * 64);
  w.conv2_bias = uniform(rng, 64, 0.05f);
  w.conv3_kernel = glorot(rng, 9 * 64, 9 * 64, 9 * 64 * 64);
  w.conv3_bias = uniform(rng, 64, 0.05f);
  w.dense1_kernel = glorot(rng, 576, 64, 576 * 64);
  w.dense1_bias = uniform(rng, 64, 0.05f);
  w.dense2_kernel = glorot(rng, 64, 10, 640);
  w.dense2_bias = uniform(rng, 10, 0.05f);
  return w;
}

WorkloadData make_data(const Workload& w, unsigned seed) {
  std::mt19937 rng(seed);
  WorkloadData d;
  switch (w.kind) {
    case Kind::train:
    case Kind::infer: {
      std::uniform_real_distribution<float> pixel(0.0f, 1.0f);
      d.x.resize(w.batch * 28 * 28);
      for (float& p : d.x) p = pixel(rng);
      std::uniform_int_distribution<int> label(0, 9);
      d.labels.resize(w.batch);
      for (int& l : d.labels) l = label(rng);
      d.cnn = random_cnn_weights(seed + 1);
      break;
    }
    case Kind::conv: {
      const ConvShape& s = w.conv;
      d.x = uniform(rng, s.batch * s.height * s.width * s.in_channels, 1.0f);
      d.kernel = glorot(rng, 9 * s.in_channels, 9 * s.filters, 9 * s.in_channels * s.filters);
      d.bias = uniform(rng, s.filters, 0.05f);
      d.output_gradient = uniform(rng, s.batch * s.out_height() * s.out_width() * s.filters, 1.0f);
      break;
    }
    case Kind::dense:
      d.x = uniform(rng, w.batch * w.features, 1.0f);
      d.kernel = glorot(rng, w.features, w.features, w.features * w.features);
      d.bias = uniform(rng, w.features, 0.05f);
      d.output_gradient = uniform(rng, w.batch * w.features, 1.0f);
      break;
    case Kind::batchnorm: {
      const std::size_t count = w.batch * w.size * w.size * w.channels;
      d.x = uniform(rng, count, 2.0f);
      for (float& v : d.x) v += 0.5f;  // activations are rarely centred
      d.kernel = uniform(rng, w.channels, 0.2f);
      for (float& g : d.kernel) g += 1.0f;
      d.bias = uniform(rng, w.channels, 0.1f);
      d.output_gradient = uniform(rng, count, 1.0f);
      break;
    }
  }
  return d;
}

}  // namespace strata::bench
