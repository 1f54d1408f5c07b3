#!/usr/bin/env bash
# Builds the libFuzzer targets (fuzz/, clang-14 with ASan + UBSan) and runs each for
# SECONDS (default 60), one after the other. The corpus grows in $BUILD_DIR/corpus/<target>
# (seeded from tests/data and fuzz/corpus); crashing inputs land in $BUILD_DIR/findings/<target>/.
# Prints executions per target and exits non-zero when any target found something.
#   scripts/fuzz.sh 600            # ten minutes each
#   TARGETS="npy idx" scripts/fuzz.sh 30
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
build_dir=${BUILD_DIR:-build-fuzz}
read -r -a targets <<< "${TARGETS:-model_json hdf5 npy idx}"

STRATA_EXTRA_PACKAGES="${STRATA_EXTRA_PACKAGES:-} clang-14 libclang-rt-14-dev" bash scripts/deps.sh
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_COMPILER=clang-14 \
  -DCMAKE_CXX_COMPILER=clang++-14 -DSTRATA_BUILD_FUZZERS=ON -DSTRATA_BUILD_TESTS=OFF >/dev/null
cmake --build "$build_dir" --parallel "$(nproc)" --target "${targets[@]/%/_fuzzer}"

# Seed files per target: small valid inputs, so the fuzzer starts deep inside each format.
seeds() {
  case "$1" in
    model_json) ls tests/data/keras/*.json fuzz/corpus/model_json/* ;;
    hdf5) ls tests/data/h5/*.h5 ;;
    npy) ls tests/data/npy/*.npy ;;
    idx) ls fuzz/corpus/idx/* ;;
  esac
}

# libhdf5's own leaks on damaged files are not strata's (fuzz/lsan.supp says why).
export LSAN_OPTIONS="suppressions=$PWD/fuzz/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}"

status=0
summary=()
for target in "${targets[@]}"; do
  corpus="$build_dir/corpus/$target"
  findings="$build_dir/findings/$target"
  mkdir -p "$corpus" "$findings"
  seeds "$target" | xargs -I{} cp -n {} "$corpus/"
  options=(-max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1
           -artifact_prefix="$findings/")
  [[ -f "fuzz/$target.dict" ]] && options+=(-dict="fuzz/$target.dict")
  log="$build_dir/$target.log"
  fuzzer="$build_dir/fuzz/${target}_fuzzer"
  [[ -x "$fuzzer" ]] || { echo "fuzz: $fuzzer was not built" >&2; exit 2; }
  echo "fuzz: $target for ${seconds}s (log: $log)"
  if "$fuzzer" "${options[@]}" "$corpus" >"$log" 2>&1; then
    result=ok
  else
    result="FOUND SOMETHING (see $log and $findings)"
    status=1
  fi
  runs=$(grep -o 'stat::number_of_executed_units: [0-9]*' "$log" | tail -1 | grep -o '[0-9]*$' || echo "?")
  summary+=("$target: $runs executions in ${seconds}s, corpus $(ls "$corpus" | wc -l) files, $result")
done
printf 'fuzz: %s\n' "${summary[@]}"
exit $status
