"""NEURON 8.2 peer of bench/modes: builds a Ranvier model file's network of cable cells in NEURON.

Run inside NEURON (see bench/ring/README.md for why):
  test/validation/reference/neuron/nrnpy.sh bench/modes/neuron_network.py MODEL.toml \
      [--method fixed|lvardt] [--dt 0.025] [--atol 1e-3] [--rtol 0] [--tstop MS] \
      [--threads 1] [--out DIR]

Reads the model file with tomllib and builds, number for number, what Ranvier builds from it:
cable populations (inline `sections`, `discretization` nseg / nseg_of / Ra / cm, `paint` of hh
and pas on regions soma / axon / dend / apic / all and their unions, ExpSyn / Exp2Syn synapses,
the detector, celsius, v_init, the population's `events`), spike-source populations
(`cell = "spike_source"`, `spikes = "FILE.csv"` with rows gid,time_ms, gid within the population)
and `explicit` projections with constant weights and delays. What it does not support is an
error (this is a benchmark peer, not a general reader). LIF populations are allowed only when
nothing projects from or to them (the silent placeholder of the `_events` variant).

Connections between cable cells are ParallelContext gid_connect NetCons (threshold at the
source's detector, the projection's delay and weight). A spike source's spikes reach a target
through a source-less NetCon whose events, spike time + delay, are queued at finitialize
(nc.event), which is what a NetCon from a VecStim would deliver.

Methods: `fixed` = backward Euler (secondorder 0) at --dt with cvode.cache_efficient(1);
`lvardt` = per-cell variable step: cvode.active(1), cvode.use_local_dt(1), atol, rtol,
condition_order(2) (threshold crossings interpolated), cache_efficient(1). `usetable_hh = 0`.

Writes DIR/spikes.csv (gid,time_ms sorted by time then gid) and DIR/result.json, and prints the
same JSON on one line: wall_setup_s, wall_run_s (pc.psolve only), spikes, steps (fixed:
tstop/dt per cell; lvardt: the advance_tn count of cvode.statistics(), summed over cells),
restarts (the summed `init` counts), cells, compartments.
"""
import argparse
import csv
import json
import os
import re
import resource
import sys
import time
import tomllib

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "..", "test", "validation", "reference", "neuron"))
from nrn_session import captured_cvode_statistics, hoc_interpreter, script_args  # noqa: E402

# Units to NEURON's: ms, mV, um, uS, S/cm2, ohm*cm, uF/cm2, degC, nA.
UNITS = {
    "time": {"ms": 1.0, "s": 1e3, "us": 1e-3},
    "voltage": {"mV": 1.0, "V": 1e3, "uV": 1e-3},
    "length": {"um": 1.0, "mm": 1e3, "cm": 1e4, "m": 1e6, "nm": 1e-3},
    "conductance": {"uS": 1.0, "nS": 1e-3, "pS": 1e-6, "mS": 1e3, "S": 1e6},
    "specific_conductance": {"S/cm2": 1.0, "mS/cm2": 1e-3, "uS/cm2": 1e-6, "S/m2": 1e-4},
    "resistivity": {"ohm*cm": 1.0, "ohm cm": 1.0, "Ohm*cm": 1.0, "ohm*m": 100.0},
    "capacitance_density": {"uF/cm2": 1.0, "uF/cm^2": 1.0, "F/m2": 100.0},
    "temperature": {"degC": 0.0},
    "current": {"nA": 1.0, "pA": 1e-3, "uA": 1e3, "mA": 1e6},
}
MECH_PARAMS = {
    "hh": {"gnabar": "specific_conductance", "gkbar": "specific_conductance",
           "gl": "specific_conductance", "el": "voltage"},
    "pas": {"g": "specific_conductance", "e": "voltage"},
    "ExpSyn": {"tau": "time", "e": "voltage"},
    "Exp2Syn": {"tau1": "time", "tau2": "time", "e": "voltage"},
}
TAGS = {"soma": 1, "axon": 2, "dend": 3, "apic": 4}


def quantity(text, dim):
    m = re.fullmatch(r"\s*([-+0-9.eE]+)\s*(.*?)\s*", str(text))
    if not m:
        raise SystemExit(f"cannot read quantity {text!r}")
    value, unit = float(m.group(1)), m.group(2).replace("µ", "u").replace("μ", "u")
    if dim == "temperature":
        if unit == "K":
            return value - 273.15
        if unit in ("degC", "°C"):
            return value
    if unit not in UNITS[dim]:
        raise SystemExit(f"unit {unit!r} of {text!r} is not a {dim} this script knows")
    return value * UNITS[dim][unit]


def constant(value, dim, what):
    if isinstance(value, dict):
        raise SystemExit(f"{what}: only constant quantities are supported, got {value}")
    return quantity(value, dim)


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("model")
    p.add_argument("--method", choices=("fixed", "lvardt"), default="fixed")
    p.add_argument("--dt", type=float, default=0.025)
    p.add_argument("--atol", type=float, default=1e-3)
    p.add_argument("--rtol", type=float, default=0.0)
    p.add_argument("--tstop", type=float, default=None, help="ms (default: the model's t_stop)")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--out", default=".")
    return p.parse_args(script_args(__file__))



def region_tags(text):
    """Region text -> set of SWC tags (None = all). Unions of whole types only."""
    tags = set()
    for word in (w.strip() for w in text.split("|")):
        if word == "all":
            return None
        if word not in TAGS:
            raise SystemExit(f"region {text!r}: only soma, axon, dend, apic, all and '|' are supported")
        tags.add(TAGS[word])
    return tags


def split_location(text):
    m = re.fullmatch(r"\s*(.+?)\s*(?:\(\s*([0-9.eE+-]+)\s*\))?\s*", text)
    return m.group(1), float(m.group(2)) if m.group(2) is not None else 0.5


# Units of .mod parameters and ions, to NEURON's (S/cm2, mV, ms, mM, um, uS, nA); a plain
# number is taken as given.
GENERIC_UNITS = {"S/cm2": 1.0, "mS/cm2": 1e-3, "uS/cm2": 1e-6, "mV": 1.0, "V": 1e3, "ms": 1.0,
                 "s": 1e3, "mM": 1.0, "uM": 1e-3, "um": 1.0, "uS": 1.0, "nS": 1e-3, "nA": 1.0,
                 "pA": 1e-3, "degC": 1.0, "1/ms": 1.0, "/ms": 1.0}


def generic_value(value, what):
    if isinstance(value, (int, float)):
        return float(value)
    m = re.fullmatch(r"\s*([-+0-9.eE]+)\s*(.*?)\s*", str(value))
    if not m or m.group(2) not in GENERIC_UNITS:
        raise SystemExit(f"{what}: cannot read {value!r} (units known here: {', '.join(GENERIC_UNITS)})")
    return float(m.group(1)) * GENERIC_UNITS[m.group(2)]


SWC_TEMPLATE = """begintemplate RanvierSwcCell
public soma, axon, dend, apic, all, somatic, axonal, basal, apical
create soma[1], axon[1], dend[1], apic[1]
objref all, somatic, axonal, basal, apical
proc init() {
    all = new SectionList()
    somatic = new SectionList()
    axonal = new SectionList()
    basal = new SectionList()
    apical = new SectionList()
}
endtemplate RanvierSwcCell
"""


class SwcCell:
    """A cable cell whose morphology is an SWC file (`morphology = "x.swc"`), read with NEURON's
    Import3d into a template instance, with Ranvier's d_lambda rule, paintings of any mechanism
    on regions `name`, `name & distance(lo, hi)` (path distance of a segment's centre from
    soma(0.5), as Ranvier's region `distance`) and their `|` unions, `ions`, synapses and
    IClamp stimuli."""

    def __init__(self, h, pop, gid, base):
        if not hasattr(h, "RanvierSwcCell"):
            h.load_file("import3d.hoc")
            h(SWC_TEMPLATE)
        self.cell = h.RanvierSwcCell()
        reader = h.Import3d_SWC_read()
        reader.input(os.path.join(base, pop["morphology"]))
        h.Import3d_GUI(reader, 0).instantiate(self.cell)
        self.by_kind = {k: list(getattr(self.cell, k)) for k in ("soma", "axon", "dend", "apic")}
        self.secs = [sec for k in ("soma", "axon", "dend", "apic") for sec in self.by_kind[k]]
        disc = pop.get("discretization", {})
        ra = quantity(disc.get("Ra", "35.4 ohm*cm"), "resistivity")
        cm = quantity(disc.get("cm", "1 uF/cm2"), "capacitance_density")
        for sec in self.secs:
            sec.Ra, sec.cm = ra, cm
        if "d_lambda" in disc:
            freq = float(str(disc.get("frequency", "100 Hz")).split()[0])
            for sec in self.secs:
                lam = h.lambda_f(freq, sec=sec)
                sec.nseg = int((sec.L / (disc["d_lambda"] * lam) + 0.9) / 2) * 2 + 1
        else:
            for sec in self.secs:
                sec.nseg = disc.get("nseg", 1)
        centre = self.by_kind["soma"][0](0.5)
        for p in pop.get("paint", []):
            mech = p["mechanism"]
            for sec, seg in self.region(h, centre, p.get("region", "all")):
                sec.insert(mech)
                for key, value in p.items():
                    if key in ("region", "mechanism"):
                        continue
                    x = generic_value(value, f"paint {mech}.{key}")
                    if key.startswith("e") and not hasattr(getattr(seg, mech), key):
                        setattr(seg, key, x)  # hh's ena/ek: the ion's reversal potential
                    else:
                        setattr(getattr(seg, mech), key, x)
        for ion in pop.get("ions", []):
            name = ion["ion"]
            for key, value in ion.items():
                if key in ("region", "ion"):
                    continue
                x = generic_value(value, f"ions {name}.{key}")
                if key == "e":
                    for sec, seg in self.region(h, centre, ion.get("region", "all")):
                        if h.ismembrane(f"{name}_ion", sec=sec):
                            setattr(seg, f"e{name}", x)
                elif ion.get("region", "all") == "all" and key in (f"{name}i", f"{name}o"):
                    setattr(h, f"{key}0_{name}_ion", x)  # NEURON's initial concentration
                else:
                    raise SystemExit(f"ions {ion}: per-region concentrations are not supported here")
        self.synapses = [self.point_process(h, s) for s in pop.get("synapses", [])]
        self.stimuli = [self.point_process(h, s) for s in pop.get("stimuli", [])]
        det = pop.get("detector", {})
        seg = self.segment(det.get("location", "soma(0.5)"))
        self.detector = h.NetCon(seg._ref_v, None, sec=seg.sec)
        self.detector.threshold = quantity(det.get("threshold", "10 mV"), "voltage")
        self.compartments = sum(sec.nseg for sec in self.secs)

    def region(self, h, centre, text):
        for term in text.split("|"):
            m = re.fullmatch(r"\s*(\w+)\s*(?:&\s*distance\(\s*([-\d.e]+)\s*,\s*([-\d.e]+)\s*\))?\s*", term)
            if not m or (m.group(1) != "all" and m.group(1) not in self.by_kind):
                raise SystemExit(f"region {text!r}: only soma/axon/dend/apic/all, '& distance(a, b)' and '|'")
            secs = self.secs if m.group(1) == "all" else self.by_kind[m.group(1)]
            for sec in secs:
                for seg in sec:
                    if m.group(2) is not None:
                        d = h.distance(centre, seg)
                        if not float(m.group(2)) <= d <= float(m.group(3)):
                            continue
                    yield sec, seg

    def segment(self, text):
        m = re.fullmatch(r"\s*(\w+)(?:\[(\d+)\])?\((.+)\)\s*", text)
        if not m or m.group(1) not in self.by_kind:
            raise SystemExit(f"location {text!r}: expected e.g. apic[3](0.5)")
        return self.by_kind[m.group(1)][int(m.group(2) or 0)](float(m.group(3)))

    def point_process(self, h, spec):
        units = {"del": "time", "dur": "time", "amp": "current"}
        pp = getattr(h, spec["mechanism"])(self.segment(spec["location"]))
        for key, value in spec.items():
            if key in ("location", "mechanism"):
                continue
            setattr(pp, key, quantity(value, units[key]) if key in units
                    else generic_value(value, f"{spec['mechanism']}.{key}"))
        return pp


def load_mechanisms(h, model, base):
    """Compiles (nrnivmodl.sh, when older than its .mod files) and loads each `mechanisms` dir."""
    nrnivmodl = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "test",
                             "validation", "reference", "neuron", "nrnivmodl.sh")
    for d in model.get("mechanisms", []):
        d = os.path.join(base, d)
        lib = os.path.join(d, "x86_64", "libnrnmech.so")
        mods = [os.path.join(d, f) for f in os.listdir(d) if f.endswith(".mod")]
        if not os.path.exists(lib) or any(os.path.getmtime(m) > os.path.getmtime(lib) for m in mods):
            import subprocess
            subprocess.run([nrnivmodl, d], check=True, stdout=subprocess.DEVNULL)
        h.nrn_load_dll(lib)


class CableCell:
    """One cell of a cable population, built from the population's table."""

    def __init__(self, h, pop, gid):
        disc = pop.get("discretization", {})
        nseg = disc.get("nseg", 1)
        nseg_of = disc.get("nseg_of", {})
        if "d_lambda" in disc:
            raise SystemExit("d_lambda discretisation is not supported here")
        ra = quantity(disc.get("Ra", "35.4 ohm*cm"), "resistivity")
        cm = quantity(disc.get("cm", "1 uF/cm2"), "capacitance_density")
        self.secs, self.by_name, self.tags = [], {}, []
        for i, s in enumerate(pop["sections"]):
            name = s.get("name", f"dend[{i}]")
            sec = h.Section(name=f"{name}_{gid}")
            sec.L = quantity(s["length"], "length")
            sec.diam = quantity(s["diam"], "length")
            sec.nseg = nseg_of.get(name, nseg)
            sec.Ra, sec.cm = ra, cm
            if i > 0:
                parent = s["parent"]
                psec = self.secs[parent] if isinstance(parent, int) else self.by_name[parent]
                sec.connect(psec(s.get("parent_x", 1.0)), 0)
            self.secs.append(sec)
            self.by_name[name] = sec
            self.tags.append(s.get("tag", 1 if i == 0 else 3))
        for p in pop.get("paint", []):
            mech = p["mechanism"]
            if mech not in ("hh", "pas"):
                raise SystemExit(f"paint mechanism {mech!r} is not supported")
            tags = region_tags(p.get("region", "all"))
            for sec, tag in zip(self.secs, self.tags):
                if tags is not None and tag not in tags:
                    continue
                sec.insert(mech)
                for key, value in p.items():
                    if key in ("region", "mechanism"):
                        continue
                    setattr(sec, f"{key}_{mech}", quantity(value, MECH_PARAMS[mech][key]))
        self.synapses = []
        for syn in pop.get("synapses", []):
            sname, x = split_location(syn["location"])
            sec = self.section(sname)
            mech = syn["mechanism"]
            pp = getattr(h, mech)(sec(x))
            for key, value in syn.items():
                if key in ("location", "mechanism"):
                    continue
                setattr(pp, key, quantity(value, MECH_PARAMS[mech][key]))
            self.synapses.append(pp)
        det = pop.get("detector", {})
        sname, x = split_location(det.get("location", f"{pop['sections'][0].get('name', 'dend[0]')}(0.5)"))
        sec = self.section(sname)
        self.detector = h.NetCon(sec(x)._ref_v, None, sec=sec)
        self.detector.threshold = quantity(det.get("threshold", "10 mV"), "voltage")
        self.compartments = sum(s.nseg for s in self.secs)

    def section(self, name):
        if name in self.by_name:
            return self.by_name[name]
        return self.secs[int(name)]


def load_spike_file(path, size):
    trains = {}
    with open(path) as f:
        for row in csv.reader(f):
            if not row or not row[0].strip().lstrip("-").isdigit():
                continue    # header or blank line
            g, t = int(row[0]), float(row[1])
            if not 0 <= g < size:
                raise SystemExit(f"{path}: gid {g} outside the population (size {size})")
            trains.setdefault(g, []).append(t)
    return trains


def main():
    args = parse_args()
    with open(args.model, "rb") as f:
        model = tomllib.load(f)
    base = os.path.dirname(os.path.abspath(args.model))
    sim = model.get("simulation", {})
    tstop = args.tstop if args.tstop is not None else quantity(sim.get("t_stop", "1000 ms"), "time")

    h = hoc_interpreter()
    load_mechanisms(h, model, base)
    t_start = time.perf_counter()
    pc = h.ParallelContext()
    h.usetable_hh = 0
    h.secondorder = 0
    h.dt = args.dt

    # Populations: gid ranges in declaration order.
    pops, gid0 = {}, 0
    celsius, v_init = set(), set()
    for pop in model["population"]:
        kind = pop.get("cell", "lif")
        pops[pop["name"]] = {"spec": pop, "kind": kind, "first": gid0, "size": pop["size"]}
        gid0 += pop["size"]
        if kind == "cable":
            celsius.add(quantity(pop.get("celsius", "6.3 degC"), "temperature"))
            v_init.add(quantity(pop.get("v_init", "-65 mV"), "voltage"))
    if len(celsius) > 1 or len(v_init) > 1:
        raise SystemExit("cable populations with different celsius or v_init are not supported")
    h.celsius = celsius.pop() if celsius else 6.3
    v_init = v_init.pop() if v_init else -65.0

    cells = {}          # gid -> CableCell
    trains = {}         # population name -> {index: [times]} for spike sources
    for name, p in pops.items():
        if p["kind"] == "cable":
            for i in range(p["size"]):
                gid = p["first"] + i
                spec = p["spec"]
                cell = SwcCell(h, spec, gid, base) if "morphology" in spec else CableCell(h, spec, gid)
                pc.set_gid2node(gid, pc.id())
                pc.cell(gid, cell.detector)
                cells[gid] = cell
        elif p["kind"] == "spike_source":
            trains[name] = load_spike_file(os.path.join(base, p["spec"]["spikes"]), p["size"])

    def members(names):
        names = [names] if isinstance(names, str) else names
        out = []
        for n in names:
            p = pops[n]
            out += [(n, p["first"] + i, i) for i in range(p["size"])]
        return out

    netcons = []
    queued = {}         # (target gid, synapse, weight) -> [delivery times]
    for proj in model.get("projection", []):
        if proj["rule"] != "explicit":
            raise SystemExit(f"projection rule {proj['rule']!r}: only 'explicit' is supported")
        srcs, tgts = members(proj["source"]), members(proj["target"])
        weight = constant(proj["weight"], "conductance", "projection.weight")
        delay = constant(proj["delay"], "time", "projection.delay")
        site = proj.get("synapse", 0)
        for s, t in proj["pairs"]:
            sname, sgid, sidx = srcs[s]
            tname, tgid, _ = tgts[t]
            if pops[tname]["kind"] != "cable":
                raise SystemExit(f"projection onto {tname}: only cable targets are supported")
            skind = pops[sname]["kind"]
            if skind == "cable":
                nc = pc.gid_connect(sgid, cells[tgid].synapses[site])
                nc.delay, nc.weight[0] = delay, weight
                netcons.append(nc)
            elif skind == "spike_source":
                queued.setdefault((tgid, site, weight), []).extend(
                    t_spike + delay for t_spike in trains[sname].get(sidx, []))
            else:
                raise SystemExit(f"projection from {sname}: LIF sources are not supported")
    for name, p in pops.items():
        if p["kind"] != "cable":
            continue
        for ev in p["spec"].get("events", []):
            w = quantity(ev["weight"], "conductance")
            t_ev = quantity(ev["time"], "time")
            for i in ev.get("cells", range(p["size"])):
                queued.setdefault((p["first"] + i, ev.get("synapse", 0), w), []).append(t_ev)

    stims = []
    for (tgid, site, w), times in queued.items():
        nc = h.NetCon(None, cells[tgid].synapses[site])
        nc.weight[0] = w
        stims.append((nc, sorted(times)))
    n_events = sum(len(ts) for _, ts in stims)

    def queue_events():
        for nc, ts in stims:
            for t_ev in ts:
                if t_ev <= tstop:
                    nc.event(t_ev)
    handler = h.FInitializeHandler(1, queue_events)  # noqa: F841 (kept alive)

    tvec, idvec = h.Vector(), h.Vector()
    pc.spike_record(-1, tvec, idvec)
    pc.nthread(args.threads)
    h.cvode.cache_efficient(1)
    if args.method == "lvardt":
        h.cvode.active(1)
        h.cvode.use_local_dt(1)
        h.cvode.atol(args.atol)
        h.cvode.rtol(args.rtol)
        h.cvode.condition_order(2)
    else:
        h.cvode.active(0)
    pc.set_maxstep(10)
    h.finitialize(v_init)
    t_setup = time.perf_counter() - t_start

    t0 = time.perf_counter()
    pc.psolve(tstop)
    t_run = time.perf_counter() - t0

    spikes = sorted(zip(tvec, idvec), key=lambda s: (round(s[0], 9), s[1]))
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "spikes.csv"), "w") as f:
        f.write("gid,time_ms\n")
        for t_spike, gid in spikes:
            f.write("%d,%.10g\n" % (int(gid), t_spike))
    stats_text = captured_cvode_statistics(h) if args.method == "lvardt" else ""
    # lvardt prints one block per cell: sum its advance_tn (steps) and init (restarts) counts.
    advance = [int(x) for x in re.findall(r"(\d+)\s+advance_tn", stats_text)]
    inits = [int(x) for x in re.findall(r"(\d+)\s+init\b", stats_text)]
    steps = sum(advance) if advance else int(round(tstop / args.dt)) * len(cells)
    result = {
        "simulator": h.nrnversion(),
        "model": os.path.abspath(args.model),
        "method": args.method,
        "dt_ms": args.dt if args.method == "fixed" else None,
        "atol": args.atol if args.method == "lvardt" else None,
        "rtol": args.rtol if args.method == "lvardt" else None,
        "threads": args.threads,
        "tstop_ms": tstop,
        "cells": len(cells),
        "compartments": sum(c.compartments for c in cells.values()),
        "connections": len(netcons),
        "input_events": n_events,
        "wall_setup_s": round(t_setup, 4),
        "wall_run_s": round(t_run, 4),
        "spikes": len(spikes),
        "steps": steps,
        "restarts": sum(inits) if inits else None,
        "cvode_instances": len(advance),
        "cvode_statistics_tail": stats_text[stats_text.rfind("NetCon active"):] if stats_text else "",
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0, 1),
    }
    with open(os.path.join(args.out, "result.json"), "w") as f:
        json.dump(result, f, indent=1)
    print(json.dumps(result))


main()
