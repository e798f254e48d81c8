"""NEURON 8.2's total membrane current i_membrane_ (cvode.use_fast_imem(1), nA per
segment: capacitive + ionic + synaptic, electrode currents excluded) on the
`branched` reference cell, for Ranvier's `i_membrane_` probe
(test/python/test_i_membrane.py).

Run inside NEURON:  ./nrnpy.sh i_membrane.py <out_dir>   (reads branched_cell.json here)
Writes i_membrane.json: for backward Euler ("be", dt 0.025 ms), Crank-Nicolson
("cn", secondorder = 2, dt 0.025 ms) and global CVODE ("cvode", atol = rtol = 1e-9),
at every 0.1 ms from 0 to tstop, i_membrane_ (nA) at the cell's probe segments, the
sum of i_membrane_ over all segments (which NEURON makes equal to the injected
IClamp current) and the IClamp's current.
"""
import json
import os
import sys

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, here)
from nrn_session import hoc_interpreter, script_args  # noqa: E402
from cell_builder import build_cell  # noqa: E402

SAMPLE_MS = 0.1
CVODE_TOL = 1e-9


def main():
    out_dir = (script_args(__file__) or [here])[0]
    with open(os.path.join(here, "branched_cell.json")) as f:
        desc = json.load(f)
    h = hoc_interpreter()
    h.celsius = desc["celsius_degC"]
    h.usetable_hh = desc["usetable_hh"]
    cell = build_cell(h, desc)
    h.cvode.use_fast_imem(1)
    segs = [cell.sections[p["section"]](p["x"]) for p in desc["probes"]]
    # every node once: interior segments, each section's x = 1 end, the root's x = 0 end
    # (a child's x = 0 is its parent's node)
    every = [seg for name in cell.order for seg in cell.sections[name]]
    every += [cell.sections[name](1) for name in cell.order] + [cell.sections[cell.order[0]](0)]
    tstop = desc["tstop_ms"]
    n = int(round(tstop / SAMPLE_MS))
    result = {"cell": "branched_cell.json", "sample_ms": SAMPLE_MS,
              "probes": [{"section": p["section"], "x": p["x"]} for p in desc["probes"]],
              "units": {"i_membrane_": "nA", "t": "ms"}}
    for method in ("be", "cn", "cvode"):
        h.secondorder = 2 if method == "cn" else 0
        h.dt = desc["dt_ms"]
        h.steps_per_ms = 1.0 / desc["dt_ms"]
        if method == "cvode":
            h.cvode.active(1)
            h.cvode.use_local_dt(0)
            h.cvode.atol(CVODE_TOL)
            h.cvode.rtol(CVODE_TOL)
        else:
            h.cvode.active(0)
        tvec = h.Vector([k * SAMPLE_MS for k in range(n + 1)])
        imem = [h.Vector().record(seg._ref_i_membrane_, tvec) for seg in segs]
        total = [h.Vector().record(seg._ref_i_membrane_, tvec) for seg in every]
        stim = h.Vector().record(cell.iclamps[0]._ref_i, tvec)
        h.finitialize(desc["v_init_mV"])
        h.continuerun(tstop)
        m = min(len(x) for x in imem + total + [stim])  # CVODE stops before tstop's sample
        result[method] = {
            "t": list(tvec)[:m],
            "i_membrane_": [list(x)[:m] for x in imem],
            "sum_i_membrane_": [sum(x[k] for x in total) for k in range(m)],
            "iclamp_i": list(stim)[:m],
        }
        h.cvode.active(0)
    h.secondorder = 0
    with open(os.path.join(out_dir, "i_membrane.json"), "w") as f:
        json.dump(result, f, indent=None, separators=(",", ":"))
        f.write("\n")


main()
