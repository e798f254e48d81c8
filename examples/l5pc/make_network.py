#!/usr/bin/python3
"""Writes network.toml and network_drive.csv: a random network of the layer-5
pyramidal-like cell (l5pc.toml's cell, 391 compartments, nine .mod
mechanisms), the detailed network of bench/modes (issue 10, point 7).

Everything random is drawn here from a fixed seed and written out
explicitly (connections as `explicit` pairs, the drive as spike times), so
NEURON (bench/modes/neuron_network.py) builds the same network from the
same two files and nothing depends on either simulator's random streams.

- N cells (default 32), the cell of l5pc.toml without its current step;
- synapses per cell: 0 ExpSyn at dend[2](0.5) (basal, e 0 mV, tau 2 ms),
  1 ExpSyn at apic[3](0.5) (oblique, same), 2 Exp2Syn at soma(0.5)
  (inhibitory: e -80 mV, tau1 0.5 ms, tau2 8 ms);
- recurrent excitation: each cell receives from K_IN other cells, chosen at
  random, onto synapse 0 or 1, delays drawn uniformly from 1-5 ms (in 0.5 ms
  steps: one projection per delay);
- drive: per cell one excitatory Poisson source onto each of synapses 0 and
  1 and one inhibitory source onto synapse 2 (spike-source population
  `drive`, declared first, so its gids are its indices).

Usage: make_network.py [--cells N] [--t-stop MS] [--seed S] [--out DIR]
Regenerating with the same arguments gives byte-identical files.
"""
import argparse
import pathlib
import random
import tomllib

HERE = pathlib.Path(__file__).resolve().parent

K_IN = 8                 # recurrent inputs per cell
W_REC = 0.004            # uS, recurrent excitatory weight
DRIVE_E_HZ = 400.0       # per excitatory source
DRIVE_I_HZ = 300.0       # per inhibitory source
W_DRIVE_E = 0.008        # uS
W_DRIVE_I = 0.0015       # uS
DRIVE_DELAY_MS = 1.0


def inline(table):
    """A TOML inline table of the flat dict `table` (strings and numbers)."""
    parts = []
    for k, v in table.items():
        key = k if k.replace("_", "").isalnum() else f'"{k}"'
        parts.append(f'{key} = "{v}"' if isinstance(v, str) else f"{key} = {v!r}")
    return "{ " + ", ".join(parts) + " }"


def poisson(rate_hz, t_stop, rng):
    times, t = [], 0.0
    while True:
        t += rng.expovariate(rate_hz / 1000.0)
        if t >= t_stop:
            return times
        times.append(round(t, 4))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cells", type=int, default=32)
    ap.add_argument("--t-stop", type=float, default=500.0, help="ms")
    ap.add_argument("--seed", type=int, default=20261201)
    ap.add_argument("--out", default=str(HERE))
    ap.add_argument("--w-drive-e", type=float, default=W_DRIVE_E, help="uS")
    ap.add_argument("--w-drive-i", type=float, default=W_DRIVE_I, help="uS")
    ap.add_argument("--w-rec", type=float, default=W_REC, help="uS")
    args = ap.parse_args()
    out = pathlib.Path(args.out)
    n = args.cells
    rng = random.Random(args.seed)
    with open(HERE / "l5pc.toml", "rb") as f:
        cell = tomllib.load(f)["population"][0]

    # Drive: sources 3c, 3c+1 (excitatory, synapses 0 and 1), 3c+2 (inhibitory).
    drive_rows = []
    for c in range(n):
        for k, rate in enumerate((DRIVE_E_HZ, DRIVE_E_HZ, DRIVE_I_HZ)):
            drive_rows += [(3 * c + k, t) for t in poisson(rate, args.t_stop, rng)]
    drive_rows.sort(key=lambda r: (r[1], r[0]))
    # Recurrent pairs grouped by (synapse, delay).
    by_delay = {}
    for target in range(n):
        sources = rng.sample([s for s in range(n) if s != target], min(K_IN, n - 1))
        for s in sources:
            syn = rng.randrange(2)
            delay = 1.0 + 0.5 * rng.randrange(9)
            by_delay.setdefault((syn, delay), []).append((s, target))

    drive_name = "network_drive.csv"
    with open(out / drive_name, "w") as f:
        f.write("gid,time_ms\n")
        for g, t in drive_rows:
            f.write(f"{g},{t:.4f}\n")

    lines = [
        f"# Random network of {n} layer-5 pyramidal-like cells (l5pc.toml's cell, 391 compartments,",
        "# nine .mod mechanisms) for bench/modes: recurrent excitation (in-degree "
        f"{K_IN}, delays 1-5 ms,",
        f"# {args.w_rec} uS) and Poisson drive ({DRIVE_E_HZ:g} Hz x 2 excitatory at {args.w_drive_e} uS, "
        f"{DRIVE_I_HZ:g} Hz inhibitory at {args.w_drive_i} uS per cell;",
        f"# {len(drive_rows)} drive spikes in {args.t_stop:g} ms).",
        f"# Written by examples/l5pc/make_network.py (seed {args.seed}); do not edit by hand.",
        "# NEURON builds the same network from this file: bench/modes/neuron_network.py.",
        'mechanisms = ["mod"]',
        "",
        "[simulation]",
        f't_stop = "{args.t_stop:g} ms"',
        'dt = "0.025 ms"',
        f"seed = {args.seed}",
        'mode = "bsp-fixed"',
        "",
        "[[population]]",
        'name = "drive"',
        f"size = {3 * n}",
        'cell = "spike_source"',
        f'spikes = "{drive_name}"',
        "",
        "[[population]]",
        'name = "l5pc"',
        f"size = {n}",
        'cell = "cable"',
        f'morphology = "{cell["morphology"]}"',
        f'celsius = "{cell["celsius"]}"',
        f'v_init = "{cell["v_init"]}"',
        f"discretization = {inline(cell['discretization'])}",
        "paint = [",
    ]
    lines += [f"    {inline(p)}," for p in cell["paint"]]
    lines += ["]", "ions = ["]
    lines += [f"    {inline(i)}," for i in cell["ions"]]
    lines += ["]", "synapses = ["]
    lines += [
        '    { location = "dend[2](0.5)", mechanism = "ExpSyn", tau = "2 ms", e = "0 mV" },',
        '    { location = "apic[3](0.5)", mechanism = "ExpSyn", tau = "2 ms", e = "0 mV" },',
        '    { location = "soma(0.5)", mechanism = "Exp2Syn", tau1 = "0.5 ms", tau2 = "8 ms", e = "-80 mV" },',
        "]",
        f"detector = {inline(cell['detector'])}",
        "",
    ]
    for k in range(3):
        pairs = ", ".join(f"[{3 * c + k}, {c}]" for c in range(n))
        w = args.w_drive_i if k == 2 else args.w_drive_e
        lines += ["[[projection]]", 'source = "drive"', 'target = "l5pc"', 'rule = "explicit"',
                  f"pairs = [{pairs}]", f'weight = "{w} uS"', f'delay = "{DRIVE_DELAY_MS:g} ms"',
                  f"synapse = {k}", ""]
    for (syn, delay), pairs in sorted(by_delay.items()):
        text = ", ".join(f"[{s}, {t}]" for s, t in sorted(pairs))
        lines += ["[[projection]]", 'source = "l5pc"', 'target = "l5pc"', 'rule = "explicit"',
                  f"pairs = [{text}]", f'weight = "{args.w_rec} uS"', f'delay = "{delay:g} ms"',
                  f"synapse = {syn}", ""]
    lines += ["[record]", "spikes = true", ""]
    (out / "network.toml").write_text("\n".join(lines))
    print(f"wrote {out / 'network.toml'} ({n} cells, {sum(len(p) for p in by_delay.values())} "
          f"connections) and {out / drive_name} ({len(drive_rows)} spikes)")


if __name__ == "__main__":
    main()
