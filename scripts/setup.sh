#!/usr/bin/env bash
# Installs the Debian packages Ranvier needs (only those missing), then
# configures and builds it in ./build (or $RANVIER_BUILD_DIR).
# Idempotent: when everything is present it only runs an incremental build.
#
#   scripts/setup.sh                 install + Release build
#   RANVIER_SANITIZE=address,undefined RANVIER_BUILD_DIR=build-asan scripts/setup.sh
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  # toolchain and build
  cmake g++ make pkg-config
  # libraries
  libsundials-dev librandom123-dev libfmt-dev nlohmann-json3-dev libtoml11-dev
  libcli11-dev libgtest-dev libgmock-dev libbenchmark-dev
  libopenmpi-dev openmpi-bin pybind11-dev python3-dev
  # Debian's Python for plots, Python tests and peers
  python3 python3-numpy python3-matplotlib python3-pytest python3-scipy
  # peers for validation and benchmarks
  neuron python3-brian
  # NMODL front end of the mechanism translator (docs/nmodl.md): the parser,
  # AST, symbol table and SymPy solvers of the NMODL framework
  python3-nmodl nmodl
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

build_dir="${RANVIER_BUILD_DIR:-build}"
build_type="${RANVIER_BUILD_TYPE:-Release}"
if [ -n "${RANVIER_SANITIZE:-}" ]; then build_type=RelWithDebInfo; fi
cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE="$build_type" \
      -DRANVIER_SANITIZE="${RANVIER_SANITIZE:-}" > "$build_dir.configure.log" 2>&1 \
  || { cat "$build_dir.configure.log"; exit 1; }
cmake --build "$build_dir" -j "$(nproc)"
