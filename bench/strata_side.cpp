// strata's side of the benchmark: the seed CNN through Sequential (train_on_batch and
// inference without a tape), and single Conv2D / Dense / BatchNormalization layers under a
// GradientTape.
#include <cstring>

#include "bench/workloads.hpp"
#include "strata/strata.hpp"

namespace strata::bench {
namespace {

Tensor tensor(Shape shape, const std::vector<float>& values) { return Tensor(std::move(shape), values); }

// The seed CNN with the given weights, in the order of model.weights.
Sequential seed_cnn_with(const CnnWeights& w) {
  Sequential model = seed_cnn();
  model.build({std::nullopt, 28, 28, 1});
  const std::vector<const std::vector<float>*> values{&w.conv1_kernel, &w.conv1_bias,    &w.conv2_kernel,
                                                      &w.conv2_bias,   &w.conv3_kernel,  &w.conv3_bias,
                                                      &w.dense1_kernel, &w.dense1_bias, &w.dense2_kernel,
                                                      &w.dense2_bias};
  std::vector<Variable> weights = model.weights();
  for (std::size_t i = 0; i < weights.size(); ++i) weights[i].assign(tensor(weights[i].shape(), *values[i]));
  return model;
}

std::vector<float> to_vector(const Tensor& t) { return {t.begin(), t.end()}; }

class TrainTask : public Task {
 public:
  TrainTask(const Workload& w, const WorkloadData& d)
      : model_(seed_cnn_with(d.cnn)), x_(tensor({w.batch, 28, 28, 1}, d.x)), y_(Shape{w.batch}) {
    for (std::size_t i = 0; i < w.batch; ++i) y_[i] = static_cast<float>(d.labels[i]);
    model_.compile({.optimizer = optimizers::Adam(), .loss = "sparse_categorical_crossentropy", .metrics = {}});
  }
  std::vector<float> check() override {
    run();
    return to_vector(model_(Variable(x_), false).value());
  }
  void run() override { model_.train_on_batch(x_, y_); }

 private:
  Sequential model_;
  Tensor x_, y_;
};

class InferTask : public Task {
 public:
  InferTask(const Workload& w, const WorkloadData& d) : model_(seed_cnn_with(d.cnn)), x_(tensor({w.batch, 28, 28, 1}, d.x)) {}
  std::vector<float> check() override { return to_vector(model_(Variable(x_), false).value()); }
  void run() override { model_(Variable(x_), false); }

 private:
  Sequential model_;
  Tensor x_;
};

// One layer's forward pass (training mode) and the gradients of its input and first two
// weights (kernel and bias, or gamma and beta) for a given dL/dy.
class LayerTask : public Task {
 public:
  LayerTask(std::shared_ptr<layers::Layer> layer, Tensor x, const WorkloadData& d)
      : layer_(std::move(layer)), x_(std::move(x)), kernel_(Tensor()), bias_(Tensor()) {
    const Shape& shape = x_.value().shape();
    layer_->build(TensorShape(shape.begin(), shape.end()));
    std::vector<Variable> weights = layer_->weights();
    kernel_ = weights[0];
    bias_ = weights[1];
    kernel_.assign(tensor(kernel_.shape(), d.kernel));
    bias_.assign(tensor(bias_.shape(), d.bias));
    // dL/dy made once, as the libtorch side does: the timed step copies nothing.
    dy_ = tensor((*layer_)(x_, false).shape(), d.output_gradient);
  }
  std::vector<float> check() override {
    auto [y, grads] = step();
    std::vector<float> out = to_vector(y.value());
    for (const Tensor& g : grads) out.insert(out.end(), g.begin(), g.end());
    return out;
  }
  void run() override { step(); }

 private:
  std::pair<Variable, std::vector<Tensor>> step() {
    GradientTape tape;
    tape.watch(x_);
    Variable y = (*layer_)(x_, true);
    std::vector<Tensor> grads = tape.gradient(y, {x_, kernel_, bias_}, dy_);
    return {std::move(y), std::move(grads)};
  }
  std::shared_ptr<layers::Layer> layer_;
  Variable x_, kernel_, bias_;
  Tensor dy_;
};

std::unique_ptr<Task> make_task(const Workload& w, const WorkloadData& d) {
  switch (w.kind) {
    case Kind::train: return std::make_unique<TrainTask>(w, d);
    case Kind::infer: return std::make_unique<InferTask>(w, d);
    case Kind::conv: {
      const ConvShape& s = w.conv;
      auto layer = std::make_shared<layers::Conv2D>(layers::Conv2DOptions{
          .filters = s.filters, .kernel_size = 3, .padding = s.same_padding ? "same" : "valid"});
      return std::make_unique<LayerTask>(layer, tensor({s.batch, s.height, s.width, s.in_channels}, d.x), d);
    }
    case Kind::dense: {
      auto layer = std::make_shared<layers::Dense>(layers::DenseOptions{.units = w.features});
      return std::make_unique<LayerTask>(layer, tensor({w.batch, w.features}, d.x), d);
    }
    case Kind::batchnorm: {
      auto layer = std::make_shared<layers::BatchNormalization>(layers::BatchNormalizationOptions{});
      return std::make_unique<LayerTask>(layer, tensor({w.batch, w.size, w.size, w.channels}, d.x), d);
    }
  }
  return nullptr;
}

}  // namespace

Side strata_side() {
  return {.name = "strata", .set_threads = [](int threads) { set_num_threads(static_cast<std::size_t>(threads)); },
          .make_task = make_task};
}

}  // namespace strata::bench
