// libtorch's side of the benchmark: the same CNN as a torch::nn module (NCHW, logits and
// the fused cross-entropy a libtorch user would write), the same single convolution,
// linear layer and training-mode batch norm, all from the same weights as strata's side
// (converted from Keras layouts).
#include <torch/torch.h>

#include "bench/workloads.hpp"

namespace strata::bench {
namespace {

torch::Tensor from(const std::vector<float>& v, std::vector<int64_t> shape) {
  return torch::from_blob(const_cast<float*>(v.data()), shape, torch::kFloat32).clone();
}
std::vector<float> to_vector(torch::Tensor t) {
  t = t.contiguous();
  return {t.data_ptr<float>(), t.data_ptr<float>() + t.numel()};
}
// Keras's HWIO kernel as torch's OIHW, and back.
torch::Tensor conv_kernel(const std::vector<float>& hwio, int64_t in, int64_t out) {
  return from(hwio, {3, 3, in, out}).permute({3, 2, 0, 1}).contiguous();
}
torch::Tensor hwio(const torch::Tensor& oihw) { return oihw.permute({2, 3, 1, 0}); }
torch::Tensor nchw(const std::vector<float>& nhwc, int64_t n, int64_t h, int64_t w, int64_t c) {
  return from(nhwc, {n, h, w, c}).permute({0, 3, 1, 2}).contiguous();
}
torch::Tensor nhwc(const torch::Tensor& t) { return t.permute({0, 2, 3, 1}); }

struct CnnImpl : torch::nn::Module {
  torch::nn::Conv2d conv1{torch::nn::Conv2dOptions(1, 32, 3)}, conv2{torch::nn::Conv2dOptions(32, 64, 3)},
      conv3{torch::nn::Conv2dOptions(64, 64, 3)};
  torch::nn::Linear dense1{576, 64}, dense2{64, 10};

  explicit CnnImpl(const CnnWeights& w) {
    register_module("conv1", conv1);
    register_module("conv2", conv2);
    register_module("conv3", conv3);
    register_module("dense1", dense1);
    register_module("dense2", dense2);
    torch::NoGradGuard no_grad;
    conv1->weight.copy_(conv_kernel(w.conv1_kernel, 1, 32));
    conv1->bias.copy_(from(w.conv1_bias, {32}));
    conv2->weight.copy_(conv_kernel(w.conv2_kernel, 32, 64));
    conv2->bias.copy_(from(w.conv2_bias, {64}));
    conv3->weight.copy_(conv_kernel(w.conv3_kernel, 64, 64));
    conv3->bias.copy_(from(w.conv3_bias, {64}));
    // Keras flattens (3, 3, 64) as HWC, torch flattens CHW: reorder dense1's input rows.
    dense1->weight.copy_(from(w.dense1_kernel, {3, 3, 64, 64}).permute({3, 2, 0, 1}).reshape({64, 576}));
    dense1->bias.copy_(from(w.dense1_bias, {64}));
    dense2->weight.copy_(from(w.dense2_kernel, {64, 10}).t());
    dense2->bias.copy_(from(w.dense2_bias, {10}));
  }
  torch::Tensor forward(torch::Tensor x) {  // logits
    namespace F = torch::nn::functional;
    auto act = [](torch::Tensor t) { return torch::leaky_relu(t, 0.01); };
    x = torch::max_pool2d(act(conv1(x)), 2);
    x = torch::max_pool2d(act(conv2(x)), 2);
    x = act(conv3(x)).flatten(1);
    return dense2(act(dense1(x)));
  }
};
TORCH_MODULE(Cnn);

class TrainTask : public Task {
 public:
  TrainTask(const Workload& w, const WorkloadData& d)
      : model_(d.cnn),
        // Keras adds epsilon (1e-7) to sqrt(v) before the bias correction, torch after it; on
        // the checked first step, Keras's update equals torch's with eps = 1e-7 / sqrt(1 - beta_2).
        optimizer_(model_->parameters(), torch::optim::AdamOptions(1e-3).betas({0.9, 0.999}).eps(1e-7 / std::sqrt(1e-3))),
        x_(from(d.x, {static_cast<int64_t>(w.batch), 1, 28, 28})),
        y_(torch::tensor(std::vector<int64_t>(d.labels.begin(), d.labels.end()))) {}
  std::vector<float> check() override {
    run();
    torch::NoGradGuard no_grad;
    return to_vector(torch::softmax(model_->forward(x_), 1));
  }
  void run() override {
    optimizer_.zero_grad();
    torch::Tensor loss = torch::nn::functional::cross_entropy(model_->forward(x_), y_);
    loss.backward();
    optimizer_.step();
  }

 private:
  Cnn model_;
  torch::optim::Adam optimizer_;
  torch::Tensor x_, y_;
};

class InferTask : public Task {
 public:
  InferTask(const Workload& w, const WorkloadData& d)
      : model_(d.cnn), x_(from(d.x, {static_cast<int64_t>(w.batch), 1, 28, 28})) {
    model_->eval();
  }
  std::vector<float> check() override {
    torch::NoGradGuard no_grad;
    return to_vector(torch::softmax(model_->forward(x_), 1));
  }
  void run() override {
    torch::NoGradGuard no_grad;
    torch::softmax(model_->forward(x_), 1);
  }

 private:
  Cnn model_;
  torch::Tensor x_;
};

// Forward + backward of one conv2d, linear or batch_norm op for a given dL/dy; results in
// Keras layouts.
class LayerTask : public Task {
 public:
  LayerTask(const Workload& w, const WorkloadData& d) : w_(w) {
    if (w.kind == Kind::conv) {
      const ConvShape& s = w.conv;
      const auto n = static_cast<int64_t>(s.batch), c = static_cast<int64_t>(s.in_channels),
                 f = static_cast<int64_t>(s.filters);
      x_ = nchw(d.x, n, static_cast<int64_t>(s.height), static_cast<int64_t>(s.width), c);
      weight_ = conv_kernel(d.kernel, c, f);
      dy_ = nchw(d.output_gradient, n, static_cast<int64_t>(s.out_height()), static_cast<int64_t>(s.out_width()), f);
    } else if (w.kind == Kind::batchnorm) {
      const auto n = static_cast<int64_t>(w.batch), s = static_cast<int64_t>(w.size),
                 c = static_cast<int64_t>(w.channels);
      x_ = nchw(d.x, n, s, s, c);
      weight_ = from(d.kernel, {c});
      dy_ = nchw(d.output_gradient, n, s, s, c);
      running_mean_ = torch::zeros({c});
      running_var_ = torch::ones({c});
    } else {
      const auto n = static_cast<int64_t>(w.batch), f = static_cast<int64_t>(w.features);
      x_ = from(d.x, {n, f});
      weight_ = from(d.kernel, {f, f}).t().contiguous();
      dy_ = from(d.output_gradient, {n, f});
    }
    bias_ = from(d.bias, {weight_.size(0)});
    x_.set_requires_grad(true);
    weight_.set_requires_grad(true);
    bias_.set_requires_grad(true);
  }
  std::vector<float> check() override {
    torch::Tensor y = step();
    const bool image = w_.kind != Kind::dense;
    torch::Tensor weight_grad = w_.kind == Kind::conv    ? hwio(weight_.grad())
                                : w_.kind == Kind::dense ? weight_.grad().t()
                                                         : weight_.grad();
    std::vector<float> out = to_vector(image ? nhwc(y) : y);
    for (const torch::Tensor& g : {image ? nhwc(x_.grad()) : x_.grad(), weight_grad, bias_.grad()}) {
      std::vector<float> part = to_vector(g);
      out.insert(out.end(), part.begin(), part.end());
    }
    return out;
  }
  void run() override { step(); }

 private:
  torch::Tensor step() {
    for (torch::Tensor* t : {&x_, &weight_, &bias_})
      if (t->grad().defined()) t->mutable_grad() = torch::Tensor();
    torch::Tensor y;
    if (w_.kind == Kind::conv) y = torch::conv2d(x_, weight_, bias_, 1, w_.conv.same_padding ? 1 : 0);
    else if (w_.kind == Kind::dense) y = torch::linear(x_, weight_, bias_);
    // Keras's defaults: momentum 0.99 (torch counts it the other way round), epsilon 1e-3.
    else y = torch::batch_norm(x_, weight_, bias_, running_mean_, running_var_, /*training=*/true, 0.01, 1e-3, false);
    y.backward(dy_);
    return y.detach();
  }
  Workload w_;
  torch::Tensor x_, weight_, bias_, dy_;
  torch::Tensor running_mean_, running_var_;  // batchnorm
};

std::unique_ptr<Task> make_task(const Workload& w, const WorkloadData& d) {
  switch (w.kind) {
    case Kind::train: return std::make_unique<TrainTask>(w, d);
    case Kind::infer: return std::make_unique<InferTask>(w, d);
    case Kind::conv:
    case Kind::dense:
    case Kind::batchnorm: return std::make_unique<LayerTask>(w, d);
  }
  return nullptr;
}

}  // namespace

bool have_libtorch() { return true; }

Side libtorch_side() {
  return {.name = "libtorch", .set_threads = [](int threads) { torch::set_num_threads(threads); },
          .make_task = make_task};
}

}  // namespace strata::bench
