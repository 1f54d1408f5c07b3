#!/usr/bin/env bash
# Installs the Debian packages strata needs, only those missing; runs `apt-get update`
# only when something has to be installed. Idempotent; needs root (or sudo) to install.
set -euo pipefail

packages=(
  g++ cmake ninja-build ccache pkg-config
  xtensor-dev xtl-dev libxsimd-dev nlohmann-json3-dev catch2 libopenblas-dev
  libhdf5-dev zlib1g-dev libcli11-dev libfmt-dev dataset-fashion-mnist gnuplot-nox
)
# Extra packages can be asked for, e.g. STRATA_EXTRA_PACKAGES="libtorch-dev" for the benchmark.
read -r -a extra <<< "${STRATA_EXTRA_PACKAGES:-}"
packages+=("${extra[@]}")

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$p")
done

if ((${#missing[@]} == 0)); then
  echo "deps: all ${#packages[@]} packages present"
  exit 0
fi

echo "deps: installing ${missing[*]}"
sudo=()
if [[ $(id -u) -ne 0 ]]; then sudo=(sudo); fi
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -q
"${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
