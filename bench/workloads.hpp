// The benchmark's workloads, described in plain data so that the strata side and the
// libtorch side (compiled apart, with libtorch's heavy headers kept to one file) run the
// same work from the same numbers.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace strata::bench {

// The seed CNN's parameters in Keras's layouts (kernels HWIO, dense kernels (in, out)).
struct CnnWeights {
  std::vector<float> conv1_kernel, conv1_bias, conv2_kernel, conv2_bias, conv3_kernel, conv3_bias;
  std::vector<float> dense1_kernel, dense1_bias, dense2_kernel, dense2_bias;
};
CnnWeights random_cnn_weights(unsigned seed);

// A 3x3 (stride 1) convolution shape; the benchmark times forward + both gradients.
struct ConvShape {
  std::size_t batch, height, width, in_channels, filters;
  bool same_padding;
  std::size_t out_height() const { return same_padding ? height : height - 2; }
  std::size_t out_width() const { return same_padding ? width : width - 2; }
  // Multiply-adds of the forward pass, times 2; the backward passes cost twice as much.
  double forward_flops() const {
    return 2.0 * static_cast<double>(batch * out_height() * out_width() * filters * 9 * in_channels);
  }
};

enum class Kind { train, infer, conv, dense, batchnorm };

struct Workload {
  std::string name;  // as printed in RESULT lines, e.g. train_b64
  Kind kind;
  std::size_t batch;
  ConvShape conv{};          // Kind::conv
  std::size_t features = 0;  // Kind::dense: features in = features out
  // Kind::batchnorm: BatchNormalization in training mode on (batch, size, size, channels),
  // forward + the gradients of x, gamma and beta.
  std::size_t size = 0, channels = 0;
  double flops_per_run() const;  // conv and dense: forward + backward
};

// Inputs shared by both sides: NHWC images, integer labels, weights and output gradients.
struct WorkloadData {
  std::vector<float> x;                 // train/infer: (batch, 28, 28, 1); conv, batchnorm: NHWC; dense: (batch, features)
  std::vector<int> labels;              // train
  CnnWeights cnn;                       // train/infer
  std::vector<float> kernel, bias;      // conv (HWIO) / dense ((in, out)) / batchnorm (gamma, beta)
  std::vector<float> output_gradient;   // conv/dense/batchnorm: dL/dy
};
WorkloadData make_data(const Workload& w, unsigned seed);

// One side's implementation of one workload.
class Task {
 public:
  virtual ~Task() = default;
  // Values to compare between the two sides, computed once before timing: inference
  // outputs; for training, the predictions after one step; for conv/dense y, dx and dw.
  virtual std::vector<float> check() = 0;
  // The timed unit of work (one training step, one inference batch, one forward+backward).
  virtual void run() = 0;
};

struct Side {
  std::string name;
  std::function<void(int threads)> set_threads;
  std::function<std::unique_ptr<Task>(const Workload&, const WorkloadData&)> make_task;
};

Side strata_side();
// Present when the benchmark was built with libtorch.
bool have_libtorch();
Side libtorch_side();

}  // namespace strata::bench
