"""NEURON side of the variable-step benchmark (bench/variable/run.py writes its input).

Runs inside NEURON (test/validation/reference/neuron/nrnpy.sh neuron_variable.py in.json out.json).
Builds the cell of the case file's cell JSON without its own stimuli, adds one IClamp at the
soma and one ExpSyn on a dendrite, and runs every case two ways: fixed step (backward Euler,
dt from the case file, a hoc fadvance loop) and per-cell variable step
(cvode.active(1), cvode.use_local_dt(1), atol from the case file, rtol 0).
Writes per case and method: steps, best wall time of `repeats` runs, spike count.
"""
import json
import os
import re
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "..", "test", "validation", "reference", "neuron"))
from cell_builder import build_cell  # noqa: E402
from nrn_session import captured_cvode_statistics, hoc_interpreter, script_args  # noqa: E402



def main():
    args = script_args(__file__)
    if len(args) != 2:
        raise SystemExit("usage: nrnpy.sh neuron_variable.py cases.json results.json")
    with open(args[0]) as f:
        spec = json.load(f)
    with open(spec["cell_json"]) as f:
        desc = json.load(f)
    desc = dict(desc, iclamps=[], synapses=[])  # the benchmark's own stimuli only

    h = hoc_interpreter()
    h.celsius = desc["celsius_degC"]
    h.usetable_hh = desc["usetable_hh"]
    cell = build_cell(h, desc)

    icd = spec["iclamp"]
    ic = h.IClamp(cell.sections[icd["section"]](icd["x"]))
    ic.delay = icd["del_ms"]
    ic.dur = icd["dur_ms"]
    sd = spec["synapse"]
    syn = h.ExpSyn(cell.sections[sd["section"]](sd["x"]))
    syn.tau = sd["tau_ms"]
    syn.e = sd["e_mV"]
    nc = h.NetCon(None, syn)
    nc.delay = 0
    det = desc["spike_detector"]
    spikes = h.Vector()
    detector = h.NetCon(cell.sections[det["section"]](det["x"])._ref_v, None,
                        sec=cell.sections[det["section"]])
    detector.threshold = det["threshold_mV"]
    detector.record(spikes)

    current_events = []

    def queue_events():
        for t in current_events:
            nc.event(t)

    handler = h.FInitializeHandler(1, queue_events)  # noqa: F841 (kept alive)

    # A plain hoc loop: stdrun's continuerun adds per-step bookkeeping we do not want timed.
    h("proc benchvar_fixed_run() { while (t < $1 - dt/2) { fadvance() } }")
    tstop = spec["tstop_ms"]
    v_init = desc["v_init_mV"]
    h.secondorder = 0
    h.cvode.atol(spec["atol"])
    h.cvode.rtol(0)

    results = []
    for case in spec["cases"]:
        ic.amp = case["amp_nA"]
        nc.weight[0] = case["weight_uS"]
        current_events[:] = case["event_times_ms"]
        row = {"name": case["name"]}
        for method in ("fixed", "lvardt"):
            variable = method == "lvardt"
            h.cvode.active(1 if variable else 0)
            h.cvode.use_local_dt(1 if variable else 0)
            best = float("inf")
            steps = 0
            for _ in range(spec["repeats"]):
                h.dt = spec["dt_ms"]  # CVODE leaves its last step size in dt
                h.finitialize(v_init)
                start = time.perf_counter()
                if variable:
                    h.cvode.solve(tstop)
                else:
                    h.benchvar_fixed_run(tstop)
                best = min(best, time.perf_counter() - start)
            if variable:
                stats = captured_cvode_statistics(h)
                m = re.search(r"(\d+) advance_tn", stats)
                steps = int(m.group(1)) if m else -1
            else:
                steps = int(round(h.t / h.dt))
            row[method] = {"steps": steps, "wall_s": best, "spikes": len(spikes), "t_end_ms": h.t}
        results.append(row)
    with open(args[1], "w") as f:
        json.dump({"cases": results}, f, indent=1)


main()
