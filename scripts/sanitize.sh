#!/usr/bin/env bash
# Runs the C++ test suite under AddressSanitizer + UndefinedBehaviorSanitizer
# (build-asan/), then the threaded tests under ThreadSanitizer (build-tsan/,
# only those targets are built), then distributed async runs under
# ThreadSanitizer (mpirun, when MPI is built). Python-driven tests are skipped
# (they run the Release binary).
set -euo pipefail
cd "$(dirname "$0")/.."
jobs="${RANVIER_JOBS:-$(nproc)}"
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

RANVIER_SANITIZE=address,undefined RANVIER_BUILD_DIR=build-asan scripts/setup.sh
ctest --test-dir build-asan -E '^py_' --output-on-failure -j "$jobs"

threaded_tests=(task_pool_test work_statistics_test hybrid_cable_cell_test engine_determinism_test bsp_variable_determinism_test async_determinism_test spike_source_determinism_test cable_network_test cable_variable_network_test dry_run_test)
cmake -S . -B build-tsan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DRANVIER_SANITIZE=thread > /dev/null
cmake --build build-tsan -j "$jobs" --target "${threaded_tests[@]}"
for t in "${threaded_tests[@]}"; do
  TSAN_OPTIONS=halt_on_error=1 "build-tsan/test/$t" --gtest_brief=1
done

# The distributed asynchronous engine under ThreadSanitizer: 2 processes x 2
# threads, each process's workers polling MPI under the engine lock. Open MPI's
# shared-memory transport only (OMPI_MCA_btl=self,vader): its TCP transport
# takes two of its own locks in both orders inside MPI_Init, which TSan reports
# (a library-internal report, nothing of Ranvier's).
if command -v mpirun > /dev/null && grep -q "RANVIER_MPI:BOOL=ON" build-tsan/CMakeCache.txt; then
  cmake --build build-tsan -j "$jobs" --target ranvier
  mpirun_args=(--oversubscribe -np 2)
  [ "$(id -u)" = 0 ] && mpirun_args=(--allow-run-as-root "${mpirun_args[@]}")
  out="$(mktemp -d)"
  for model in test/data/models/mpi/mixed.toml test/data/models/mpi/brunel_small.toml examples/ring.toml; do
    for mode in async-fixed async-variable; do
      echo "ThreadSanitizer, 2 processes x 2 threads: $model $mode"
      TSAN_OPTIONS=halt_on_error=1 OMPI_MCA_btl=self,vader OMPI_MCA_btl_vader_single_copy_mechanism=none \
        mpirun "${mpirun_args[@]}" build-tsan/ranvier run "$model" --mode "$mode" --threads 2 --t-stop 50 \
        --out "$out/run" --no-plot -q
    done
  done
  rm -rf "$out"
fi
