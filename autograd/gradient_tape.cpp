// The tape: thread-local stack of active tapes, op recording, and the reverse sweep.
#include "strata/gradient_tape.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <unordered_map>
#include <unordered_set>

#include "autograd/node.hpp"
#include "autograd/ops/kernels.hpp"
#include "strata/error.hpp"

namespace strata::autograd {

struct Record {
  const char* op;
  std::vector<std::shared_ptr<Node>> inputs;
  std::shared_ptr<Node> output;
  std::shared_ptr<const BackwardFn> backward;  // shared by every tape that records the op
};

struct TapeState {
  GradientTapeOptions options;
  bool recording = true;
  bool used = false;
  // Watched nodes are held (not just their addresses) so an address is never reused
  // by another node while this tape lives.
  std::unordered_set<const Node*> watched;
  std::vector<std::shared_ptr<Node>> watched_nodes;
  std::vector<Record> records;

  bool watches(const Node* n) const {
    return (options.watch_accessed_variables && n->leaf_variable && n->trainable) || watched.count(n);
  }
  void watch(const std::shared_ptr<Node>& n) {
    if (watched.insert(n.get()).second) watched_nodes.push_back(n);
  }
};

namespace {
thread_local std::vector<TapeState*> active_tapes;

template <class Inputs>
bool any_tape_watches(const Inputs& inputs) {
  for (TapeState* tape : active_tapes) {
    if (!tape->recording) continue;
    for (const Variable* v : inputs)
      if (tape->watches(v->node().get())) return true;
  }
  return false;
}
}  // namespace

// Sums gradients per node during one reverse sweep.
class GradientAccumulator {
 public:
  void add(const std::shared_ptr<Node>& node, Tensor grad, const char* op) {
    if (grad.shape() != node->value.shape())
      throw ShapeError(fmt::format("internal error: the backward of '{}' produced a gradient of shape {} "
                                   "for an input of shape {}",
                                   op, shape_to_string(grad.shape()), shape_to_string(node->value.shape())));
    auto [it, inserted] = grads_.try_emplace(node.get(), std::move(grad));
    if (!inserted) kernels::add_into(it->second, grad);
  }
  Tensor* find(const Node* node) {
    auto it = grads_.find(node);
    return it == grads_.end() ? nullptr : &it->second;
  }
  void erase(const Node* node) { grads_.erase(node); }
  const char* current_op = "";

 private:
  std::unordered_map<const Node*, Tensor> grads_;
};

void BackwardContext::add(std::size_t i, Tensor grad) { sink_.add(inputs_[i], std::move(grad), sink_.current_op); }

bool is_recording(std::initializer_list<const Variable*> inputs) {
  return !active_tapes.empty() && any_tape_watches(inputs);
}

bool is_recording(const std::vector<Variable>& inputs) {
  if (active_tapes.empty()) return false;
  std::vector<const Variable*> ptrs;
  ptrs.reserve(inputs.size());
  for (const Variable& v : inputs) ptrs.push_back(&v);
  return any_tape_watches(ptrs);
}

Variable record(const char* op, Tensor output, std::vector<Variable> inputs, BackwardFn backward) {
  auto out = std::make_shared<Node>();
  out->value = std::move(output);
  std::shared_ptr<const BackwardFn> shared_backward;
  for (TapeState* tape : active_tapes) {
    if (!tape->recording) continue;
    bool watched = std::any_of(inputs.begin(), inputs.end(),
                               [&](const Variable& v) { return tape->watches(v.node().get()); });
    if (!watched) continue;
    if (!shared_backward) shared_backward = std::make_shared<const BackwardFn>(std::move(backward));
    Record r{op, {}, out, shared_backward};
    r.inputs.reserve(inputs.size());
    for (const Variable& v : inputs) r.inputs.push_back(v.node());
    tape->records.push_back(std::move(r));
    tape->watch(out);
  }
  return Variable(std::move(out));
}

}  // namespace strata::autograd

namespace strata {

using autograd::active_tapes;
using autograd::TapeState;

GradientTape::GradientTape(GradientTapeOptions options) : state_(std::make_unique<TapeState>()) {
  state_->options = options;
  active_tapes.push_back(state_.get());
}

GradientTape::~GradientTape() {
  auto it = std::find(active_tapes.begin(), active_tapes.end(), state_.get());
  if (it != active_tapes.end()) active_tapes.erase(it);
}

void GradientTape::watch(const Variable& v) { state_->watch(v.node()); }

void GradientTape::watch(const std::vector<Variable>& vs) {
  for (const Variable& v : vs) watch(v);
}

GradientTape::RecordingPause::RecordingPause(TapeState* state) : state_(state), was_recording_(state->recording) {
  state_->recording = false;
}

GradientTape::RecordingPause::~RecordingPause() { state_->recording = was_recording_; }

GradientTape::RecordingPause GradientTape::stop_recording() { return RecordingPause(state_.get()); }

std::size_t GradientTape::recorded_ops() const { return state_->records.size(); }
bool GradientTape::persistent() const { return state_->options.persistent; }

std::vector<Tensor> GradientTape::gradient(const Variable& target, const std::vector<Variable>& sources) {
  return gradient_of(target, sources, nullptr);
}

std::vector<Tensor> GradientTape::gradient(const Variable& target, const std::vector<Variable>& sources,
                                           const Tensor& output_gradient) {
  return gradient_of(target, sources, &output_gradient);
}

Tensor GradientTape::gradient(const Variable& target, const Variable& source) {
  return std::move(gradient_of(target, std::vector<Variable>{source}, nullptr).front());
}

Tensor GradientTape::gradient(const Variable& target, const Variable& source, const Tensor& output_gradient) {
  return std::move(gradient_of(target, std::vector<Variable>{source}, &output_gradient).front());
}

std::vector<Tensor> GradientTape::gradient_of(const Variable& target, const std::vector<Variable>& sources,
                                              const Tensor* output_gradient) {
  TapeState& tape = *state_;
  if (tape.used && !tape.options.persistent)
    throw ValueError(
        "GradientTape.gradient can only be called once on non-persistent tapes: a non-persistent "
        "GradientTape can only be used to compute one set of gradients (or jacobians); construct it with "
        "{.persistent = true} to call gradient() again");
  const Tensor& target_value = target.value();
  const autograd::Node* target_node = target.node().get();
  // Gradients of the sources themselves are kept; intermediate ones are freed once used.
  std::unordered_set<const autograd::Node*> keep;
  for (const Variable& s : sources) keep.insert(s.node().get());
  // A given output_gradient is read in place by the target's op, not copied (the bench's
  // layer workloads pass 51 MB ones), unless the target is also a source to return.
  const bool borrow_seed = output_gradient != nullptr && !keep.count(target_node);
  Tensor seed;
  if (output_gradient) {
    if (output_gradient->shape() != target_value.shape())
      throw ShapeError(fmt::format("GradientTape.gradient: output_gradient has shape {} but the target has shape {}",
                                   shape_to_string(output_gradient->shape()),
                                   shape_to_string(target_value.shape())));
    if (!borrow_seed) seed = *output_gradient;
  } else {
    if (target_value.size() != 1)
      throw ValueError(fmt::format(
          "GradientTape.gradient: the target must be a scalar (one element), got shape {}; reduce it "
          "(e.g. ops::sum) or pass output_gradient with the target's shape",
          shape_to_string(target_value.shape())));
    seed = Tensor::ones(target_value.shape());
  }

  // Forward pass over the record: which nodes depend on a requested source.
  std::unordered_set<const autograd::Node*> from_source;
  for (const Variable& s : sources) from_source.insert(s.node().get());
  for (const autograd::Record& r : tape.records)
    for (const auto& in : r.inputs)
      if (from_source.count(in.get())) {
        from_source.insert(r.output.get());
        break;
      }

  autograd::GradientAccumulator grads;
  if (from_source.count(target_node) && !borrow_seed) grads.add(target.node(), std::move(seed), "gradient");

  std::vector<bool> needs;
  for (auto r = tape.records.rbegin(); r != tape.records.rend(); ++r) {
    Tensor* g = grads.find(r->output.get());
    // Nothing adds to the target's gradient: only ops recorded before it lead to it.
    const bool seeded = !g && borrow_seed && r->output.get() == target_node;
    if (!g && !seeded) continue;
    needs.assign(r->inputs.size(), false);
    bool any = false;
    for (std::size_t i = 0; i < r->inputs.size(); ++i) any |= needs[i] = from_source.count(r->inputs[i].get()) > 0;
    if (any) {
      Tensor owned;
      const Tensor* grad_output = &owned;
      if (seeded) {
        grad_output = output_gradient;
      } else if (keep.count(r->output.get())) {
        owned = *g;
      } else {
        owned = std::move(*g);
        grads.erase(r->output.get());
      }
      grads.current_op = r->op;
      autograd::BackwardContext ctx(*grad_output, r->output->value, needs, r->inputs, grads);
      (*r->backward)(ctx);
    }
  }

  // The accumulator dies here, so its gradients are moved out (copied only for a source
  // that is asked for again further on).
  std::vector<Tensor> result;
  result.reserve(sources.size());
  for (std::size_t i = 0; i < sources.size(); ++i) {
    Tensor* g = grads.find(sources[i].node().get());
    if (!g) {
      result.push_back(Tensor::zeros(sources[i].shape()));
      continue;
    }
    const bool asked_again = std::any_of(sources.begin() + static_cast<std::ptrdiff_t>(i) + 1, sources.end(),
                                         [&](const Variable& later) { return later.same_as(sources[i]); });
    result.push_back(asked_again ? *g : std::move(*g));
  }
  tape.used = true;
  if (!tape.options.persistent) {
    tape.records = {};
    tape.watched = {};
    tape.watched_nodes = {};
  }
  return result;
}

}  // namespace strata
