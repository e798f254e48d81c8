#!/bin/sh
# Instruction counts (callgrind, repeatable on a loaded machine) of the
# models of make_models.py at two run lengths; the difference removes the
# setup. Usage: measure.sh RANVIER_BINARY OUTDIR. Prints "model t_stop Ir".
set -e
bin=$1; out=$2
/usr/bin/python3 "$(dirname "$0")/make_models.py" "$out"
for m in lif conn poisson cable cable_pas cable_2 cable_syn; do
    for t in 100 500; do
        valgrind --tool=callgrind --callgrind-out-file="$out/cg.$m.$t.out" \
            "$bin" run "$out/$m.toml" --t-stop $t -o "$out/run_$m_$t" -q --no-plot -t 1 \
            > "$out/cg.$m.$t.log" 2>&1
        echo "$m $t $(grep -o 'Collected : [0-9]*' "$out/cg.$m.$t.log" | awk '{print $3}')"
    done
done
