#!/usr/bin/env bash
# Builds and runs the C++ test suite under AddressSanitizer + UndefinedBehavior-
# Sanitizer (build-asan/), then the threaded tests under ThreadSanitizer
# (build-tsan/). Python-driven tests are skipped (they run the Release binary).
set -euo pipefail
cd "$(dirname "$0")/.."
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
RANVIER_SANITIZE=address,undefined RANVIER_BUILD_DIR=build-asan scripts/setup.sh
ctest --test-dir build-asan -LE 'long' -E '^py_' --output-on-failure -j 2
RANVIER_SANITIZE=thread RANVIER_BUILD_DIR=build-tsan scripts/setup.sh
TSAN_OPTIONS=halt_on_error=1 ctest --test-dir build-tsan -R 'determinism|thread|task_pool' \
  --output-on-failure -j 1
