#!/usr/bin/env bash
# Compiles test/data/nmodl/ions/*.mod with NEURON's nrnivmodl (nrnivmodl.sh)
# and writes the references of ion_mechanism.py (cells `single` and
# `branched`, each in its own NEURON session) into ion_mechanism/.
# Usage: test/validation/reference/neuron/make_ion_mechanism_reference.sh [out_dir]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source_dir="$(cd "$here/../../../.." && pwd)"
out="${1:-$here/ion_mechanism}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp "$source_dir"/test/data/nmodl/ions/*.mod "$work/"
lib="$("$here/nrnivmodl.sh" "$work")"
export NRN_PYTHONHOME=/usr
export NRN_PYLIB=/usr/lib/x86_64-linux-gnu/libpython3.11.so.1
for cell in single branched; do
    nrniv -nobanner -dll "$lib" -python "$here/ion_mechanism.py" "$out" "$cell" </dev/null \
        2> >(grep -v -e 'no DISPLAY' -e 'No graphics' >&2 || true)
done
