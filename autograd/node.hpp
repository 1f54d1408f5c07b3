// Internal: the graph node behind a Variable, and the interface ops use to record
// themselves on the active tapes. Only autograd/ sources include this.
#pragma once

#include <functional>
#include <initializer_list>
#include <memory>
#include <string>
#include <vector>

#include "strata/tensor.hpp"
#include "strata/variable.hpp"

namespace strata::autograd {

struct Node {
  Tensor value;
  std::string name;
  bool trainable = false;
  bool leaf_variable = false;  // made by the Variable constructor (tf.Variable-like)
  // Keras's `_keras_logits`: set by softmax (last axis) and sigmoid to their input, so
  // crossentropy losses work from the logits (autograd/ops/cross_entropy.cpp). Shared,
  // not weak: evaluation records no tape, and the trick must hold there too.
  std::shared_ptr<Node> logits;
  const char* logits_of = nullptr;  // "softmax" or "sigmoid"
};

class GradientAccumulator;

// What a backward closure sees: the gradient of the loss with respect to the op's
// output, the output itself, and where to add the gradient of each input.
class BackwardContext {
 public:
  BackwardContext(const Tensor& grad_output, const Tensor& output, const std::vector<bool>& needs,
                  const std::vector<std::shared_ptr<Node>>& inputs, GradientAccumulator& sink)
      : grad_output(grad_output), output(output), needs_(needs), inputs_(inputs), sink_(sink) {}

  const Tensor& grad_output;
  const Tensor& output;
  // Whether input i leads to a requested source (skip its gradient otherwise).
  bool needs(std::size_t i) const { return needs_[i]; }
  // Adds dL/d input i; grad must have input i's shape.
  void add(std::size_t i, Tensor grad);

 private:
  const std::vector<bool>& needs_;
  const std::vector<std::shared_ptr<Node>>& inputs_;
  GradientAccumulator& sink_;
};

using BackwardFn = std::function<void(BackwardContext&)>;

// True when an active tape on this thread watches one of the inputs.
bool is_recording(std::initializer_list<const Variable*> inputs);
bool is_recording(const std::vector<Variable>& inputs);

// Wraps an op's result in a Variable and, on every active tape that watches one of the
// inputs, records the op with its backward closure (op names appear in error messages).
Variable record(const char* op, Tensor output, std::vector<Variable> inputs, BackwardFn backward);

}  // namespace strata::autograd
