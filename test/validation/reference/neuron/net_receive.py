"""NEURON 8.2 reference for NET_RECEIVE with several arguments, its INITIAL
block, flags, net_send self-events and net_event:
test/data/nmodl/events/gatesyn.mod and relay.mod (Ranvier's own test
mechanisms) compiled by NEURON's nrnivmodl and run on a small network.
Ranvier runs the same network from a model file with the same .mod files
(test/validation/test_net_receive_neuron.py).

Run:  test/validation/reference/neuron/make_net_receive_reference.sh

Network (gids as in Ranvier's model file):
  0, 1  spike sources: 0 fires at 2, 7, 9.5, 17, 30 ms; 1 at 4.5, 12, 20 ms
        (NEURON: NetCon(None, target).event(spike + delay) at finitialize).
  2  A: soma (L = diam = 20 um, hh) + dend (200 x 2 um, nseg 5, pas), GateSyn
        at soma(0.5) (tspont 25 ms, gspont 0.004 uS) receiving
        0 -> A  weight 2^-8 uS, weight[1] (scale) 0.5, delay 1 ms
        1 -> A  weight 2^-9 uS, weight[1] 2,   delay 1.5 ms
  3  B: soma (L = diam = 20 um, pas only, e -65 mV): Relay at soma(0.5)
        (lag 2 ms) receiving A -> B (delay 1 ms); GateSyn at soma(0.5)
        receiving 0 -> B (weight 2^-8 uS, scale 1, delay 2 ms). B's spikes
        are the Relay's net_event (B itself never crosses threshold).
  4  C: soma (L = diam = 20 um, hh), GateSyn receiving B -> C (weight 2^-6
        uS, scale 0.5, delay 1 ms).
Weights are powers of 2 so that Ranvier's single-precision connection
weights equal NEURON's doubles. Detectors: soma(0.5) crossing 0 mV.
Ra 100 ohm cm, cm 1 uF/cm2, celsius 6.3, v_init -65 mV, usetable_hh = 0.

Writes net_receive/traces.csv: t, v of A, B, C at soma(0.5) and A's GateSyn
g and gon every 0.25 ms of the fixed-step run (backward Euler, dt 0.025 ms,
50 ms), and net_receive/spikes.json: spike times of A, B, C of the
fixed-step run and of a CVODE run (atol = rtol = 1e-9, condition_order 2).
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from nrn_session import hoc_interpreter, script_args  # noqa: E402

DT = 0.025
TSTOP = 50.0
EVERY = 10  # steps between written samples (0.25 ms)
SOURCE_SPIKES = {0: [2.0, 7.0, 9.5, 17.0, 30.0], 1: [4.5, 12.0, 20.0]}


def soma_of(h, name, hh):
    soma = h.Section(name=name)
    soma.L = soma.diam = 20
    soma.nseg = 1
    soma.Ra = 100
    soma.cm = 1
    if hh:
        soma.insert("hh")
    else:
        soma.insert("pas")
        for seg in soma:
            seg.pas.g = 1e-4
            seg.pas.e = -65
    return soma


def build(h):
    cells = {}
    a = soma_of(h, "A", True)
    dend = h.Section(name="A_dend")
    dend.connect(a(1))
    dend.L = 200
    dend.diam = 2
    dend.nseg = 5
    dend.Ra = 100
    dend.cm = 1
    dend.insert("pas")
    for seg in dend:
        seg.pas.g = 1e-4
        seg.pas.e = -65
    syn_a = h.GateSyn(a(0.5))
    syn_a.tspont = 25
    syn_a.gspont = 0.004
    b = soma_of(h, "B", False)
    relay = h.Relay(b(0.5))
    relay.lag = 2
    syn_b = h.GateSyn(b(0.5))
    c = soma_of(h, "C", True)
    syn_c = h.GateSyn(c(0.5))
    cells.update(A=a, B=b, C=c, dend=dend, syn_a=syn_a, syn_b=syn_b, syn_c=syn_c, relay=relay)

    keep = []

    def netcon(source, target, weight, scale, delay, sec=None):
        nc = h.NetCon(source, target, sec=sec) if sec is not None else h.NetCon(source, target)
        nc.weight[0] = weight
        if scale is not None:
            nc.weight[1] = scale
        nc.delay = delay
        if sec is not None:
            nc.threshold = 0
        keep.append(nc)
        return nc

    # External spikes: (source gid, target, weight, scale, delay)
    external = [(0, syn_a, 2 ** -8, 0.5, 1.0), (1, syn_a, 2 ** -9, 2.0, 1.5), (0, syn_b, 2 ** -8, 1.0, 2.0)]
    drivers = []
    for gid, target, w, scale, delay in external:
        drivers.append((netcon(None, target, w, scale, delay), [t + delay for t in SOURCE_SPIKES[gid]]))

    def send():
        for nc, times in drivers:
            for t in times:
                nc.event(t)
    cells["handler"] = h.FInitializeHandler(send)

    # A -> B's Relay, B's Relay (net_event) -> C.
    nc_ab = netcon(a(0.5)._ref_v, relay, 0.0, None, 1.0, sec=a)
    nc_bc = netcon(relay, syn_c, 2 ** -6, 0.5, 1.0)
    # C's spikes: a NetCon with no target.
    nc_c = h.NetCon(c(0.5)._ref_v, None, sec=c)
    nc_c.threshold = 0
    keep.append(nc_c)
    cells.update(nc_ab=nc_ab, nc_bc=nc_bc, nc_c=nc_c, keep=keep)
    return cells


def run(h, cells, cvode):
    h.cvode_active(1 if cvode else 0)
    if cvode:
        h.cvode.use_local_dt(0)
        h.cvode.atol(1e-9)
        h.cvode.rtol(1e-9)
        h.cvode.condition_order(2)  # crossings interpolated within the step
    h.secondorder = 0
    h.dt = DT
    h.steps_per_ms = 1 / DT
    h.celsius = 6.3
    h.usetable_hh = 0
    spikes = {name: h.Vector() for name in ("A", "B", "C")}
    cells["nc_ab"].record(spikes["A"])
    cells["nc_bc"].record(spikes["B"])
    cells["nc_c"].record(spikes["C"])
    rec = {}
    if not cvode:
        rec["t"] = h.Vector().record(h._ref_t)
        for name in ("A", "B", "C"):
            rec[name] = h.Vector().record(cells[name](0.5)._ref_v)
        rec["g"] = h.Vector().record(cells["syn_a"]._ref_g)
        rec["gon"] = h.Vector().record(cells["syn_a"]._ref_gon)
    h.finitialize(-65)
    h.continuerun(TSTOP)
    return {k: list(v) for k, v in spikes.items()}, {k: list(v) for k, v in rec.items()}


def main():
    out = script_args(__file__)[0]
    h = hoc_interpreter()
    cells = build(h)
    spikes_be, rec = run(h, cells, cvode=False)
    spikes_cvode = run(h, cells, cvode=True)[0]
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "traces.csv"), "w") as f:
        f.write("t_ms,v_A_mV,v_B_mV,v_C_mV,g_A_uS,gon_A_uS\n")
        for k in range(0, len(rec["t"]), EVERY):
            f.write(f"{rec['t'][k]:.6f},{rec['A'][k]!r},{rec['B'][k]!r},{rec['C'][k]!r},"
                    f"{rec['g'][k]!r},{rec['gon'][k]!r}\n")
    with open(os.path.join(out, "spikes.json"), "w") as f:
        json.dump({"neuron": h.nrnversion(), "dt_ms": DT, "tstop_ms": TSTOP, "be": spikes_be,
                   "cvode": spikes_cvode, "cvode_atol": 1e-9, "cvode_condition_order": 2}, f, indent=1)
    print("spikes (fixed step):", {k: len(v) for k, v in spikes_be.items()},
          "(CVODE):", {k: len(v) for k, v in spikes_cvode.items()})


main()
