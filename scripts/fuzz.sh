#!/bin/sh
# Builds the libFuzzer targets with clang (ASan + UBSan) into build-fuzz/ and
# runs each for a given number of seconds, one target at a time on one core.
# New inputs that increase coverage go to build-fuzz/corpus/<target>/ (seeded
# from fuzz/corpus/<target>/); crash, timeout and out-of-memory reproducers go
# to fuzz/regressions/<target>/, which the ordinary test run replays
# (ctest -R fuzz_replay). See fuzz/README.md.
#
#   scripts/fuzz.sh [seconds per target] [target ...]     (default: 60, all)
#   scripts/fuzz.sh 600 model_loader
#
# Environment: CXX (default clang++-14 or clang++), FUZZ_JOBS (build jobs, 2),
# FUZZ_ARGS (extra libFuzzer flags).
set -eu
cd "$(dirname "$0")/.."
root=$PWD
seconds=${1:-60}
[ $# -gt 0 ] && shift
targets=${*:-"model_loader swc"}

cxx=${CXX:-}
if [ -z "$cxx" ]; then
    for c in clang++-14 clang++; do
        if command -v "$c" >/dev/null 2>&1; then cxx=$c; break; fi
    done
fi
[ -n "$cxx" ] || { echo "fuzz.sh: clang++ not found (apt-get install clang)" >&2; exit 1; }
launcher=""
command -v ccache >/dev/null 2>&1 && launcher="-DCMAKE_CXX_COMPILER_LAUNCHER=ccache"

cmake -S . -B build-fuzz -DCMAKE_CXX_COMPILER="$cxx" $launcher -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DRANVIER_FUZZ=ON -DRANVIER_BUILD_TESTS=OFF -DRANVIER_BUILD_BENCH=OFF \
    -DRANVIER_PYTHON_MODULE=OFF >/dev/null
for t in $targets; do
    cmake --build build-fuzz -j "${FUZZ_JOBS:-2}" --target "fuzz_$t"
done

status=0
for t in $targets; do
    corpus=build-fuzz/corpus/$t
    regressions=fuzz/regressions/$t
    mkdir -p "$corpus" "$regressions"
    marker=build-fuzz/fuzz_$t.started
    touch "$marker"
    dict=""
    [ -f "fuzz/$t.dict" ] && dict="-dict=fuzz/$t.dict"
    echo "== fuzz_$t for $seconds s (corpus $corpus, seeds fuzz/corpus/$t)"
    # Fork mode with one worker: a crash is saved and fuzzing goes on, so one
    # run of `seconds` finds every crash it can. -timeout: an input running
    # for seconds is a hang; -rss_limit_mb: memory blow-ups are findings too.
    # shellcheck disable=SC2086
    ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1 \
    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    "build-fuzz/fuzz/fuzz_$t" "$corpus" "fuzz/corpus/$t" $dict \
        -fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1 \
        -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=8192 \
        -artifact_prefix="$regressions/" -print_final_stats=1 ${FUZZ_ARGS:-} \
        2>&1 | tee "build-fuzz/fuzz_$t.log" | grep -E "^#[0-9]+|INFO: fuzzed|crash|ERROR|stat::|Test unit written" || true
    found=$(find "$regressions" -type f ! -name '.*' -newer "$marker" | wc -l)
    echo "== fuzz_$t: $found new reproducer(s) in $regressions (log: build-fuzz/fuzz_$t.log)"
    [ "$found" -eq 0 ] || status=1
done
exit $status
