// Progbar: Keras's text byte for byte, on a fake clock. Every expected line below is
// derived by hand from keras/utils/generic_utils.py (tf.keras 2.11): bar widths
// int(30 * current / target), ETA = time per step (first step excluded) x steps left,
// "%.0f" rounding half to even as Python does.
#include <catch2/catch.hpp>

#include <sstream>
#include <string>
#include <vector>

#include "strata/progbar.hpp"

using strata::Progbar;
using strata::ProgbarOptions;

namespace {

// A clock the test moves by hand.
struct FakeClock {
  double now = 0.0;
  std::function<double()> fn() {
    return [this] { return now; };
  }
};

ProgbarOptions options(FakeClock& clock, bool terminal, int verbose = 1) {
  ProgbarOptions o;
  o.verbose = verbose;
  o.dynamic_display = terminal;
  o.clock = clock.fn();
  return o;
}

std::string backspaces(std::size_t n) { return std::string(n, '\b'); }

}  // namespace

TEST_CASE("Progbar prints a new line per update when the stream is not a terminal", "[progbar]") {
  FakeClock clock{100.0};
  std::ostringstream out;
  Progbar bar(4, options(clock, false), out);

  clock.now = 100.5;  // 0.5 s per step so far, 3 steps left: ETA 1.5 s, shown truncated
  bar.update(1, {{"loss", 0.5}, {"accuracy", 0.25}});
  clock.now = 102.5;  // the first step is excluded from now on: 2 s per step, 2 left
  bar.update(2, {{"loss", 0.3}, {"accuracy", 0.75}});
  clock.now = 106.5;  // two steps at once weigh 2 in the averages; 6.5 s rounds to "6s"
  bar.update(4, {{"loss", 0.1}, {"accuracy", 1.0}});

  CHECK(out.str() ==
        "\n1/4 [======>.......................] - ETA: 1s - loss: 0.5000 - accuracy: 0.2500"
        "\n2/4 [==============>...............] - ETA: 4s - loss: 0.4000 - accuracy: 0.5000"
        "\n4/4 [==============================] - 6s 2s/step - loss: 0.2500 - accuracy: 0.7500\n");
}

TEST_CASE("Progbar redraws in place on a terminal, backspacing over the previous line", "[progbar]") {
  FakeClock clock{100.0};
  std::ostringstream out;
  Progbar bar(4, options(clock, true), out);
  REQUIRE(bar.dynamic_display());

  clock.now = 100.5;
  bar.update(1, {{"loss", 0.5}, {"accuracy", 0.25}});
  clock.now = 102.5;
  bar.update(2, {{"loss", 0.3}, {"accuracy", 0.75}});
  clock.now = 106.5;
  bar.add(2, {{"loss", 0.1}, {"accuracy", 1.0}});

  // Widths Keras tracks: the bar (36) plus the info text (44, then 47 at the end).
  CHECK(out.str() ==
        "\r1/4 [======>.......................] - ETA: 1s - loss: 0.5000 - accuracy: 0.2500" + backspaces(80) +
            "\r2/4 [==============>...............] - ETA: 4s - loss: 0.4000 - accuracy: 0.5000" + backspaces(80) +
            "\r4/4 [==============================] - 6s 2s/step - loss: 0.2500 - accuracy: 0.7500\n");
}

TEST_CASE("Progbar shows the ETA as h:mm:ss, m:ss or seconds and pads a shorter line", "[progbar]") {
  FakeClock clock{0.0};
  std::ostringstream out;
  Progbar bar(100, options(clock, true), out);

  clock.now = 40.0;  // 40 s x 99 steps = 3960 s
  bar.update(1);
  clock.now = 41.0;  // 1 s x 98 = 98 s
  bar.update(2);
  clock.now = 41.03;  // within the 0.05 s interval: not drawn
  bar.update(3);
  clock.now = 64.5;  // (64.5 - 40) / 49 = 0.5 s x 50 = 25 s
  bar.update(50);
  clock.now = 89.5;  // 49.5 / 99 = 0.5 s per step; 89.5 s rounds to "90s"
  bar.update(100);

  const std::string dots(30, '.');
  CHECK(out.str() == "\r  1/100 [" + dots + "] - ETA: 1:06:00" + backspaces(55) +  //
                         "\r  2/100 [" + dots + "] - ETA: 1:38   " + backspaces(52) +
                         "\r 50/100 [==============>...............] - ETA: 25s " + backspaces(51) +
                         "\r100/100 [==============================] - 90s 500ms/step\n");
}

TEST_CASE("Progbar shows ETA: 0s when less than a second is left", "[progbar]") {
  FakeClock clock{0.0};
  std::ostringstream out;
  Progbar bar(10, options(clock, false), out);
  clock.now = 0.09;  // 0.01 s per step, 1 step left
  bar.update(9);
  CHECK(out.str() == "\n 9/10 [==========================>...] - ETA: 0s");
}

TEST_CASE("Progbar with verbose 2 prints one line at the end with epoch and step times", "[progbar]") {
  FakeClock clock{0.0};
  std::ostringstream out;
  Progbar bar(469, options(clock, false, 2), out);

  clock.now = 1.0;
  bar.update(1, {{"loss", 0.9}, {"accuracy", 0.5}});
  clock.now = 2.0;
  bar.update(200, {{"loss", 0.35}, {"accuracy", 0.875}});
  CHECK(out.str().empty());
  clock.now = 3.2;
  bar.update(469, {{"loss", 0.35}, {"accuracy", 0.875}});

  // loss (0.9 + 0.35 x 468) / 469 = 0.35117; accuracy (0.5 + 0.875 x 468) / 469 = 0.87420;
  // 3.2 s per epoch, 3.2 / 469 = 6.8 ms per step.
  CHECK(out.str() == "469/469 - 3s - loss: 0.3512 - accuracy: 0.8742 - 3s/epoch - 7ms/step\n");
}

TEST_CASE("Progbar with verbose 2 prints negative averages in %.4e as Keras does", "[progbar]") {
  FakeClock clock{0.0};
  std::ostringstream out;
  Progbar bar(2, options(clock, false, 2), out);
  clock.now = 0.5;
  bar.update(2, {{"loss", -0.5}});
  // Keras's verbose-2 test is avg > 1e-3 without abs(); 0.5 s per epoch, / 2 steps = 250 ms.
  CHECK(out.str() == "2/2 - 0s - loss: -5.0000e-01 - 500ms/epoch - 250ms/step\n");
}

TEST_CASE("Progbar with verbose 1 prints small values in %.4e and negative ones in %.4f", "[progbar]") {
  FakeClock clock{0.0};
  std::ostringstream out;
  Progbar bar(1, options(clock, false), out);
  clock.now = 0.000123;
  bar.update(1, {{"a", -0.5}, {"b", 0.0005}, {"c", 0.001}, {"d", 0.0011}, {"e", 0.0}});
  CHECK(out.str() ==
        "\n1/1 [==============================] - 0s 123us/step - a: -0.5000 - b: 5.0000e-04 - c: 1.0000e-03"
        " - d: 0.0011 - e: 0.0000e+00\n");
}

TEST_CASE("Progbar shows stateful metrics as last given instead of averaging them", "[progbar]") {
  FakeClock clock{0.0};
  std::ostringstream out;
  ProgbarOptions o = options(clock, false);
  o.stateful_metrics = {"acc"};
  Progbar bar(2, o, out);
  clock.now = 1.0;
  bar.update(1, {{"loss", 1.0}, {"acc", 0.5}});
  clock.now = 3.0;
  bar.update(2, {{"loss", 2.0}, {"acc", 0.9}});
  CHECK(out.str() ==
        "\n1/2 [==============>...............] - ETA: 1s - loss: 1.0000 - acc: 0.5000"
        "\n2/2 [==============================] - 3s 2s/step - loss: 1.5000 - acc: 0.9000\n");
}

TEST_CASE("Progbar with an unknown target counts steps and shows the time per step", "[progbar]") {
  FakeClock clock{0.0};
  std::ostringstream out;
  ProgbarOptions o = options(clock, false);
  o.unit_name = "sample";
  Progbar bar(std::nullopt, o, out);
  clock.now = 1.0;
  bar.update(5, {{"loss", 0.25}});
  clock.now = 2.0;
  bar.update(10, {{"loss", 0.75}}, true);
  CHECK(out.str() ==
        "\n      5/Unknown - 1s 200ms/sample - loss: 0.2500"
        "\n     10/Unknown - 2s 200ms/sample - loss: 0.5000\n");
}

TEST_CASE("Progbar with verbose 0 prints nothing", "[progbar]") {
  FakeClock clock{0.0};
  std::ostringstream out;
  Progbar bar(3, options(clock, false, 0), out);
  for (std::size_t i = 1; i <= 3; ++i) {
    clock.now += 1.0;
    bar.update(i, {{"loss", 1.0}});
  }
  CHECK(out.str().empty());
  CHECK(bar.seen_so_far() == 3);
}

TEST_CASE("Progbar with a narrower width draws the bar to that width", "[progbar]") {
  FakeClock clock{0.0};
  std::ostringstream out;
  ProgbarOptions o = options(clock, false);
  o.width = 10;
  Progbar bar(4, o, out);
  clock.now = 2.0;
  bar.update(3);
  CHECK(out.str() == "\n3/4 [======>...] - ETA: 0s");
}

TEST_CASE("Progbar on a string stream does not redraw in place unless told to", "[progbar]") {
  std::ostringstream out;
  CHECK_FALSE(Progbar(3, {}, out).dynamic_display());
  CHECK(Progbar(3, {.dynamic_display = true}, out).dynamic_display());
}

TEST_CASE("format_time_per_unit picks s, ms or us as Keras does", "[progbar]") {
  CHECK(strata::format_time_per_unit(2.4, "step") == " 2s/step");
  CHECK(strata::format_time_per_unit(0.0, "step") == " 0s/step");
  CHECK(strata::format_time_per_unit(0.0064, "step") == " 6ms/step");
  CHECK(strata::format_time_per_unit(0.000123, "sample") == " 123us/sample");
  CHECK(strata::format_time_per_unit(3.5, "epoch") == " 4s/epoch");  // half to even
  CHECK(strata::format_time_per_unit(2.5, "epoch") == " 2s/epoch");
}

TEST_CASE("format_eta truncates seconds and switches format above 60 s and 3600 s", "[progbar]") {
  CHECK(strata::format_eta(0.4) == "0s");
  CHECK(strata::format_eta(5.9) == "5s");
  CHECK(strata::format_eta(60.0) == "60s");
  CHECK(strata::format_eta(62.7) == "1:02");
  CHECK(strata::format_eta(3600.0) == "60:00");
  CHECK(strata::format_eta(3723.9) == "1:02:03");
}
