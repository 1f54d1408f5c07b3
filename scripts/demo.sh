#!/usr/bin/env bash
# The main job: installs dependencies, builds in Release, and trains the seed CNN on
# Fashion-MNIST. Extra arguments go to `strata train` (e.g. --epochs 15 --out DIR);
# EPOCHS sets the number of epochs (default 12).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh
build_dir=${BUILD_DIR:-build-release}
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release -DSTRATA_BUILD_TESTS=OFF
cmake --build "$build_dir" --parallel "$(nproc)" --target strata_cli
"$build_dir/strata" train --epochs "${EPOCHS:-12}" --lr-decay 0.85 --out "${OUT:-demo-output}" "$@"
