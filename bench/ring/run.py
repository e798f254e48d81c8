#!/usr/bin/python3
"""Ring benchmark driver: Ranvier against NEURON 8.2 on the ring network of
bench/ring/README.md (branched HH cells passing spikes around rings).

  run.py [--ranvier build/ranvier] [--ncells 2048] [--tstop 100] [--repeats 1]
         [--threads 1 2] [--methods fixed variable] [--skip-neuron]

--methods: `fixed` is Ranvier bsp-fixed against NEURON's fixed step (dt 0.025
ms, backward Euler); `variable` is Ranvier bsp-variable (per-cell CVODE, atol
1e-3) against NEURON's per-cell variable step (cvode.use_local_dt(1), atol
1e-3, NEURON's "lvardt").

For each thread count it runs Ranvier (`ranvier run <generated ring.toml>`,
median of --repeats) and NEURON (neuron_ring.py, once), then prints wall time,
ns per compartment-step, memory per compartment, spike counts, the largest
spike-time difference between the two, and the NEURON/Ranvier time ratio.
The Ranvier model is examples/ring.toml with its size changed; the NEURON
script builds the same network (see README.md).
"""

import argparse
import json
import pathlib
import re
import statistics
import subprocess
import sys
import tempfile

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parents[1]
NRNPY = ROOT / "test" / "validation" / "reference" / "neuron" / "nrnpy.sh"
CELLS_PER_RING = 8
COMPARTMENTS_PER_CELL = 1 + 31 * 3  # soma nseg 1 + 31 dendritic sections x nseg 3


def ring_model(ncells, tstop):
    """examples/ring.toml resized to `ncells` (a multiple of 8)."""
    text = (ROOT / "examples" / "ring.toml").read_text()
    rings = ncells // CELLS_PER_RING
    firsts = ", ".join(str(r * CELLS_PER_RING) for r in range(rings))
    pairs = ", ".join(f"[{r * 8 + p}, {r * 8 + (p + 1) % 8}]" for r in range(rings) for p in range(8))
    text = re.sub(r"^size = \d+", f"size = {ncells}", text, flags=re.M)
    text = re.sub(r"cells = \[[0-9, ]*\]", f"cells = [{firsts}]", text)
    text = re.sub(r"^pairs = \[.*\]$", f"pairs = [{pairs}]", text, flags=re.M)
    text = re.sub(r'^t_stop = ".*"', f't_stop = "{tstop} ms"', text, flags=re.M)
    return text


def load_spikes(path):
    rows = pathlib.Path(path).read_text().splitlines()[1:]
    spikes = {}
    for row in rows:
        g, t = row.split(",")
        spikes.setdefault(int(g), []).append(float(t))
    return spikes


def max_difference(a, b):
    """Largest |t_a - t_b| over spikes matched by gid and order; None if counts differ."""
    if set(a) != set(b) or any(len(a[g]) != len(b[g]) for g in a):
        return None
    return max((abs(x - y) for g in a for x, y in zip(a[g], b[g])), default=0.0)


RANVIER_MODE = {"fixed": "bsp-fixed", "variable": "bsp-variable",
                "async-fixed": "async-fixed", "async-variable": "async-variable"}


def run_ranvier(binary, model, threads, method, out):
    subprocess.run([binary, "run", str(model), "--out", str(out), "--threads", str(threads),
                    "--mode", RANVIER_MODE[method], "--no-plot", "-q"], check=True)
    return json.loads((out / "summary.json").read_text())


def run_neuron(ncells, tstop, threads, method, out):
    extra = ["--variable"] if method == "variable" else []
    res = subprocess.run([str(NRNPY), str(HERE / "neuron_ring.py"), "--ncells", str(ncells),
                          "--tstop", str(tstop), "--threads", str(threads), "--out", str(out)] + extra,
                         check=True, capture_output=True, text=True, stdin=subprocess.DEVNULL)
    line = [l for l in res.stdout.splitlines() if l.startswith("{")][-1]
    return json.loads(line)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--ranvier", default=str(ROOT / "build" / "ranvier"))
    ap.add_argument("--ncells", type=int, default=2048)
    ap.add_argument("--tstop", type=float, default=100.0)
    ap.add_argument("--repeats", type=int, default=1)
    ap.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--methods", nargs="+", choices=list(RANVIER_MODE), default=["fixed"],
                    help="async-* run Ranvier's asynchronous modes (no NEURON peer; compared with the "
                         "bsp mode of the same stepping when that is also given)")
    ap.add_argument("--skip-neuron", action="store_true")
    ap.add_argument("--write-model", metavar="PATH",
                    help="only write the Ranvier model file of this size to PATH and exit")
    args = ap.parse_args()
    if args.ncells % CELLS_PER_RING:
        sys.exit("--ncells must be a multiple of 8")
    if args.write_model:
        body = ring_model(args.ncells, args.tstop).split("\n#\n", 1)[1]
        header = (f"# Rings of branched Hodgkin-Huxley cells passing one spike around: the model\n"
                  f"# of bench/ring/README.md and examples/ring.toml at {args.ncells} cells\n"
                  f"# ({args.ncells // 8} rings of 8, gid = ring * 8 + position; the first cell of\n"
                  f"# every ring is kicked at 1 ms). Generated by\n"
                  f"#   bench/ring/run.py --ncells {args.ncells} --write-model PATH\n")
        pathlib.Path(args.write_model).write_text(header + "#\n" + body)
        return

    compartments = args.ncells * COMPARTMENTS_PER_CELL
    steps = round(args.tstop / 0.025)
    tmp = pathlib.Path(tempfile.mkdtemp(prefix="ranvier-ring-"))
    model = tmp / "ring.toml"
    model.write_text(ring_model(args.ncells, args.tstop))

    print(f"ring: {args.ncells} cells, {compartments} compartments, {args.tstop} ms; fixed: dt 0.025 ms, "
          f"variable: per-cell CVODE atol 1e-3")
    header = (f"{'simulator':9} {'method':14} {'thr':>3} {'wall s':>8} {'ns/comp-step':>13} {'KB/comp':>8} "
              f"{'spikes':>7} {'steps/cell':>10}")
    print(header)
    rows = {}
    for method in args.methods:
        for threads in args.threads:
            tag = f"{method}{threads}"
            runs = [run_ranvier(args.ranvier, model, threads, method, tmp / f"r{tag}_{i}")
                    for i in range(args.repeats)]
            wall = statistics.median(r["wall_time_s"]["simulate"] for r in runs)
            mem = runs[-1]["peak_memory_bytes"]
            rows[("ranvier", method, threads)] = (wall, load_spikes(tmp / f"r{tag}_0" / "spikes.csv"))
            steps_per_cell = (runs[-1]["integrator"]["steps"] / args.ncells if "variable" in method
                              else steps)
            print(f"{'ranvier':9} {method:14} {threads:>3} {wall:8.2f} "
                  f"{wall * 1e9 / (compartments * steps):13.2f} {mem / 1024 / compartments:8.2f} "
                  f"{runs[-1]['spikes']:>7} {steps_per_cell:10.0f}", flush=True)
            if not args.skip_neuron and not method.startswith("async"):
                n = run_neuron(args.ncells, args.tstop, threads, method, tmp / f"n{tag}")
                rows[("neuron", method, threads)] = (n["wall_run_s"],
                                                     load_spikes(tmp / f"n{tag}" / "spikes.csv"))
                print(f"{'neuron':9} {method:14} {threads:>3} {n['wall_run_s']:8.2f} "
                      f"{n['ns_per_compartment_step']:13.2f} {n['peak_rss_mb'] * 1024 / compartments:8.2f} "
                      f"{n['spikes']:>7} {'':>10}", flush=True)
    print("(ns/comp-step divides by the fixed step count tstop/0.025 in every row, so rows compare "
          "directly)")
    if not args.skip_neuron:
        print()
        for method in args.methods:
            for threads in args.threads:
                if method.startswith("async"):
                    continue
                (rw, rs), (nw, ns) = rows[("ranvier", method, threads)], rows[("neuron", method, threads)]
                diff = max_difference(rs, ns)
                diff_text = "spike counts differ" if diff is None else f"{diff:.3g} ms"
                print(f"{method} threads {threads}: NEURON/Ranvier wall time {nw / rw:.2f}x; "
                      f"largest spike-time difference {diff_text}")
        if "fixed" in args.methods and "variable" in args.methods:
            for threads in args.threads:
                for sim in ("ranvier", "neuron"):
                    f, v = rows[(sim, "fixed", threads)][0], rows[(sim, "variable", threads)][0]
                    print(f"{sim} threads {threads}: variable/fixed wall time {v / f:.2f}")
    for method in args.methods:
        base = method.removeprefix("async-")
        if method.startswith("async") and base in args.methods:
            for threads in args.threads:
                (aw, aspk), (bw, bspk) = rows[("ranvier", method, threads)], rows[("ranvier", base, threads)]
                same = "identical spikes" if aspk == bspk else "SPIKES DIFFER"
                print(f"ranvier threads {threads}: {method}/bsp-{base} wall time {aw / bw:.2f}; {same}")
    print(f"(memory per compartment: peak RSS of the whole process / compartments; outputs in {tmp})")


if __name__ == "__main__":
    main()
