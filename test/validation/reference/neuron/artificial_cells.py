"""NEURON 8.2 reference for ARTIFICIAL_CELL and net_move: NEURON's own demo
invlfire.mod (IntervalFire) compiled by nrnivmodl, on the network of
artificial_network.py (Ranvier runs the same network:
test/validation/test_artificial_neuron.py).

Run:  test/validation/reference/neuron/make_artificial_reference.sh

A spike source is one NetStim per spike time (number 1, start the time,
noise 0: NEURON's own artificial cell emits it at exactly that time, as
Ranvier's spike sources do; Debian's NEURON has no VecStim); each IntervalFire's spikes are recorded by a NetCon
from it with no target. Two runs: the fixed step (dt 0.025 ms) and CVODE
(atol = rtol = 1e-9). Artificial cells have no membrane: in both NEURON
delivers every event at its exact time (a NetCon's spike time + delay, a
self-event's t + delay, moved by net_move) and NET_RECEIVE's t is that
time, so the two runs give the same spike times, which the script checks
and records; m of two cells is recorded too (every 0.25 ms). Writes
artificial/spikes.json.
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from nrn_session import hoc_interpreter, script_args  # noqa: E402
from artificial_network import CELLS, CONNECTIONS, DT, FIRST_CELL, PROBED, SAMPLE, SOURCES, T_STOP  # noqa: E402


def build(h):
    cells = []
    for tau, invl in CELLS:
        c = h.IntervalFire()
        c.tau = tau
        c.invl = invl
        cells.append(c)
    keep = []
    stims = []  # per source: its NetStims
    for times in SOURCES:
        stims.append([])
        for t in times:
            stim = h.NetStim()
            stim.number = 1
            stim.start = t
            stim.interval = 10  # (start + interval - interval is start exactly for these times)
            stim.noise = 0
            stims[-1].append(stim)
    for source, target, weight, delay in CONNECTIONS:
        pres = stims[source] if source < FIRST_CELL else [cells[source - FIRST_CELL]]
        for pre in pres:
            nc = h.NetCon(pre, cells[target - FIRST_CELL])
            nc.weight[0] = weight
            nc.delay = delay
            keep.append(nc)
    recorders = [h.NetCon(c, None) for c in cells]
    return cells, keep + stims, None, recorders


def run(h, cells, recorders, cvode):
    h.cvode_active(1 if cvode else 0)
    if cvode:
        h.cvode.atol(1e-9)
        h.cvode.rtol(1e-9)
    h.dt = DT
    h.steps_per_ms = 1 / DT
    spikes = []
    for r in recorders:
        v = h.Vector()
        r.record(v)
        spikes.append(v)
    # m of the probed cells at multiples of SAMPLE.
    m = []
    for k in PROBED:
        v = h.Vector()
        v.record(cells[k]._ref_m, SAMPLE)
        m.append(v)
    h.finitialize()
    h.continuerun(T_STOP)
    return [list(v) for v in spikes], [list(v) for v in m]


def main():
    out = script_args(__file__)[0]
    h = hoc_interpreter()
    _cells, _keep, _handler, recorders = build(h)
    fixed, m_fixed = run(h, _cells, recorders, cvode=False)
    cvode, m_cvode = run(h, _cells, recorders, cvode=True)
    worst = max((abs(a - b) for f, c in zip(fixed, cvode) for a, b in zip(f, c)), default=0.0)
    counts_equal = [len(f) for f in fixed] == [len(c) for c in cvode]
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "spikes.json"), "w") as f:
        json.dump({"neuron": h.nrnversion(), "dt_ms": DT, "tstop_ms": T_STOP,
                   "first_gid": FIRST_CELL, "fixed": fixed, "cvode": cvode,
                   "fixed_vs_cvode_max_ms": worst, "fixed_vs_cvode_same_counts": counts_equal,
                   "probed_gids": [FIRST_CELL + k for k in PROBED], "sample_ms": SAMPLE,
                   "m_fixed": m_fixed, "m_cvode": m_cvode}, f, indent=1)
    print("spikes per cell (fixed):", [len(v) for v in fixed], "(CVODE):", [len(v) for v in cvode],
          "max |fixed - CVODE| ms:", worst)


main()
