#!/usr/bin/env bash
# Compiles test/data/nmodl/events/*.mod with NEURON's nrnivmodl (nrnivmodl.sh)
# and writes the reference of net_receive.py into net_receive/ (a few seconds).
# Usage: test/validation/reference/neuron/make_net_receive_reference.sh [out_dir]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source_dir="$(cd "$here/../../../.." && pwd)"
out="${1:-$here/net_receive}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp "$source_dir"/test/data/nmodl/events/*.mod "$work/"
lib="$("$here/nrnivmodl.sh" "$work")"
export NRN_PYTHONHOME=/usr
export NRN_PYLIB=/usr/lib/x86_64-linux-gnu/libpython3.11.so.1
nrniv -nobanner -dll "$lib" -python "$here/net_receive.py" "$out" </dev/null \
    2> >(grep -v -e 'no DISPLAY' -e 'No graphics' >&2 || true)
