"""NEURON 8.2 reference for the NMODL corpus (docs/nmodl-corpus.md): the
models of corpus_cells.py with the .mod files compiled by NEURON's nrnivmodl.

Run:  test/validation/reference/neuron/make_corpus_reference.sh
(copies the .mod files, compiles them, runs this script in nrniv with the
library loaded).

Per model and cell, writes corpus/<model>_<cell>.json:
- "be": the fixed-step run (backward Euler, dt 0.025 ms) with NEURON's
  default usetable_<suffix> = 1: samples of v and the states every 0.25 ms
  (Python's repr: every digit of the double), spike times;
- "be_notable": the same with every usetable_<suffix> = 0;
- "cvode": spike times of a CVODE run (atol = rtol = 1e-9, condition_order 2:
  crossings interpolated in the step), tables on.
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from nrn_session import hoc_interpreter, script_args  # noqa: E402
import corpus_cells as cc  # noqa: E402

TABLE_SUFFIXES = ("HHna", "HHk", "MCna", "cachan1", "cachan", "tabedge")


def build(h, model, cell):
    spec = cc.MODELS[model]
    secs = {}
    for name, parent, length, diam, nseg in cc.SECTIONS[cell]:
        s = h.Section(name=name)
        s.L, s.diam, s.nseg, s.Ra, s.cm = length, diam, nseg, 100, 1
        if parent:
            s.connect(secs[parent](1))
        secs[name] = s
    for name, s in secs.items():
        for mech, params in spec["soma" if name == "soma" else "dend"]:
            s.insert(mech)
            for seg in s:
                for p, (value, _) in params.items():
                    setattr(getattr(seg, mech), p, value)
    soma = secs["soma"]
    keep = [secs]
    clamp = h.IClamp(soma(0.5))
    clamp.delay, clamp.dur, clamp.amp = 5, 30, spec["iclamp"]
    keep.append(clamp)
    syns = []
    for mech, params in spec["synapses"]:
        syn = getattr(h, mech)(secs[cc.SYNAPSE_SECTION[cell]](0.5))
        for p, (value, _) in params.items():
            setattr(syn, p, value)
        syns.append(syn)
    # One NetCon per event: NEURON reads a NetCon's weight when the event is
    # delivered, so events of different weights need their own NetCons.
    netcons = [h.NetCon(None, syns[k]) for k, _, _ in spec["events"]]
    for nc, (_, _, w) in zip(netcons, spec["events"]):
        nc.weight[0] = w
    keep += [syns, netcons]

    def queue():
        for nc, (_, t, _) in zip(netcons, spec["events"]):
            nc.event(t)
    keep.append(h.FInitializeHandler(1, queue))
    return soma, syns, keep


def run(h, model, soma, syns, cvode, usetable):
    spec = cc.MODELS[model]
    h.cvode_active(1 if cvode else 0)
    if cvode:
        h.cvode.use_local_dt(0)
        h.cvode.atol(cc.CVODE_ATOL_NEURON)
        h.cvode.rtol(cc.CVODE_ATOL_NEURON)
        h.cvode.condition_order(2)
    h.secondorder = 0
    h.dt = cc.DT
    h.steps_per_ms = 1 / cc.DT
    h.celsius = spec["celsius"]
    for suffix in TABLE_SUFFIXES:
        setattr(h, f"usetable_{suffix}", usetable)
    for mech, values in spec["globals"].items():
        for name, (value, _) in values.items():
            setattr(h, f"{name}_{mech}", value)
    spikes = h.Vector()
    nc = h.NetCon(soma(0.5)._ref_v, None, sec=soma)
    nc.threshold = 0
    nc.record(spikes)
    t = h.Vector()
    recs = []
    if not cvode:
        t.record(h._ref_t)
        for mech, var in spec["probes"]:
            vec = h.Vector()
            if mech == "v":
                vec.record(soma(0.5)._ref_v)
            elif mech == "ion":
                vec.record(getattr(soma(0.5), f"_ref_{var}"))
            elif mech in ("ExpSynX", "Exp2SynX"):
                syn = syns[[m for m, _ in spec["synapses"]].index(mech)]
                vec.record(getattr(syn, f"_ref_{var}"))
            elif var.endswith("]"):  # an array element, ca[9]: NEURON's ca_cadifpmp[9]
                base, index = var[:-1].split("[")
                vec.record(getattr(soma(0.5), f"_ref_{base}_{mech}")[int(index)])
            else:
                vec.record(getattr(soma(0.5), f"_ref_{var}_{mech}"))
            recs.append(vec)
    h.finitialize(-65)
    h.continuerun(cc.T_STOP)
    out = {"spikes": list(spikes)}
    if not cvode:
        out["t"] = [t[k] for k in range(0, len(t), cc.EVERY)]
        out["traces"] = {(m if var is None else f"{m}.{var}"): [vec[k] for k in range(0, len(vec), cc.EVERY)]
                         for (m, var), vec in zip(spec["probes"], recs)}
    return out


def main():
    out_dir = script_args(__file__)[0]
    h = hoc_interpreter()
    os.makedirs(out_dir, exist_ok=True)
    for model in cc.MODELS:
        for cell in cc.CELLS:
            soma, syns, keep = build(h, model, cell)
            result = {"neuron": h.nrnversion(), "model": model, "cell": cell, "dt_ms": cc.DT,
                      "tstop_ms": cc.T_STOP, "cvode_atol": cc.CVODE_ATOL_NEURON, "cvode_condition_order": 2,
                      "be": run(h, model, soma, syns, False, 1),
                      "be_notable": run(h, model, soma, syns, False, 0),
                      "cvode": run(h, model, soma, syns, True, 1)}
            with open(os.path.join(out_dir, f"{model}_{cell}.json"), "w") as f:
                json.dump(result, f, indent=None)
                f.write("\n")
            print(f"{model} {cell}: {len(result['be']['spikes'])} spikes (fixed step), "
                  f"{len(result['cvode']['spikes'])} (CVODE)")
            del soma, syns, keep
            h("forall delete_section()")


main()
