"""NEURON 8.2 reference of a cable cell driven by spike sources
(writes spike_source_drive.json), for test/validation/spike_source_neuron_test.cpp.

Run inside NEURON (see README.md):
  test/validation/reference/neuron/nrnpy.sh spike_source_drive.py [out_dir]
or through make_references.sh, which regenerates every reference file here.

The cell: one hh soma (L = diam = 20 um, nseg 1, cm 1 uF/cm2, Ra 35.4 ohm cm,
NEURON's default hh parameters, celsius 6.3, v_init -65 mV, usetable_hh 0)
with one ExpSyn at soma(0.5) (tau 2 ms, e 0 mV); spikes detected at
soma(0.5) crossing +10 mV.

The drive: NetStims with noise = 0 (regular trains: spikes at start + k *
interval, k < number), each through its own NetCon (delay, weight in uS)
onto the ExpSyn. Ranvier gives each train as a spike_source population with
the same times and the NetCon as a [[projection]]. Every time is on the
0.025 ms grid, where NEURON's fixed step (events delivered at the nearest
step) and Ranvier's fixed step (source spikes moved up to the grid) agree.

Runs (every number is in STIMS / RUNS below and repeated in the JSON):
  fixed  dt = 0.025 ms, secondorder = 0 (backward Euler); v at soma(0.5)
         every 0.1 ms and the cell's spikes (NetCon times: the end of the
         step after which v >= threshold, plus NEURON's 1e-10 ms epsilon).
  cvode  global CVODE, atol = rtol = 1e-9: the cell's spikes (threshold
         crossings located by CVODE's interpolation).
Also written: the NetStims' own spike times, as NEURON generates them.
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from nrn_session import hoc_interpreter, script_args  # noqa: E402

CELL = {
    "soma_L_um": 20.0, "soma_diam_um": 20.0, "cm_uF_per_cm2": 1.0, "Ra_ohm_cm": 35.4,
    "celsius_degC": 6.3, "v_init_mV": -65.0, "usetable_hh": 0,
    "expsyn": {"tau_ms": 2.0, "e_mV": 0.0},
    "detector": {"threshold_mV": 10.0},
}

# A weak regular train (the first input fires the resting cell, the later ones
# stay below threshold), then three strong inputs that each fire it.
# The weights are binary fractions (5/4096 and 1/256 uS), exact in the single
# precision of Ranvier's connection tables: the comparison then sees only the
# arithmetic (with 0.0012 uS, its float rounding alone, 5e-8 relative, grows to
# 1e-4 mV near the first threshold crossing).
STIMS = [
    {"start_ms": 2.0, "interval_ms": 7.5, "number": 12, "delay_ms": 1.0, "weight_uS": 0.001220703125},
    {"start_ms": 40.25, "interval_ms": 20.0, "number": 3, "delay_ms": 1.5, "weight_uS": 0.00390625},
]

RUNS = {"tstop_ms": 100.0, "dt_ms": 0.025, "secondorder": 0, "sample_ms": 0.1,
        "cvode_atol": 1e-9, "cvode_rtol": 1e-9}


def build(h):
    soma = h.Section(name="soma")
    soma.L, soma.diam, soma.nseg = CELL["soma_L_um"], CELL["soma_diam_um"], 1
    soma.cm, soma.Ra = CELL["cm_uF_per_cm2"], CELL["Ra_ohm_cm"]
    soma.insert("hh")
    syn = h.ExpSyn(soma(0.5))
    syn.tau, syn.e = CELL["expsyn"]["tau_ms"], CELL["expsyn"]["e_mV"]
    stims, netcons = [], []
    for s in STIMS:
        ns = h.NetStim()
        ns.start, ns.interval, ns.number, ns.noise = s["start_ms"], s["interval_ms"], s["number"], 0
        nc = h.NetCon(ns, syn)
        nc.delay, nc.weight[0] = s["delay_ms"], s["weight_uS"]
        stims.append(ns)
        netcons.append(nc)
    det = h.NetCon(soma(0.5)._ref_v, None, sec=soma)
    det.threshold = CELL["detector"]["threshold_mV"]
    return soma, syn, stims, netcons, det


def run(h, variable):
    soma, syn, stims, netcons, det = build(h)
    spikes = h.Vector()
    det.record(spikes)
    stim_times = []
    for nc in netcons:
        v = h.Vector()
        nc.record(v)
        stim_times.append(v)
    v_rec, t_rec = h.Vector(), h.Vector()
    if variable:
        h.cvode.active(1)
        h.cvode.atol(RUNS["cvode_atol"])
        h.cvode.rtol(RUNS["cvode_rtol"])
    else:
        h.cvode.active(0)
        h.secondorder = RUNS["secondorder"]
        h.dt = RUNS["dt_ms"]
        h.steps_per_ms = 1.0 / RUNS["dt_ms"]
        v_rec.record(soma(0.5)._ref_v, RUNS["sample_ms"])
        t_rec.record(h._ref_t, RUNS["sample_ms"])
    h.finitialize(CELL["v_init_mV"])
    h.continuerun(RUNS["tstop_ms"])
    h.cvode.active(0)
    return {"spikes_ms": list(spikes), "stim_spikes_ms": [list(v) for v in stim_times],
            "t_ms": list(t_rec), "v_mV": list(v_rec)}


def main():
    args = script_args(__file__)
    out = args[0] if args else os.path.dirname(os.path.abspath(__file__))
    h = hoc_interpreter()
    h.celsius = CELL["celsius_degC"]
    h.usetable_hh = CELL["usetable_hh"]
    fixed = run(h, False)
    cvode = run(h, True)
    result = {
        "what": "NEURON reference of an hh soma driven by regular NetStims onto an ExpSyn, "
                "made by spike_source_drive.py (see its docstring)",
        "neuron_version": h.nrnversion(),
        "cell": CELL, "stims": STIMS, "runs": RUNS,
        "fixed": fixed, "cvode": {"spikes_ms": cvode["spikes_ms"], "stim_spikes_ms": cvode["stim_spikes_ms"]},
    }
    print("fixed:", len(fixed["spikes_ms"]), "spikes", fixed["spikes_ms"])
    print("cvode:", len(cvode["spikes_ms"]), "spikes", cvode["spikes_ms"])
    with open(os.path.join(out, "spike_source_drive.json"), "w") as f:
        json.dump(result, f, indent=1)
        f.write("\n")


main()
