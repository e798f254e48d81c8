#!/usr/bin/python3
"""Random networks of detailed Hodgkin-Huxley cable cells for bench/modes.

  make_networks.py [--out examples/detailed] [--models 1hz 6hz 40hz]
                   [--ncells 500] [--t-stop 1000] [--seed 20261130]
                   [--events-variant]

Writes, per model, NAME.toml (a Ranvier model file) and drive_NAME.csv (the
spike trains of its Poisson drive, rows gid,time_ms). Everything random is
drawn here with numpy from a fixed seed and written out explicitly, so that
Ranvier and NEURON (bench/modes/neuron_network.py) run the very same network:

- connections are `rule = "explicit"` projections, one per (source
  population, target population, delay): weights and delays are constant
  within a projection;
- the drive is a population of spike sources (`cell = "spike_source"`,
  `spikes = "drive_NAME.csv"`) connected with ordinary projections. The drive
  population is declared first, so its gids (0 .. N_drive-1) are also its
  indices within the population.

--events-variant also writes NAME_events.toml: the same network with the
drive replaced by each cable population's `events` list (every drive spike
becomes an event at spike time + delay onto the drive synapse, which is what
a NetCon delivers) and the drive population by a LIF population of the same
size that never fires (so that every gid stays the same). It needs no
spike-source support and gives the same network.

The cells (README.md has the table): a soma (L = diam = 20 um, hh, nseg 1),
an axon (hh, 5 compartments) and passive dendrites; excitatory cells have 3
primary dendrites with 2 daughters each (45 compartments), inhibitory cells
4 unbranched dendrites (34 compartments). Synapse sites, the same on both:
0 = ExpSyn (tau 2 ms, e 0 mV) on the soma for the drive,
1 = Exp2Syn (0.2 / 2 ms, e 0 mV) on a proximal dendrite for excitation,
2 = Exp2Syn (0.5 / 8 ms, e -75 mV) on the soma for inhibition.
"""

import argparse
import pathlib
import sys

import numpy as np

HERE = pathlib.Path(__file__).resolve().parent

# What differs between the three networks: the drive (rate per cell, spread
# over DRIVE_PER_CELL sources) and the recurrent weights. Tuned with Ranvier
# bsp-fixed (dt 0.025 ms) for mean rates of about 1, 6 and 40 Hz over 1 s.
MODELS = {
    "1hz": {"drive_hz_per_cell": 100.0, "w_drive_E_uS": 0.0021, "w_drive_I_uS": 0.00125,
            "w_E_uS": 0.0005, "w_I_uS": 0.003},
    "6hz": {"drive_hz_per_cell": 100.0, "w_drive_E_uS": 0.003, "w_drive_I_uS": 0.0018,
            "w_E_uS": 0.0005, "w_I_uS": 0.003},
    "40hz": {"drive_hz_per_cell": 80.0, "w_drive_E_uS": 0.03, "w_drive_I_uS": 0.02,
             "w_E_uS": 0.002, "w_I_uS": 0.001},
}

# Shared by all models.
NET = {
    "frac_E": 0.8,            # excitatory fraction of the cable cells
    "C_E": 40,                # excitatory inputs per cell (fixed in-degree)
    "C_I": 10,                # inhibitory inputs per cell
    "delays_ms": (1, 2, 3, 4, 5),   # recurrent delays, drawn uniformly per connection
    "drive_sources_per_cell": 2.0,  # size of the drive population / number of cable cells
    "DRIVE_PER_CELL": 20,     # drive sources onto each cell
    "drive_delay_ms": 1.0,
    "dt_grid_ms": 0.025,      # drive spike times are multiples of this
}

CELSIUS = "6.3 degC"
V_INIT = "-65 mV"
HH = 'gnabar = "0.12 S/cm2", gkbar = "0.036 S/cm2", gl = "0.0003 S/cm2", el = "-54.3 mV"'
PAS = 'g = "0.00005 S/cm2", e = "-65 mV"'


def e_sections():
    """Soma, axon, 3 primary dendrites each with 2 daughters: 1 + 5 + 3*3 + 6*5 = 45 compartments."""
    secs = [("soma", None, 1.0, 20.0, 20.0, 1, 1),
            ("axon", "soma", 0.0, 300.0, 1.0, 2, 5)]
    k = 0
    for p in range(3):
        prim = f"dend[{k}]"
        secs.append((prim, "soma", 1.0, 150.0, 1.5, 3, 3))
        k += 1
        for _ in range(2):
            secs.append((f"dend[{k}]", prim, 1.0, 200.0, 0.9, 3, 5))
            k += 1
    return secs


def i_sections():
    """Soma, axon, 4 unbranched dendrites of 7 compartments: 1 + 5 + 4*7 = 34 compartments."""
    secs = [("soma", None, 1.0, 20.0, 20.0, 1, 1),
            ("axon", "soma", 0.0, 300.0, 1.0, 2, 5)]
    for k in range(4):
        secs.append((f"dend[{k}]", "soma", 1.0, 250.0, 1.5, 3, 7))
    return secs


# Synapse sites per population: (location, mechanism, parameters).
E_SYNAPSES = [("soma(0.5)", "ExpSyn", 'tau = "2 ms", e = "0 mV"'),
              ("dend[0](0.5)", "Exp2Syn", 'tau1 = "0.2 ms", tau2 = "2 ms", e = "0 mV"'),
              ("soma(0.5)", "Exp2Syn", 'tau1 = "0.5 ms", tau2 = "8 ms", e = "-75 mV"')]
I_SYNAPSES = [("soma(0.5)", "ExpSyn", 'tau = "2 ms", e = "0 mV"'),
              ("dend[0](0.3)", "Exp2Syn", 'tau1 = "0.2 ms", tau2 = "2 ms", e = "0 mV"'),
              ("soma(0.5)", "Exp2Syn", 'tau1 = "0.5 ms", tau2 = "8 ms", e = "-75 mV"')]


def fmt(x):
    text = repr(float(x))
    return text[:-2] if text.endswith(".0") else text


def cable_population(name, size, sections, synapses, events=None):
    lines = [
        "[[population]]",
        f'name = "{name}"',
        f"size = {size}",
        'cell = "cable"',
        f'celsius = "{CELSIUS}"',
        f'v_init = "{V_INIT}"',
        "discretization = { nseg = 1, Ra = \"100 ohm*cm\", cm = \"1 uF/cm2\", nseg_of = { "
        + ", ".join(f'"{s[0]}" = {s[6]}' for s in sections) + " } }",
        "paint = [",
        f'    {{ region = "soma | axon", mechanism = "hh", {HH} }},',
        f'    {{ region = "dend", mechanism = "pas", {PAS} }},',
        "]",
        "synapses = [",
    ]
    for loc, mech, params in synapses:
        lines.append(f'    {{ location = "{loc}", mechanism = "{mech}", {params} }},')
    lines += ["]", 'detector = { location = "soma(0.5)", threshold = "10 mV" }', "sections = ["]
    for (sname, parent, px, length, diam, tag, _nseg) in sections:
        par = "" if parent is None else f'parent = "{parent}", parent_x = {fmt(px)}, '
        lines.append(f'    {{ name = "{sname}", {par}length = "{fmt(length)} um", '
                     f'diam = "{fmt(diam)} um", tag = {tag} }},')
    lines.append("]")
    if events:
        lines.append("events = [")
        for (t, w, cells) in events:
            lines.append(f'    {{ synapse = 0, time = "{t:.3f} ms", weight = "{fmt(w)} uS", '
                         f"cells = [{', '.join(map(str, cells))}] }},")
        lines.append("]")
    return "\n".join(lines) + "\n"


def pairs_text(pairs, per_line=12):
    chunks = [", ".join(f"[{s}, {t}]" for s, t in pairs[i:i + per_line])
              for i in range(0, len(pairs), per_line)]
    return "pairs = [\n    " + ",\n    ".join(chunks) + ",\n]"


def projection(source, target, pairs, synapse, weight_uS, delay_ms, comment=None):
    head = f"# {comment}\n" if comment else ""
    return (f"{head}[[projection]]\nsource = \"{source}\"\ntarget = \"{target}\"\nrule = \"explicit\"\n"
            f"allow_autapses = false\nallow_multapses = false\n{pairs_text(pairs)}\n"
            f"synapse = {synapse}\nweight = \"{fmt(weight_uS)} uS\"\ndelay = \"{fmt(delay_ms)} ms\"\n")


def draw_network(name, params, ncells, t_stop_ms, seed):
    """All random draws of one network (numpy, seeded by seed and the model name)."""
    rng = np.random.default_rng([seed, sum(map(ord, name))])
    n_e = int(round(NET["frac_E"] * ncells))
    n_i = ncells - n_e
    n_drive = int(round(NET["drive_sources_per_cell"] * ncells))
    k_drive = NET["DRIVE_PER_CELL"]
    src_rate = params["drive_hz_per_cell"] / k_drive
    # Drive spike trains: Poisson at src_rate, times rounded to the dt grid
    # (fixed-step runs at dt 0.025 then deliver them at the same step in both
    # simulators); a source's repeated grid times are merged.
    grid = NET["dt_grid_ms"]
    drive = []
    for g in range(n_drive):
        n = rng.poisson(src_rate * t_stop_ms / 1000.0)
        steps = np.unique(np.floor(rng.uniform(0.0, t_stop_ms, n) / grid).astype(np.int64))
        steps = steps[steps >= 1]        # nothing at t = 0
        drive.extend((g, int(k)) for k in steps)
    drive.sort(key=lambda r: (r[1], r[0]))
    # Recurrent connections: fixed in-degree without autapses or multapses,
    # each with a delay drawn from delays_ms. Indices within the source/target population.
    conns = {}   # (src_pop, tgt_pop, delay) -> [(src, tgt)]
    delays = NET["delays_ms"]
    for tgt_pop, n_tgt in (("E", n_e), ("I", n_i)):
        for t in range(n_tgt):
            for src_pop, n_src, c in (("E", n_e, NET["C_E"]), ("I", n_i, NET["C_I"])):
                pool = np.arange(n_src)
                if src_pop == tgt_pop:
                    pool = pool[pool != t]
                srcs = np.sort(rng.choice(pool, size=min(c, len(pool)), replace=False))
                ds = rng.choice(delays, size=len(srcs))
                for s, d in zip(srcs, ds):
                    conns.setdefault((src_pop, tgt_pop, int(d)), []).append((int(s), t))
    drive_conns = {}
    for tgt_pop, n_tgt in (("E", n_e), ("I", n_i)):
        drive_conns[tgt_pop] = [(int(s), t) for t in range(n_tgt)
                                for s in np.sort(rng.choice(n_drive, size=k_drive, replace=False))]
    return {"n_e": n_e, "n_i": n_i, "n_drive": n_drive, "drive": drive,
            "conns": conns, "drive_conns": drive_conns}


def model_text(name, params, net, t_stop_ms, seed, csv_name, events_variant=False):
    grid = NET["dt_grid_ms"]
    n_e, n_i, n_drive = net["n_e"], net["n_i"], net["n_drive"]
    n_spikes = len(net["drive"])
    out = [f"""# Random network of detailed HH cable cells, model "{name}" of bench/modes:
# {n_e} excitatory (45 compartments) and {n_i} inhibitory (34 compartments) cells,
# sparse random E/I connectivity (in-degree {NET['C_E']} E + {NET['C_I']} I, delays 1-5 ms),
# driven by {n_drive} Poisson spike sources ({params['drive_hz_per_cell']:g} input spikes/s per cell
# over {NET['DRIVE_PER_CELL']} sources, weight {params['w_drive_E_uS']} uS onto E, {params['w_drive_I_uS']} uS onto I;
# {n_spikes} drive spikes in {t_stop_ms:g} ms); recurrent weights E {params['w_E_uS']} uS, I {params['w_I_uS']} uS.
# Written by examples/detailed/make_networks.py (seed {seed}); do not edit by hand.
# NEURON builds the same network from this file: bench/modes/neuron_network.py.
"""]
    if events_variant:
        out.append("# Events variant: the drive is written as each cable population's `events`\n"
                   "# (drive spike time + delay) and the drive population is a silent LIF\n"
                   f"# population keeping the gids; the same network as {name}.toml.\n")
    out.append(f"""
[simulation]
t_stop = "{fmt(t_stop_ms)} ms"
dt = "0.025 ms"
seed = {seed}
mode = "bsp-fixed"
""")
    if events_variant:
        out.append(f"""
[[population]]
name = "drive"
size = {n_drive}
cell = "lif"
E_L = "-70 mV"
V_th = "-55 mV"
""")
    else:
        out.append(f"""
[[population]]
name = "drive"
size = {n_drive}
cell = "spike_source"
spikes = "{csv_name}"
""")
    ev = {"E": None, "I": None}
    if events_variant:
        delay_steps = int(round(NET["drive_delay_ms"] / grid))
        trains = {}
        for g, k in net["drive"]:
            trains.setdefault(g, []).append(k)
        for pop in ("E", "I"):
            by_step = {}
            for s, t in net["drive_conns"][pop]:
                for k in trains.get(s, []):
                    by_step.setdefault(k + delay_steps, []).append(t)
            ev[pop] = []
            for k, cells in sorted(by_step.items()):
                if k * grid >= t_stop_ms:
                    continue
                # A cell hit twice at one time gets a second entry (never a doubled weight).
                cells = sorted(cells)
                while cells:
                    once = sorted(set(cells))
                    ev[pop].append((k * grid, params[f"w_drive_{pop}_uS"], once))
                    for c in once:
                        cells.remove(c)
    out.append("\n" + cable_population("E", n_e, e_sections(), E_SYNAPSES, ev["E"]))
    out.append("\n" + cable_population("I", n_i, i_sections(), I_SYNAPSES, ev["I"]))
    if not events_variant:
        for pop in ("E", "I"):
            out.append("\n" + projection("drive", pop, net["drive_conns"][pop], 0, params[f"w_drive_{pop}_uS"],
                                         NET["drive_delay_ms"], f"drive -> {pop}, onto the ExpSyn (site 0)"))
    for (src, tgt, d), pairs in sorted(net["conns"].items()):
        syn, w = (1, params["w_E_uS"]) if src == "E" else (2, params["w_I_uS"])
        out.append("\n" + projection(src, tgt, pairs, syn, w, d, f"{src} -> {tgt}, delay {d} ms"))
    out.append("\n[record]\nspikes = true\n")
    return "".join(out)


def write_model(name, out_dir, ncells=500, t_stop_ms=1000.0, seed=20261130, events_variant=False,
                params=None):
    """Writes NAME.toml and drive_NAME.csv (and NAME_events.toml); returns their paths."""
    params = dict(MODELS[name] if params is None else params)
    out_dir = pathlib.Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    net = draw_network(name, params, ncells, t_stop_ms, seed)
    csv_name = f"drive_{name}.csv"
    grid = NET["dt_grid_ms"]
    with open(out_dir / csv_name, "w") as f:
        f.write("gid,time_ms\n")
        for g, k in net["drive"]:
            f.write(f"{g},{k * grid:.3f}\n")
    paths = {"model": out_dir / f"{name}.toml", "csv": out_dir / csv_name}
    paths["model"].write_text(model_text(name, params, net, t_stop_ms, seed, csv_name))
    if events_variant:
        paths["events_model"] = out_dir / f"{name}_events.toml"
        paths["events_model"].write_text(model_text(name, params, net, t_stop_ms, seed, csv_name, True))
    return paths


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default=str(HERE))
    ap.add_argument("--models", nargs="+", choices=list(MODELS), default=list(MODELS))
    ap.add_argument("--ncells", type=int, default=500)
    ap.add_argument("--t-stop", type=float, default=1000.0, help="ms of drive written")
    ap.add_argument("--seed", type=int, default=20261130)
    ap.add_argument("--events-variant", action="store_true")
    args = ap.parse_args()
    for name in args.models:
        paths = write_model(name, args.out, args.ncells, args.t_stop, args.seed, args.events_variant)
        print(" ".join(str(p) for p in paths.values()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
