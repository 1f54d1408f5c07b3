// `strata study activations`: the seed CNN trained with each rectifier variant (and a few
// smooth activations) under the same seeds, optimizer and epochs. This header joins the
// three files of the study: the activations (study_activations.cpp), the runs
// (study_command.cpp) and the reports and plots (study_report.cpp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "strata/layers/layer.hpp"
#include "strata/training.hpp"

namespace strata {
class Sequential;
}

namespace strata::cli::study {

// One activation of the study. `make(position)` makes the activation layer that follows
// the seed CNN's position-th layer with weights: 0, 1, 2 are the convolutions (NHWC
// inputs), 3 is the hidden Dense layer (inputs (None, 64)).
struct ActivationSpec {
  std::string key;    // on the command line: "prelu_shared"
  std::string label;  // in tables and plots: "PReLU shared_axes [1, 2]"
  std::string code;   // the strata C++ that makes it (after the convolutions)
  std::function<std::shared_ptr<layers::Layer>(std::size_t position)> make;
};

// Every activation of the study, in the order of the tables.
const std::vector<ActivationSpec>& activation_specs();
// By key; ValueError naming the known keys otherwise.
const ActivationSpec& find_activation(const std::string& key);

// The learned slopes of one PReLU layer of a trained model.
struct PReLUSlopes {
  std::string layer;  // "p_re_lu_1"
  Shape shape;        // alpha's shape, e.g. (1, 1, 64)
  std::vector<float> alpha;
};
std::vector<PReLUSlopes> prelu_slopes(const Sequential& model);

// An activation layer's values and derivatives at xs, computed by strata's ops and tape
// in inference mode.
struct ActivationCurve {
  std::vector<float> f, df;
};
ActivationCurve sample_activation(layers::Layer& layer, const std::vector<float>& xs);

// What one training run (one activation, one seed) produced.
struct RunResult {
  std::string activation;  // the spec's key
  std::uint64_t seed = 0;
  History history;
  // The model after the last epoch in inference mode, on the training part (the samples
  // fit trained on), the held-out validation part and the test set.
  double train_loss = 0, train_accuracy = 0;
  double val_loss = 0, val_accuracy = 0;
  double test_loss = 0, test_accuracy = 0;
  // The last epoch's running means of fit (training mode: RReLU's random slopes).
  double fit_loss = 0, fit_accuracy = 0;
  double seconds_per_epoch = 0;  // fit's wall time per epoch, validation included
  double seconds = 0;            // the whole run: fit and the three evaluations
  std::vector<PReLUSlopes> slopes;
};

// What the reports say about how the runs were made.
struct StudySettings {
  std::string command;  // the effective command line, every option spelled out
  std::vector<std::string> activations;
  std::vector<std::uint64_t> seeds;
  int epochs = 0;
  std::size_t batch_size = 0;
  std::string optimizer;
  double learning_rate = 0;
  double lr_decay = 1;
  std::size_t train_samples = 0, validation_samples = 0, test_samples = 0;
};

// Writes results.md, results.csv (one row per activation), runs.csv (one row per run),
// curves.svg (learning curves, the mean over seeds) and activations.svg (each activation
// and its derivative, PReLU's learned and RReLU's random slopes as bands) into `dir`.
// Returns the files written.
std::vector<std::string> write_reports(const StudySettings& settings, const std::vector<RunResult>& runs,
                                       const std::string& dir);

}  // namespace strata::cli::study
