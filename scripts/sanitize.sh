#!/usr/bin/env bash
# Runs the C++ test suite under AddressSanitizer + UndefinedBehaviorSanitizer
# (build-asan/), then the threaded tests under ThreadSanitizer (build-tsan/,
# only those targets are built). Python-driven tests are skipped (they run the
# Release binary).
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
