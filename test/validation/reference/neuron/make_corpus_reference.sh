#!/usr/bin/env bash
# The NEURON reference of the NMODL corpus (corpus.py, models in
# corpus_cells.py): copies the .mod files (renaming the NMODL examples whose
# names NEURON has built in), compiles them with nrnivmodl.sh and runs
# corpus.py in nrniv with the library loaded (half a minute).
# Usage: test/validation/reference/neuron/make_corpus_reference.sh [out_dir]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source_dir="$(cd "$here/../../../.." && pwd)"
out="${1:-$here/corpus}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
/usr/bin/python3 - "$work" "$source_dir" <<'PY'
import sys
sys.path.insert(0, sys.argv[2] + "/test/validation/reference/neuron")
import corpus_cells as cc
for name in cc.MOD_FILES:
    with open(f"{sys.argv[1]}/{name}", "w") as f:
        f.write(cc.mod_text(name, sys.argv[2]))
PY
lib="$("$here/nrnivmodl.sh" "$work")"
export NRN_PYTHONHOME=/usr
export NRN_PYLIB=/usr/lib/x86_64-linux-gnu/libpython3.11.so.1
nrniv -nobanner -dll "$lib" -python "$here/corpus.py" "$out" </dev/null \
    2> >(grep -v -e 'no DISPLAY' -e 'No graphics' >&2 || true)
