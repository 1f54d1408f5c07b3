// strata::GradientTape: records differentiable ops while alive, like tf.GradientTape.
// Tapes are RAII and thread-local: constructing one pushes it on this thread's stack of
// active tapes, destroying it pops it; several may be active at once (nested), and each
// records the ops whose inputs it watches. Trainable variables are watched on their own.
// Gradients are returned as Tensors (first order: backward passes are not recorded).
#pragma once

#include <memory>
#include <vector>

#include "strata/tensor.hpp"
#include "strata/variable.hpp"

namespace strata {

namespace autograd {
struct TapeState;
}

struct GradientTapeOptions {
  // Keep the record after gradient() so it can be called again.
  bool persistent = false;
  // Watch trainable variables automatically (tf's watch_accessed_variables).
  bool watch_accessed_variables = true;
};

class GradientTape {
 public:
  explicit GradientTape(GradientTapeOptions options = {});
  ~GradientTape();
  GradientTape(const GradientTape&) = delete;
  GradientTape& operator=(const GradientTape&) = delete;

  // Track a constant (or any value) so gradients with respect to it can be taken.
  void watch(const Variable& v);
  void watch(const std::vector<Variable>& vs);

  // Pauses recording on this tape until the returned guard is destroyed.
  class RecordingPause {
   public:
    explicit RecordingPause(autograd::TapeState* state);
    ~RecordingPause();
    RecordingPause(const RecordingPause&) = delete;
    RecordingPause& operator=(const RecordingPause&) = delete;

   private:
    autograd::TapeState* state_;
    bool was_recording_;
  };
  [[nodiscard]] RecordingPause stop_recording();

  // d target / d source for each source, zeros where a source does not reach the target.
  // The target must hold one element unless output_gradient (its shape) is given; that is
  // read in place, not copied.
  std::vector<Tensor> gradient(const Variable& target, const std::vector<Variable>& sources);
  std::vector<Tensor> gradient(const Variable& target, const std::vector<Variable>& sources,
                               const Tensor& output_gradient);
  Tensor gradient(const Variable& target, const Variable& source);
  Tensor gradient(const Variable& target, const Variable& source, const Tensor& output_gradient);

  // Number of ops on the record (0 after a non-persistent gradient()).
  std::size_t recorded_ops() const;
  bool persistent() const;

 private:
  std::unique_ptr<autograd::TapeState> state_;
  std::vector<Tensor> gradient_of(const Variable& target, const std::vector<Variable>& sources,
                                  const Tensor* output_gradient);
};

}  // namespace strata
