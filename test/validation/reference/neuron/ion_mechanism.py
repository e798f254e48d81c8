"""NEURON 8.2 reference for ions in point processes and concentrations
written as ASSIGNED: test/data/nmodl/ions/*.mod (CaSyn: a POINT_PROCESS
with USEION ca READ eca, cai WRITE ica; capool: cai a STATE reading ica;
cal: a calcium channel at eca; caeq: cai an ASSIGNED value computed from
ica by a PROCEDURE called in BREAKPOINT) compiled by NEURON's nrnivmodl and
run on two cells, each alone (test/validation/test_ion_mechanism_neuron.py
runs the same cells in Ranvier with the same .mod files).

Run:  test/validation/reference/neuron/make_ion_mechanism_reference.sh

single: soma (L = diam = 20 um, nseg 1) with hh, cal (gbar 5e-4 S/cm2) and
  capool; a CaSyn at soma(0.5) receiving events (weight 2^-6 uS) at
  EVENTS_SINGLE.
branched: soma as above; dend1 on soma(1) (L 200 um, diam 2 um, nseg 5)
  with pas (g 1e-4 S/cm2, e -65 mV), cal (gbar 3e-4 S/cm2) and caeq; dend2
  on soma(1) (L 100 um, diam 1 um, nseg 3) with pas; CaSyns at soma(0.5)
  (weight 2^-7 uS, EVENTS_SOMA) and dend1(0.7) (weight 2^-6 uS,
  EVENTS_DEND); dend2 also has cal (gbar 3e-4 S/cm2) and cavd (a leak
  whose BREAKPOINT sets cai, ASSIGNED, from v).
Ra 100 ohm cm, cm 1 uF/cm2, celsius 6.3, v_init -65 mV, usetable_hh = 0,
default ion concentrations (ca: cai 5e-5, cao 2 mM).

Writes ion_mechanism/<cell>.csv: t, v, cai, eca, ica (the ion's, mA/cm2)
at soma(0.5) and (branched) dend1(0.7) and dend2(0.5) every 0.25 ms of the fixed-step run
(backward Euler, dt 0.025 ms, 50 ms), and ion_mechanism/<cell>_spikes.json:
spike times (soma(0.5) crossing 0 mV) of the fixed-step run and of a CVODE
run (condition_order 2; atol = rtol = 1e-9, for `branched` 1e-11: caeq's cai
is updated between CVODE steps (Cvode::do_nonode), a lag of one step, and
NEURON's spike times move by 5e-5 ms from atol 1e-9 to 1e-11, by 1e-5 ms
from 1e-10 to 1e-11).
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from nrn_session import hoc_interpreter, script_args  # noqa: E402

DT = 0.025
TSTOP = 50.0
EVERY = 10  # steps between written samples (0.25 ms)
EVENTS_SINGLE = [3.0, 3.5, 4.0, 15.0, 15.5, 16.0, 16.5, 30.0]
EVENTS_SOMA = [2.0, 2.5, 20.0, 20.5, 21.0]
EVENTS_DEND = [5.0, 5.5, 6.0, 6.5, 7.0, 25.0, 25.5, 26.0, 35.0]


def section(h, name, length, diam, nseg):
    s = h.Section(name=name)
    s.L, s.diam, s.nseg, s.Ra, s.cm = length, diam, nseg, 100, 1
    return s


def soma_of(h):
    soma = section(h, "soma", 20, 20, 1)
    for m in ("hh", "cal", "capool"):
        soma.insert(m)
    for seg in soma:
        seg.cal.gbar = 5e-4
    return soma


def synapse(h, seg, weight, times, keep):
    syn = h.CaSyn(seg)
    nc = h.NetCon(None, syn)
    nc.weight[0] = weight
    nc.delay = 0
    keep.append((syn, nc, times))
    return syn


def build(h, which):
    keep = []
    soma = soma_of(h)
    cell = {"soma": soma, "keep": keep}
    if which == "single":
        cell["syn"] = synapse(h, soma(0.5), 2 ** -6, EVENTS_SINGLE, keep)
        return cell
    dend1 = section(h, "dend1", 200, 2, 5)
    dend2 = section(h, "dend2", 100, 1, 3)
    dend1.connect(soma(1))
    dend2.connect(soma(1))
    for d in (dend1, dend2):
        d.insert("pas")
        for seg in d:
            seg.pas.g = 1e-4
            seg.pas.e = -65
    for d in (dend1, dend2):
        d.insert("cal")
        for seg in d:
            seg.cal.gbar = 3e-4
    dend1.insert("caeq")
    dend2.insert("cavd")
    cell["syn"] = synapse(h, soma(0.5), 2 ** -7, EVENTS_SOMA, keep)
    synapse(h, dend1(0.7), 2 ** -6, EVENTS_DEND, keep)
    cell.update(dend1=dend1, dend2=dend2)
    return cell


CVODE_TOLERANCE = {"single": 1e-9, "branched": 1e-11}


def run(h, cell, cvode, tolerance):
    h.cvode_active(1 if cvode else 0)
    if cvode:
        h.cvode.use_local_dt(0)
        h.cvode.atol(tolerance)
        h.cvode.rtol(tolerance)
        h.cvode.condition_order(2)  # crossings interpolated within the step
    h.secondorder = 0
    h.dt = DT
    h.steps_per_ms = 1 / DT
    h.celsius = 6.3
    h.usetable_hh = 0
    soma = cell["soma"]
    spikes = h.Vector()
    nc = h.NetCon(soma(0.5)._ref_v, None, sec=soma)
    nc.threshold = 0
    nc.record(spikes)

    def send():
        for _, netcon, times in cell["keep"]:
            for t in times:
                netcon.event(t)
    handler = h.FInitializeHandler(send)
    rec = {}
    if not cvode:
        rec["t"] = h.Vector().record(h._ref_t)
        where = [("soma", soma(0.5))]
        if "dend1" in cell:
            where += [("dend", cell["dend1"](0.7)), ("dend2", cell["dend2"](0.5))]
        for name, seg in where:
            rec[f"v_{name}"] = h.Vector().record(seg._ref_v)
            rec[f"cai_{name}"] = h.Vector().record(seg._ref_cai)
            rec[f"eca_{name}"] = h.Vector().record(seg._ref_eca)
            rec[f"ica_{name}"] = h.Vector().record(seg._ref_ica)
    h.finitialize(-65)
    h.continuerun(TSTOP)
    del handler
    return list(spikes), {k: list(v) for k, v in rec.items()}


def main():
    out = script_args(__file__)[0]
    which = script_args(__file__)[1]
    h = hoc_interpreter()
    cell = build(h, which)
    spikes_be, rec = run(h, cell, False, None)
    spikes_cvode = run(h, cell, True, CVODE_TOLERANCE[which])[0]
    os.makedirs(out, exist_ok=True)
    columns = [k for k in rec if k != "t"]
    with open(os.path.join(out, f"{which}.csv"), "w") as f:
        f.write("t_ms," + ",".join(columns) + "\n")
        for k in range(0, len(rec["t"]), EVERY):
            f.write(f"{rec['t'][k]:.6f}," + ",".join(repr(rec[c][k]) for c in columns) + "\n")
    with open(os.path.join(out, f"{which}_spikes.json"), "w") as f:
        json.dump({"neuron": h.nrnversion(), "dt_ms": DT, "tstop_ms": TSTOP, "be": spikes_be,
                   "cvode": spikes_cvode, "cvode_atol": CVODE_TOLERANCE[which], "cvode_condition_order": 2}, f, indent=1)
    print(f"{which}: {len(spikes_be)} spikes (fixed step) {spikes_be}, {len(spikes_cvode)} (CVODE) {spikes_cvode}")


main()
