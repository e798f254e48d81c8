"""NEURON 8.2 reference of the layer-5 pyramidal-like cell (examples/l5pc, issue 10 point 7).

Builds examples/l5pc/cell.json in NEURON (morphology through Import3d, mechanisms compiled
from examples/l5pc/mod by nrnivmodl.sh, painted per region with the same region meaning as
Ranvier's: a segment belongs to `apic & distance(a, b)` when its centre's path distance from
soma(0.5) is in [a, b]) and writes, for each method:

  l5pc_<method>.csv      t_ms and v_mV at every probe (and cai_mM at soma(0.5)), every 0.1 ms
  l5pc_<method>_spikes.json  soma(0.5) threshold crossings and the run's settings

methods: `be` (fixed step 0.025 ms, backward Euler), `cn` (fixed step 0.025 ms, Crank-Nicolson:
secondorder = 2), `cvode` (global CVODE atol 1e-6, rtol 0),
`fine` (fixed step 0.001 ms: the converged solution both others are compared with).

Usage: test/validation/reference/neuron/nrnpy.sh l5pc_reference.py [OUT_DIR] [--methods be cn cvode fine]
(compile the mechanisms first: nrnivmodl.sh examples/l5pc/mod; make_references.sh does both).
"""
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", "..", ".."))
sys.path.insert(0, HERE)
from nrn_session import hoc_interpreter, script_args  # noqa: E402

L5 = os.path.join(ROOT, "examples", "l5pc")


def region_segments(h, soma_centre, text):
    """Segments of a region written as 'name', or 'name & distance(lo, hi)'."""
    m = re.fullmatch(r"\s*(\w+)\s*(?:&\s*distance\(\s*([-\d.e]+)\s*,\s*([-\d.e]+)\s*\))?\s*", text)
    if not m:
        raise ValueError(f"region {text!r}: only 'name' and 'name & distance(lo, hi)' are used here")
    name, lo, hi = m.group(1), m.group(2), m.group(3)
    for sec in h.allsec():
        base = sec.name().split("[")[0]
        if name != "all" and base != name:
            continue
        for seg in sec:
            if lo is not None:
                d = h.distance(soma_centre, seg)
                if not (float(lo) <= d <= float(hi)):
                    continue
            yield sec, seg


def build(h, cell):
    h.load_file("import3d.hoc")
    reader = h.Import3d_SWC_read()
    reader.input(os.path.join(L5, "l5pc.swc"))
    h.Import3d_GUI(reader, 0).instantiate(None)
    h.celsius = cell["celsius_degC"]
    for sec in h.allsec():
        sec.Ra = cell["Ra_ohm_cm"]
        sec.cm = cell["cm_uF_per_cm2"]
    for sec in h.allsec():
        lam = h.lambda_f(cell["d_lambda_frequency_Hz"], sec=sec)
        sec.nseg = int((sec.L / (cell["d_lambda"] * lam) + 0.9) / 2) * 2 + 1
    soma = h.soma[0]
    soma_centre = soma(0.5)
    h.distance(0, soma_centre)
    for p in cell["paint"]:
        mech = p["mechanism"]
        for sec, seg in region_segments(h, soma_centre, p["region"]):
            sec.insert(mech)
            m = getattr(seg, mech)
            for key, value in p.items():
                if key not in ("region", "mechanism"):
                    setattr(m, key, value)
    for sec in h.allsec():
        if h.ismembrane("na_ion", sec=sec):
            sec.ena = cell["ena_mV"]
        if h.ismembrane("k_ion", sec=sec):
            sec.ek = cell["ek_mV"]
    h.cao0_ca_ion = cell["cao_mM"]
    h.cai0_ca_ion = cell["cai0_mM"]
    return soma


def location(h, text):
    m = re.fullmatch(r"(\w+)(?:\[(\d+)\])?\((.+)\)", text)
    name, index, x = m.group(1), int(m.group(2) or 0), float(m.group(3))
    return getattr(h, name)[index](x)


def run(h, cell, method, out_dir):
    stim = h.IClamp(location(h, cell["stimulus"]["location"]))
    stim.delay = cell["stimulus"]["delay_ms"]
    stim.dur = cell["stimulus"]["duration_ms"]
    stim.amp = cell["stimulus"]["amplitude_nA"]
    cvode = h.CVode()
    if method == "cvode":
        cvode.active(1)
        cvode.atol(1e-6)
        cvode.rtol(0)
    else:
        cvode.active(0)
        h.secondorder = 2 if method == "cn" else 0
        h.dt = 0.001 if method == "fine" else 0.025
    t = h.Vector().record(h._ref_t, 0.1)
    vs = [h.Vector().record(location(h, p)._ref_v, 0.1) for p in cell["probes"]]
    soma_seg = location(h, "soma(0.5)")
    cai = h.Vector().record(soma_seg._ref_cai, 0.1)
    det = cell["detector"]
    nc = h.NetCon(location(h, det["location"])._ref_v, None, sec=h.soma[0])
    nc.threshold = det["threshold_mV"]
    spikes = h.Vector()
    nc.record(spikes)
    h.finitialize(cell["v_init_mV"])
    h.continuerun(cell["t_stop_ms"])
    path = os.path.join(out_dir, f"l5pc_{method}.csv")
    with open(path, "w") as f:
        f.write("t_ms," + ",".join(f"v_mV@{p}" for p in cell["probes"]) + ",cai_mM@soma(0.5)\n")
        for i in range(len(t)):
            f.write("%.4f," % t[i] + ",".join("%.10g" % v[i] for v in vs) + ",%.10g\n" % cai[i])
    comps = sum(sec.nseg for sec in h.allsec())
    with open(os.path.join(out_dir, f"l5pc_{method}_spikes.json"), "w") as f:
        json.dump({"method": method, "spikes_ms": [round(s, 10) for s in spikes],
                   "sections": int(sum(1 for _ in h.allsec())), "compartments": comps,
                   "dt_ms": h.dt if method != "cvode" else None,
                   "simulator": h.nrnversion()}, f, indent=1)
    print(f"{method}: {len(spikes)} spikes, {comps} compartments -> {path}")


def main():
    args = script_args(__file__)
    methods = ["be", "cn", "cvode", "fine"]
    if "--methods" in args:
        i = args.index("--methods")
        methods, args = args[i + 1:], args[:i]
    out_dir = args[0] if args else HERE
    os.makedirs(out_dir, exist_ok=True)
    h = hoc_interpreter()
    h.nrn_load_dll(os.path.join(L5, "mod", "x86_64", "libnrnmech.so"))
    with open(os.path.join(L5, "cell.json")) as f:
        cell = json.load(f)
    for method in methods:
        for sec in list(h.allsec()):
            h.delete_section(sec=sec)
        build(h, cell)
        run(h, cell, method, out_dir)


main()
