"""NEURON 8.2 reference spikes of the small networks of ring-test cells that
test/validation/cable_network_test.cpp simulates (writes ring_networks_spikes.json).

Run inside NEURON (see README.md):
  test/validation/reference/neuron/nrnpy.sh ring_networks.py [out_dir]
or through make_references.sh, which regenerates every reference file here.

The cell is the ring benchmark's (bench/ring/README.md, examples/ring.toml):
an hh soma (L = diam = 20 um, nseg 1) with a binary tree of depth 4 of pas
dendrites (100 um each, nseg 3, diam 2 * 2^(-2k/3) um at level k), Ra 100
ohm cm, cm 1 uF/cm2, one ExpSyn (tau 2 ms, e 0 mV) on the trunk at x = 0.5,
spikes detected at soma(0.5) crossing +10 mV, celsius 6.3, v_init -65 mV,
usetable_hh 0, fixed dt 0.025 ms with backward Euler (secondorder 0).

Networks (every number is in NETWORKS below and repeated in the JSON):
  chain3     3 cells, cell i -> i+1 (delay 1 ms, 0.05 uS); cell 0 gets one
             external event at 1 ms (0.05 uS); 12 ms.
  rings2x8   examples/ring.toml: 2 rings of 8 cells (gid = ring * 8 + p),
             p -> p+1 mod 8 (delay 1 ms, 0.05 uS); cells 0 and 8 get one
             external event at 1 ms (0.05 uS); 100 ms.
  kick1025   1 cell with one external event at 1.025 ms (0.05 uS): what the
             cable cell of cable_network_test's LIF -> cable -> LIF network
             receives (a LIF driver firing at 0.025 ms, delay 1 ms); 10 ms.

Spike times are NEURON's own (NetCon threshold detection under the fixed
step: the end of the step after which v >= threshold, plus NEURON's 1e-10 ms
event epsilon; see README.md), written with full double precision.
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from nrn_session import hoc_interpreter, script_args  # noqa: E402

CELL = {
    "celsius_degC": 6.3, "v_init_mV": -65.0, "Ra_ohm_cm": 100.0, "cm_uF_per_cm2": 1.0,
    "soma_L_um": 20.0, "soma_diam_um": 20.0, "soma_nseg": 1,
    "hh": {"gnabar_S_per_cm2": 0.12, "gkbar_S_per_cm2": 0.036, "gl_S_per_cm2": 0.0003,
           "el_mV": -54.3, "ena_mV": 50.0, "ek_mV": -77.0},
    "branch_depth": 4, "dend_L_um": 100.0, "trunk_diam_um": 2.0, "dend_nseg": 3,
    "pas": {"g_S_per_cm2": 1e-4, "e_mV": -65.0},
    "expsyn": {"section": "trunk", "x": 0.5, "tau_ms": 2.0, "e_mV": 0.0},
    "detector": {"section": "soma", "x": 0.5, "threshold_mV": 10.0},
    "usetable_hh": 0,
}

RUN = {"dt_ms": 0.025, "secondorder": 0}


def ring_connections(n_rings, per_ring):
    return [[r * per_ring + p, r * per_ring + (p + 1) % per_ring]
            for r in range(n_rings) for p in range(per_ring)]


NETWORKS = {
    "chain3": {"cells": 3, "tstop_ms": 12.0, "delay_ms": 1.0, "weight_uS": 0.05,
               "connections": [[0, 1], [1, 2]],
               "events": [{"gid": 0, "time_ms": 1.0, "weight_uS": 0.05}]},
    "rings2x8": {"cells": 16, "tstop_ms": 100.0, "delay_ms": 1.0, "weight_uS": 0.05,
                 "connections": ring_connections(2, 8),
                 "events": [{"gid": 0, "time_ms": 1.0, "weight_uS": 0.05},
                            {"gid": 8, "time_ms": 1.0, "weight_uS": 0.05}]},
    "kick1025": {"cells": 1, "tstop_ms": 10.0, "delay_ms": 1.0, "weight_uS": 0.05,
                 "connections": [],
                 "events": [{"gid": 0, "time_ms": 1.025, "weight_uS": 0.05}]},
}


class RingCell:
    """Soma (hh) with a binary tree of passive dendrites and one ExpSyn on the trunk."""

    def __init__(self, h, gid):
        c = CELL
        self.soma = h.Section(name=f"soma_{gid}")
        self.soma.L, self.soma.diam, self.soma.nseg = c["soma_L_um"], c["soma_diam_um"], c["soma_nseg"]
        self.soma.insert("hh")
        for seg in self.soma:
            seg.gnabar_hh = c["hh"]["gnabar_S_per_cm2"]
            seg.gkbar_hh = c["hh"]["gkbar_S_per_cm2"]
            seg.gl_hh = c["hh"]["gl_S_per_cm2"]
            seg.el_hh = c["hh"]["el_mV"]
            seg.ena = c["hh"]["ena_mV"]
            seg.ek = c["hh"]["ek_mV"]
        self.dends = []
        parents = [self.soma]
        for level in range(c["branch_depth"] + 1):
            diam = c["trunk_diam_um"] * 2.0 ** (-2.0 * level / 3.0)  # Rall's 3/2 rule
            children = []
            for parent in parents:
                for _ in range(1 if level == 0 else 2):
                    d = h.Section(name=f"dend_{gid}_{len(self.dends)}")
                    d.L, d.diam, d.nseg = c["dend_L_um"], diam, c["dend_nseg"]
                    d.insert("pas")
                    d.g_pas, d.e_pas = c["pas"]["g_S_per_cm2"], c["pas"]["e_mV"]
                    d.connect(parent(1), 0)
                    self.dends.append(d)
                    children.append(d)
            parents = children
        for sec in [self.soma] + self.dends:
            sec.Ra, sec.cm = c["Ra_ohm_cm"], c["cm_uF_per_cm2"]
        self.syn = h.ExpSyn(self.dends[0](c["expsyn"]["x"]))
        self.syn.tau, self.syn.e = c["expsyn"]["tau_ms"], c["expsyn"]["e_mV"]


def run_network(h, pc, net):
    """Builds one network, runs it and returns its spikes [(time_ms, gid)] sorted by time, gid."""
    pc.gid_clear()
    cells, keep = [], []
    for gid in range(net["cells"]):
        cell = RingCell(h, gid)
        pc.set_gid2node(gid, pc.id())
        det = h.NetCon(cell.soma(CELL["detector"]["x"])._ref_v, None, sec=cell.soma)
        det.threshold = CELL["detector"]["threshold_mV"]
        pc.cell(gid, det)
        cells.append(cell)
        keep.append(det)
    for source, target in net["connections"]:
        nc = pc.gid_connect(source, cells[target].syn)
        nc.delay, nc.weight[0] = net["delay_ms"], net["weight_uS"]
        keep.append(nc)
    stims = []
    for ev in net["events"]:
        nc = h.NetCon(None, cells[ev["gid"]].syn)
        nc.weight[0] = ev["weight_uS"]
        stims.append((nc, ev["time_ms"]))

    def kick():
        for nc, t in stims:
            nc.event(t)
    # Type 1 handlers run after INITIAL blocks, once finitialize has emptied the event queue.
    handler = h.FInitializeHandler(1, kick)  # noqa: F841 (must stay alive for the run)

    tvec, idvec = h.Vector(), h.Vector()
    pc.spike_record(-1, tvec, idvec)
    h.cvode.active(0)
    h.secondorder = RUN["secondorder"]
    h.dt = RUN["dt_ms"]
    h.steps_per_ms = 1.0 / RUN["dt_ms"]
    pc.set_maxstep(10)
    h.finitialize(CELL["v_init_mV"])
    pc.psolve(net["tstop_ms"])
    spikes = sorted(zip(list(tvec), [int(g) for g in idvec]))
    del handler, stims, keep, cells
    return spikes


def main():
    args = script_args(__file__)
    out = args[0] if args else os.path.dirname(os.path.abspath(__file__))
    h = hoc_interpreter()
    h.celsius = CELL["celsius_degC"]
    h.usetable_hh = CELL["usetable_hh"]
    pc = h.ParallelContext()
    result = {
        "what": "NEURON spike times of the ring-cell networks of cable_network_test.cpp, "
                "made by ring_networks.py (see its docstring)",
        "spike_time_rule": "NEURON NetCon under the fixed step: end time of the first step after "
                           "which v >= threshold, plus 1e-10 ms (NEURON's event epsilon)",
        "neuron_version": h.nrnversion(),
        "cell": CELL, "run": RUN, "networks": {},
    }
    for name, net in NETWORKS.items():
        spikes = run_network(h, pc, net)
        result["networks"][name] = dict(net, spikes={"gid": [g for _, g in spikes],
                                                     "time_ms": [t for t, _ in spikes]})
        print(name, len(spikes), "spikes")
    with open(os.path.join(out, "ring_networks_spikes.json"), "w") as f:
        json.dump(result, f, indent=1)
        f.write("\n")


main()
