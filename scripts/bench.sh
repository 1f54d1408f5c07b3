#!/usr/bin/env bash
# Builds strata_bench (Release, with Debian's libtorch-dev for the side-by-side reference)
# and runs it; arguments go to strata_bench (see `scripts/bench.sh --help`).
# BUILD_DIR (default build-bench) can be set. Run it on an otherwise idle machine.
set -euo pipefail
cd "$(dirname "$0")/.."
STRATA_EXTRA_PACKAGES="libtorch-dev ${STRATA_EXTRA_PACKAGES:-}" bash scripts/deps.sh >&2
build_dir=${BUILD_DIR:-build-bench}
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release -DSTRATA_BUILD_BENCH=ON -DSTRATA_BUILD_TESTS=OFF >&2
cmake --build "$build_dir" --parallel "$(nproc)" --target strata_bench >&2
exec "$build_dir/bench/strata_bench" "$@"
