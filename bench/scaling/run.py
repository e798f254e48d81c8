#!/usr/bin/python3
"""Scaling benchmark: one process against two MPI processes against two
threads, on the Brunel network and the ring, with NEURON on the same ring
with 1 and 2 MPI ranks in the same run (issue 11, point 8).

  run.py [--ranvier build/ranvier] [--models ring brunel] [--modes bsp-fixed ...]
         [--repeats 3] [--ring-cells 2048] [--ring-tstop 100] [--brunel-tstop 300]
         [--skip-neuron]

Every configuration runs --repeats times; the table shows the median wall time
of the simulation proper (summary.json `wall_time_s.simulate`, written by
process 0, which ends after every process; NEURON: `pc.psolve` between
barriers) and of the whole command. The ratios are medians of the same
batch, so a noisy moment of the shared machine hits both sides of a ratio
alike. Spikes of every Ranvier configuration must be byte-identical (the
determinism contract); the script says so, or which differ.

Goal (issue 11): 2 processes at least 1.9x faster than 1 on the ring.
"""

import argparse
import importlib.util
import json
import os
import pathlib
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parents[1]
NRNPY_ENV = {"NRN_PYTHONHOME": "/usr", "NRN_PYLIB": "/usr/lib/x86_64-linux-gnu/libpython3.11.so.1"}
# Open MPI's shared-memory single-copy path needs ptrace rights that
# containers often lack (test/mpi/mpi_support.py): plain copies, for both simulators.
MPI_ENV = {"OMPI_MCA_btl_vader_single_copy_mechanism": "none"}

# (processes, threads) per Ranvier configuration, in table order.
CONFIGS = [(1, 1), (2, 1), (1, 2)]


def ring_module():
    spec = importlib.util.spec_from_file_location("ring_run", ROOT / "bench" / "ring" / "run.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def mpirun(processes):
    """The launcher prefix for `processes` (none for one process)."""
    if processes == 1:
        return []
    cmd = ["mpirun", "--oversubscribe", "-np", str(processes)]
    if os.geteuid() == 0:
        cmd.insert(1, "--allow-run-as-root")
    return cmd


def run_ranvier(binary, model, mode, processes, threads, out):
    cmd = mpirun(processes) + [binary, "run", str(model), "--mode", mode, "--threads", str(threads),
                               "--out", str(out)]
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, env={**os.environ, **MPI_ENV})
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        sys.exit(f"failed ({proc.returncode}): {' '.join(cmd)}\n{proc.stderr[-3000:]}")
    summary = json.loads((out / "summary.json").read_text())
    return {"simulate": summary["wall_time_s"]["simulate"], "total": wall,
            "spikes": (out / "spikes.csv").read_bytes(), "summary": summary}


def run_neuron(ncells, tstop, processes, out):
    script = ROOT / "bench" / "ring" / "neuron_ring.py"
    nrniv = ["nrniv", "-nobanner"] + (["-mpi"] if processes > 1 else []) + ["-python", str(script)]
    cmd = mpirun(processes) + nrniv + ["--ncells", str(ncells), "--tstop", str(tstop), "--out", str(out)]
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, stdin=subprocess.DEVNULL,
                          env={**os.environ, **NRNPY_ENV, **MPI_ENV})
    wall = time.perf_counter() - t0
    lines = [l for l in proc.stdout.splitlines() if l.startswith("{")]
    if proc.returncode != 0 or not lines:
        sys.exit(f"NEURON failed ({proc.returncode}): {' '.join(cmd)}\n{proc.stderr[-3000:]}")
    result = json.loads(lines[-1])
    return {"simulate": result["wall_run_s"], "total": wall,
            "spikes": (out / "spikes.csv").read_bytes(), "summary": result}


def median_run(repeats, once):
    runs = [once(i) for i in range(repeats)]
    return {"simulate": statistics.median(r["simulate"] for r in runs),
            "total": statistics.median(r["total"] for r in runs),
            "spikes": runs[0]["spikes"], "summary": runs[0]["summary"],
            "all_simulate": [r["simulate"] for r in runs]}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--ranvier", default=str(ROOT / "build" / "ranvier"))
    ap.add_argument("--models", nargs="+", default=["ring", "brunel"], choices=["ring", "brunel"])
    ap.add_argument("--modes", nargs="+", default=["bsp-fixed", "async-fixed"],
                    choices=["bsp-fixed", "bsp-variable", "async-fixed", "async-variable"])
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--ring-cells", type=int, default=2048)
    ap.add_argument("--ring-tstop", type=float, default=100.0)
    ap.add_argument("--brunel-tstop", type=float, default=300.0)
    ap.add_argument("--skip-neuron", action="store_true")
    args = ap.parse_args()

    if shutil.which("mpirun") is None:
        sys.exit("mpirun not found: scripts/setup.sh installs openmpi-bin")
    tmp = pathlib.Path(tempfile.mkdtemp(prefix="ranvier-scaling-"))
    ring = ring_module()
    models = {}
    if "ring" in args.models:
        path = tmp / "ring.toml"
        path.write_text(ring.ring_model(args.ring_cells, args.ring_tstop))
        models["ring"] = path
    if "brunel" in args.models:
        text = (ROOT / "examples" / "brunel.toml").read_text()
        path = tmp / "brunel.toml"
        path.write_text(re.sub(r'^t_stop = ".*"', f't_stop = "{args.brunel_tstop} ms"', text, flags=re.M))
        models["brunel"] = path

    print(f"machine: {os.cpu_count()} cores; load average {os.getloadavg()[0]:.2f}; "
          f"median of {args.repeats} runs; times in s")
    print(f"{'model':7} {'simulator':9} {'mode':15} {'procs':>5} {'threads':>7} "
          f"{'simulate':>9} {'command':>8} {'speedup':>8}  spikes")
    results = {}
    for name, model in models.items():
        for mode in args.modes:
            base = None
            for processes, threads in CONFIGS:
                tag = f"{name}_{mode}_{processes}p{threads}t"
                r = median_run(args.repeats, lambda i: run_ranvier(
                    args.ranvier, model, mode, processes, threads, tmp / f"{tag}_{i}"))
                results[(name, mode, processes, threads)] = r
                base = base or r
                same = "identical" if r["spikes"] == base["spikes"] else "DIFFER from 1 process"
                print(f"{name:7} {'ranvier':9} {mode:15} {processes:>5} {threads:>7} "
                      f"{r['simulate']:9.2f} {r['total']:8.2f} {base['simulate'] / r['simulate']:8.2f}x  "
                      f"{same}", flush=True)
        if name == "ring" and not args.skip_neuron:
            base = None
            for processes in (1, 2):
                r = median_run(args.repeats, lambda i: run_neuron(
                    args.ring_cells, args.ring_tstop, processes, tmp / f"neuron_{processes}_{i}"))
                results[(name, "neuron", processes, 1)] = r
                base = base or r
                same = "identical" if r["spikes"] == base["spikes"] else "DIFFER from 1 rank"
                print(f"{name:7} {'neuron':9} {'fixed':15} {processes:>5} {1:>7} "
                      f"{r['simulate']:9.2f} {r['total']:8.2f} {base['simulate'] / r['simulate']:8.2f}x  "
                      f"{same}", flush=True)

    print()
    print("ratios (simulate time, medians):")
    for name in models:
        for mode in args.modes:
            one = results[(name, mode, 1, 1)]["simulate"]
            two_p = results[(name, mode, 2, 1)]["simulate"]
            two_t = results[(name, mode, 1, 2)]["simulate"]
            line = (f"  {name} {mode}: 2 processes / 1 process {one / two_p:.2f}x; "
                    f"2 threads / 1 process {one / two_t:.2f}x; 2 processes vs 2 threads {two_t / two_p:.2f}x")
            if name == "ring" and mode == "bsp-fixed":
                line += f" (goal: 2 processes >= 1.9x: {'met' if one / two_p >= 1.9 else 'NOT met'})"
            print(line)
        if name == "ring" and not args.skip_neuron and ("ring", "bsp-fixed", 2, 1) in results:
            n1 = results[(name, "neuron", 1, 1)]["simulate"]
            n2 = results[(name, "neuron", 2, 1)]["simulate"]
            r2 = results[(name, "bsp-fixed", 2, 1)]["simulate"]
            r1 = results[(name, "bsp-fixed", 1, 1)]["simulate"]
            diff = ring.max_difference(ring.load_spikes(tmp / "neuron_2_0" / "spikes.csv"),
                                       ring.load_spikes(tmp / "ring_bsp-fixed_2p1t_0" / "spikes.csv"))
            print(f"  ring NEURON: 2 ranks / 1 rank {n1 / n2:.2f}x; NEURON / Ranvier bsp-fixed at 1 process "
                  f"{n1 / r1:.2f}x, at 2 processes {n2 / r2:.2f}x; spike times "
                  + ("differ in count" if diff is None else f"agree within {diff:.3g} ms"))
    print(f"outputs in {tmp}")


if __name__ == "__main__":
    main()
