#!/usr/bin/env bash
# Compiles test/data/nmodl/artificial/*.mod (invlfire.mod) with NEURON's nrnivmodl (nrnivmodl.sh)
# and writes the reference of artificial_cells.py into artificial/ (a few seconds).
# Usage: test/validation/reference/neuron/make_artificial_reference.sh [out_dir]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source_dir="$(cd "$here/../../../.." && pwd)"
out="${1:-$here/artificial}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp "$source_dir"/test/data/nmodl/artificial/*.mod "$work/"
lib="$("$here/nrnivmodl.sh" "$work")"
export NRN_PYTHONHOME=/usr
export NRN_PYLIB=/usr/lib/x86_64-linux-gnu/libpython3.11.so.1
nrniv -nobanner -dll "$lib" -python "$here/artificial_cells.py" "$out" </dev/null \
    2> >(grep -v -e 'no DISPLAY' -e 'No graphics' >&2 || true)
