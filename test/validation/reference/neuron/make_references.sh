#!/usr/bin/env bash
# Regenerates every NEURON reference file in this folder (about 10 s on 2 cores).
# Usage: test/validation/reference/neuron/make_references.sh [out_dir]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="${1:-$here}"
mkdir -p "$out"
/usr/bin/python3 "$here/cell_descriptions.py" "$out"
for cell in hh_single branched passive_cable; do
    "$here/nrnpy.sh" "$here/run_reference.py" "$out/${cell}_cell.json" "$out"
done
"$here/nrnpy.sh" "$here/ring_networks.py" "$out"
"$here/nrnpy.sh" "$here/spike_source_drive.py" "$out"
"$here/nrnpy.sh" "$here/i_membrane.py" "$out"
# The layer-5 pyramidal-like cell (examples/l5pc): its .mod files compiled for NEURON
# first (the library is not committed; examples/l5pc/mod/.gitignore).
"$here/nrnivmodl.sh" "$here/../../../../examples/l5pc/mod" >/dev/null
"$here/nrnpy.sh" "$here/l5pc_reference.py" "$out"
