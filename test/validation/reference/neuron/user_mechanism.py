"""NEURON 8.2 reference for user mechanisms: test/data/nmodl/user/kdr.mod
(cnexp), kkin.mod (KINETIC, sparse, STEADYSTATE) and kdi.mod (derivimplicit,
a nonlinear gate) compiled by NEURON's own nrnivmodl (nocmodl) and run on a
two-section cell.
Ranvier runs the same cell with the same .mod file translated by
src/nmodl/translate.py (test/unit/test_user_mechanism_neuron.py).

Run:  test/validation/reference/neuron/make_user_mechanism_reference.sh
(it compiles kdr.mod with nrnivmodl, then runs this script inside NEURON with
the compiled library loaded).

Cell: soma (L = diam = 20 um, nseg 1) with hh (usetable_hh = 0), kdr
(gbar 0.02 S/cm2, vhalf -30 mV), kkin (gbar 0.001 S/cm2) and kdi (its defaults); dend (L 200 um, diam 2 um, nseg 5) with pas
(g 1e-4 S/cm2, e -65 mV) on soma(1); Ra 100 ohm cm, cm 1 uF/cm2, celsius
6.3, v_init -65 mV; IClamp at soma(0.5): 0.3 nA for 5 <= t < 35 ms.
Writes user_mechanism/kdr_cell.csv: t, v_soma, kdr's n, kkin's o, kdi's w at the soma, every 0.25 ms
of the fixed-step run (backward Euler, dt 0.025 ms), and
user_mechanism/kdr_spikes.json: spike times (soma(0.5) crossing 0 mV) of the
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


def build(h):
    soma = h.Section(name="soma")
    dend = h.Section(name="dend")
    dend.connect(soma(1))
    soma.L = soma.diam = 20
    soma.nseg = 1
    dend.L = 200
    dend.diam = 2
    dend.nseg = 5
    for s in (soma, dend):
        s.Ra = 100
        s.cm = 1
    soma.insert("hh")
    soma.insert("kdr")
    soma.insert("kkin")
    soma.insert("kdi")
    for seg in soma:
        seg.kdr.gbar = 0.02
        seg.kdr.vhalf = -30
        seg.kkin.gbar = 0.001
    dend.insert("pas")
    for seg in dend:
        seg.pas.g = 1e-4
        seg.pas.e = -65
    clamp = h.IClamp(soma(0.5))
    clamp.delay = 5
    clamp.dur = 30
    clamp.amp = 0.3
    return soma, dend, clamp


def run(h, soma, cvode):
    h.cvode_active(1 if cvode else 0)
    if cvode:
        h.cvode.use_local_dt(0)
        h.cvode.atol(1e-9)
        h.cvode.rtol(1e-9)
        # The crossing interpolated within the step (the default, 1, reports
        # the step's end), as run_reference.py's CVODE references.
        h.cvode.condition_order(2)
    h.secondorder = 0
    h.dt = DT
    h.steps_per_ms = 1 / DT
    h.celsius = 6.3
    h.usetable_hh = 0
    spikes = h.Vector()
    nc = h.NetCon(soma(0.5)._ref_v, None, sec=soma)
    nc.threshold = 0
    nc.record(spikes)
    t, v, n, o, w = h.Vector(), h.Vector(), h.Vector(), h.Vector(), h.Vector()
    if not cvode:
        t.record(h._ref_t)
        v.record(soma(0.5)._ref_v)
        n.record(soma(0.5)._ref_n_kdr)
        o.record(soma(0.5)._ref_o_kkin)
        w.record(soma(0.5)._ref_w_kdi)
    h.finitialize(-65)
    h.continuerun(TSTOP)
    return list(spikes), list(t), list(v), list(n), list(o), list(w)


def main():
    out = script_args(__file__)[0]
    h = hoc_interpreter()
    soma, dend, clamp = build(h)
    spikes_be, t, v, n, o, w = run(h, soma, cvode=False)
    spikes_cvode = run(h, soma, cvode=True)[0]
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "kdr_cell.csv"), "w") as f:
        f.write("t_ms,v_soma_mV,n_kdr,o_kkin,w_kdi\n")
        for k in range(0, len(t), EVERY):
            f.write(f"{t[k]:.6f},{v[k]!r},{n[k]!r},{o[k]!r},{w[k]!r}\n")
    with open(os.path.join(out, "kdr_spikes.json"), "w") as f:
        json.dump({"neuron": h.nrnversion(), "dt_ms": DT, "tstop_ms": TSTOP,
                   "be": spikes_be, "cvode": spikes_cvode, "cvode_atol": 1e-9,
                   "cvode_condition_order": 2}, f, indent=1)
    print(f"kdr: {len(spikes_be)} spikes (fixed step), {len(spikes_cvode)} (CVODE)")


main()
