// One small Sequential per layer class, its tf.keras 2.0-2.6 summary compared byte for
// byte. Expected rows are derived by hand: the cell is `name (Class)` cut to 28 chars and
// a space, the shape column ends at 55 and the count at 65 (KERAS.md §1.2); output shapes
// follow Keras's rules and parameter counts are the sizes of the weights of KERAS.md §7.1.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "strata/layers/activation.hpp"
#include "strata/layers/alpha_dropout.hpp"
#include "strata/layers/average_pooling2d.hpp"
#include "strata/layers/batch_normalization.hpp"
#include "strata/layers/conv2d.hpp"
#include "strata/layers/conv2d_transpose.hpp"
#include "strata/layers/dense.hpp"
#include "strata/layers/dropout.hpp"
#include "strata/layers/elu.hpp"
#include "strata/layers/flatten.hpp"
#include "strata/layers/global_average_pooling2d.hpp"
#include "strata/layers/global_max_pooling2d.hpp"
#include "strata/layers/input_layer.hpp"
#include "strata/layers/leaky_re_lu.hpp"
#include "strata/layers/max_pooling2d.hpp"
#include "strata/layers/p_re_lu.hpp"
#include "strata/layers/r_re_lu.hpp"
#include "strata/layers/re_lu.hpp"
#include "strata/layers/reshape.hpp"
#include "strata/layers/softmax.hpp"
#include "strata/layers/thresholded_re_lu.hpp"
#include "strata/sequential.hpp"

using namespace strata;
using namespace strata::layers;

namespace {

// The era-A frame around literal rows (each 65 chars): title, rules, header, rows with a
// '_' rule between them, '=' after the last, then the three count lines as given.
std::string table(const std::string& model, const std::vector<std::string>& rows, const std::string& counts) {
  const std::string under(65, '_'), equals(65, '=');
  std::string out = "Model: \"" + model + "\"\n" + under + "\n" +
                    "Layer (type)                 Output Shape              Param #   \n" + equals + "\n";
  for (std::size_t i = 0; i < rows.size(); ++i) out += rows[i] + "\n" + (i + 1 < rows.size() ? under : equals) + "\n";
  return out + counts + under + "\n";
}

std::string counts(const std::string& total, const std::string& trainable, const std::string& non_trainable) {
  return "Total params: " + total + "\nTrainable params: " + trainable + "\nNon-trainable params: " + non_trainable +
         "\n";
}

// The summary of a one-layer model; the layer is made after clear_session so its
// default name is the first of its stem.
template <class Make>
std::string single_row_summary(Make make) {
  backend::clear_session();
  Sequential model;
  model.add(make());
  return model.summary_string();
}

}  // namespace

TEST_CASE("Dense row: units outputs and in*units+units params", "[summary][rows]") {
  backend::clear_session();
  Sequential model;
  model.add(Dense({.units = 10, .input_shape = {4}}));
  // kernel (4, 10) + bias (10,) = 50
  CHECK(model.summary_string() ==
        table("sequential", {"dense (Dense)                (None, 10)                50        "}, counts("50", "50", "0")));
}

TEST_CASE("Flatten row: the product of the non-batch axes", "[summary][rows]") {
  backend::clear_session();
  Sequential model;
  model.add(Flatten({.input_shape = {3, 4, 5}}));
  CHECK(model.summary_string() ==
        table("sequential", {"flatten (Flatten)            (None, 60)                0         "}, counts("0", "0", "0")));
}

TEST_CASE("Reshape rows: the target shape, with -1 resolved from the input size", "[summary][rows]") {
  backend::clear_session();
  Sequential model;
  model.add(Reshape({.target_shape = {7, 7, 64}, .input_shape = {3136}}));
  model.add(Reshape({.target_shape = {-1, 2}}));  // 7*7*64 / 2 = 1568
  CHECK(model.summary_string() == table("sequential",
                                        {"reshape (Reshape)            (None, 7, 7, 64)          0         ",
                                         "reshape_1 (Reshape)          (None, 1568, 2)           0         "},
                                        counts("0", "0", "0")));
}

TEST_CASE("Dropout row: the input shape and no params", "[summary][rows]") {
  backend::clear_session();
  Sequential model;
  model.add(Dropout({.rate = 0.5, .input_shape = {10}}));
  CHECK(model.summary_string() ==
        table("sequential", {"dropout (Dropout)            (None, 10)                0         "}, counts("0", "0", "0")));
}

TEST_CASE("AlphaDropout row: a 28-char cell is printed whole", "[summary][rows]") {
  backend::clear_session();
  Sequential model;
  model.add(AlphaDropout({.rate = 0.1, .input_shape = {10}}));
  CHECK(model.summary_string() ==
        table("sequential", {"alpha_dropout (AlphaDropout) (None, 10)                0         "}, counts("0", "0", "0")));
}

TEST_CASE("InputLayer prints no row in a Sequential, as model.layers hides it", "[summary][rows]") {
  backend::clear_session();
  Sequential model;
  model.add(InputLayer({.input_shape = {4}}));
  model.add(Dense({.units = 2}));
  // kernel (4, 2) + bias (2,) = 10
  CHECK(model.summary_string() ==
        table("sequential", {"dense (Dense)                (None, 2)                 10        "}, counts("10", "10", "0")));
}

TEST_CASE("Activation row: the input shape and no params", "[summary][rows]") {
  backend::clear_session();
  Sequential model;
  model.add(Activation({.activation = "relu", .input_shape = {5}}));
  CHECK(model.summary_string() ==
        table("sequential", {"activation (Activation)      (None, 5)                 0         "}, counts("0", "0", "0")));
}

TEST_CASE("Conv2D rows: valid and strided same padding, kh*kw*in*filters+filters params", "[summary][rows]") {
  backend::clear_session();
  Sequential model;
  model.add(Conv2D({.filters = 32, .kernel_size = 3, .input_shape = {28, 28, 1}}));
  model.add(Conv2D({.filters = 4, .kernel_size = 3, .strides = 2, .padding = "same"}));
  // valid: 28 - 3 + 1 = 26, 3*3*1*32 + 32 = 320; same, stride 2: ceil(26 / 2) = 13,
  // 3*3*32*4 + 4 = 1156.
  CHECK(model.summary_string() == table("sequential",
                                        {"conv2d (Conv2D)              (None, 26, 26, 32)        320       ",
                                         "conv2d_1 (Conv2D)            (None, 13, 13, 4)         1156      "},
                                        counts("1,476", "1,476", "0")));
}

TEST_CASE("Conv2DTranspose rows with strides 2: valid and same output sizes", "[summary][rows]") {
  backend::clear_session();
  Sequential model;
  model.add(Conv2DTranspose({.filters = 16, .kernel_size = 3, .strides = 2, .input_shape = {7, 7, 8}}));
  model.add(Conv2DTranspose({.filters = 16, .kernel_size = 3, .strides = 2, .padding = "same"}));
  // valid: 7*2 + max(3 - 2, 0) = 15, kernel (3, 3, 16, 8) + 16 = 1168;
  // same: 15*2 = 30, kernel (3, 3, 16, 16) + 16 = 2320. Both cells are cut at 28 chars.
  CHECK(model.summary_string() == table("sequential",
                                        {"conv2d_transpose (Conv2DTran (None, 15, 15, 16)        1168      ",
                                         "conv2d_transpose_1 (Conv2DTr (None, 30, 30, 16)        2320      "},
                                        counts("3,488", "3,488", "0")));
}

TEST_CASE("MaxPooling2D row: pool 2 halves each spatial axis", "[summary][rows]") {
  backend::clear_session();
  Sequential model;
  model.add(MaxPooling2D({.pool_size = 2, .input_shape = {28, 28, 3}}));
  CHECK(model.summary_string() ==
        table("sequential", {"max_pooling2d (MaxPooling2D) (None, 14, 14, 3)         0         "}, counts("0", "0", "0")));
}

TEST_CASE("AveragePooling2D row: valid pooling drops the odd last row and column", "[summary][rows]") {
  backend::clear_session();
  Sequential model;
  model.add(AveragePooling2D({.pool_size = 2, .input_shape = {5, 5, 3}}));
  // floor((5 - 2) / 2) + 1 = 2
  CHECK(model.summary_string() ==
        table("sequential", {"average_pooling2d (AveragePo (None, 2, 2, 3)           0         "}, counts("0", "0", "0")));
}

TEST_CASE("GlobalAveragePooling2D rows: channels only, or 1x1 with keepdims", "[summary][rows]") {
  backend::clear_session();
  Sequential model;
  model.add(GlobalAveragePooling2D({.input_shape = {7, 7, 32}}));
  CHECK(model.summary_string() ==
        table("sequential", {"global_average_pooling2d (Gl (None, 32)                0         "}, counts("0", "0", "0")));
  Sequential kept;  // the second model and layer of the session: sequential_1, ..._1
  kept.add(GlobalAveragePooling2D({.keepdims = true, .input_shape = {7, 7, 32}}));
  CHECK(kept.summary_string() ==
        table("sequential_1", {"global_average_pooling2d_1 ( (None, 1, 1, 32)          0         "},
              counts("0", "0", "0")));
}

TEST_CASE("GlobalMaxPooling2D row: channels only", "[summary][rows]") {
  backend::clear_session();
  Sequential model;
  model.add(GlobalMaxPooling2D({.input_shape = {7, 7, 32}}));
  CHECK(model.summary_string() ==
        table("sequential", {"global_max_pooling2d (Global (None, 32)                0         "}, counts("0", "0", "0")));
}

TEST_CASE("BatchNormalization row: four weights per channel, half of them non-trainable", "[summary][rows]") {
  backend::clear_session();
  Sequential model;
  model.add(BatchNormalization({.input_shape = {4, 4, 1000}}));
  // gamma, beta (trainable) and moving_mean, moving_variance (not), each (1000,)
  CHECK(model.summary_string() ==
        table("sequential", {"batch_normalization (BatchNo (None, 4, 4, 1000)        4000      "},
              counts("4,000", "2,000", "2,000")));
}

TEST_CASE("PReLU rows: one slope per element, or per channel with shared_axes 1 and 2", "[summary][rows]") {
  backend::clear_session();
  Sequential model;
  model.add(PReLU({.input_shape = {26, 26, 32}}));
  model.add(PReLU({.shared_axes = {1, 2}}));
  // alpha (26, 26, 32) = 21632; with shared axes (1, 1, 32) = 32
  CHECK(model.summary_string() == table("sequential",
                                        {"p_re_lu (PReLU)              (None, 26, 26, 32)        21632     ",
                                         "p_re_lu_1 (PReLU)            (None, 26, 26, 32)        32        "},
                                        counts("21,664", "21,664", "0")));
}

TEST_CASE("ReLU row", "[summary][rows]") {
  CHECK(single_row_summary([] { return ReLU({.input_shape = {3}}); }) ==
        table("sequential", {"re_lu (ReLU)                 (None, 3)                 0         "}, counts("0", "0", "0")));
}

TEST_CASE("LeakyReLU row", "[summary][rows]") {
  CHECK(single_row_summary([] { return LeakyReLU({.input_shape = {3}}); }) ==
        table("sequential", {"leaky_re_lu (LeakyReLU)      (None, 3)                 0         "}, counts("0", "0", "0")));
}

TEST_CASE("ELU row", "[summary][rows]") {
  CHECK(single_row_summary([] { return ELU({.input_shape = {3}}); }) ==
        table("sequential", {"elu (ELU)                    (None, 3)                 0         "}, counts("0", "0", "0")));
}

TEST_CASE("ThresholdedReLU row: the cell is cut at 28 chars", "[summary][rows]") {
  CHECK(single_row_summary([] { return ThresholdedReLU({.input_shape = {3}}); }) ==
        table("sequential", {"thresholded_re_lu (Threshold (None, 3)                 0         "}, counts("0", "0", "0")));
}

TEST_CASE("Softmax row", "[summary][rows]") {
  CHECK(single_row_summary([] { return Softmax({.input_shape = {3}}); }) ==
        table("sequential", {"softmax (Softmax)            (None, 3)                 0         "}, counts("0", "0", "0")));
}

TEST_CASE("RReLU row: snake case r_re_lu and no weights", "[summary][rows]") {
  CHECK(single_row_summary([] { return RReLU({.input_shape = {3}}); }) ==
        table("sequential", {"r_re_lu (RReLU)              (None, 3)                 0         "}, counts("0", "0", "0")));
}
