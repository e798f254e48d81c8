#!/usr/bin/python3
"""The exchange figures of docs/scaling.md: real distributed runs at a few
processes next to dry runs (`ranvier run MODEL --dry-run N`) up to 10^5
pretend processes, on Brunel's network scaled with N (weak scaling: the same
number of cells per process) and on the ring of bench/ring.

  dry_run.py [--ranvier build/ranvier] [--real 1 2 4] [--dry 1 2 4 16 256 4096 100000]
             [--modes bsp-fixed async-fixed] [--brunel-per-process 12500] [--tstop 50]
             [--ring-per-process 64] [--ring-dry 1 2 4 16 256 4096] [--models brunel ring]
             [--async-max 4096] [--json results.json]

Per configuration it prints one row: processes, real or dry, peak memory per
process (the largest over processes for real runs), build seconds; bsp: the
network's spikes per epoch, the bytes one process receives per epoch (the
all-gather: 16 bytes of count and stop flag per process, 16 bytes a spike)
and, for real runs, communicate + wait seconds per epoch; async: messages and
bytes one process sends per simulated second and per second of wall time.
Real runs use mpirun --oversubscribe with Open MPI's plain-copy transport
(test/mpi/). Async dry runs stop at --async-max processes (their cost grows
with the destinations: docs/scaling.md).
"""

import argparse
import json
import math
import os
import pathlib
import re
import subprocess
import sys
import tempfile

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parents[1]
MPI_ENV = {"OMPI_MCA_btl_vader_single_copy_mechanism": "none"}
SPIKE_BYTES, HEADER_BYTES = 16, 16


def brunel(n):
    """examples/brunel.toml with n times its populations (12,500 n cells)."""
    text = (ROOT / "examples" / "brunel.toml").read_text()
    text = re.sub(r"^size = 10000$", f"size = {10000 * n}", text, flags=re.M)
    return re.sub(r"^size = 2500$", f"size = {2500 * n}", text, flags=re.M)


def ring(cells):
    sys.path.insert(0, str(ROOT / "bench" / "ring"))
    import run as ring_run  # bench/ring/run.py
    # One pair per line: the TOML parser's time grows with the square of a
    # line's length, and 10^5 pairs on one line take minutes to read.
    text = ring_run.ring_model(cells, 100)
    return re.sub(r"\], \[", "],\n    [", text)


def launcher(n):
    if n == 1:
        return []
    cmd = ["mpirun", "--oversubscribe", "-np", str(n)]
    if os.geteuid() == 0:
        cmd.insert(1, "--allow-run-as-root")
    return cmd


def run(ranvier, model, mode, tstop, out, processes=None, dry=None):
    cmd = launcher(processes or 1) + [ranvier, "run", str(model), "--mode", mode, "--t-stop", str(tstop),
                                      "--out", str(out), "--no-plot", "-q"]
    if dry:
        cmd += ["--dry-run", str(dry)]
    r = subprocess.run(cmd, capture_output=True, text=True, env=dict(os.environ, **MPI_ENV))
    if r.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{r.stderr}")
    return json.loads((pathlib.Path(out) / "summary.json").read_text())


def row(s, n, kind, mode, delay_ms):
    r = {"processes": n, "kind": kind, "mode": mode}
    bio_s = s["t_reached_ms"] * 1e-3
    if kind == "dry":
        d = s["dry_run"]
        r.update(peak_mb=d["peak_memory_bytes"] / 2**20, model_mb=d["model_bytes"] / 2**20, build_s=d["build_s"],
                 cells_per_process=d["cells_per_process"])
        if "bsp" in d:
            b = d["bsp"]
            r.update(epochs=b["epochs"], spikes_per_epoch=b["spikes_received_per_epoch"],
                     bytes_in_per_epoch=b["bytes_received_per_epoch"], bytes_out_per_epoch=b["bytes_sent_per_epoch"],
                     run_s_per_epoch=d["run_wall_s"] / max(b["epochs"], 1))
        else:
            a = d["async"]
            r.update(destinations=a["destinations"], msgs_per_sim_s=a["messages_per_simulated_s"],
                     bytes_per_sim_s=a["bytes_per_simulated_s"], msgs_per_wall_s=a["messages_per_wall_s"],
                     bytes_per_wall_s=a["bytes_per_wall_s"], run_wall_s=d["run_wall_s"])
        return r
    procs = s["per_process"]
    r.update(peak_mb=max(p["peak_memory_bytes"] for p in procs) / 2**20,
             build_s=max(p["build_s"] for p in procs), cells_per_process=procs[0]["cells"])
    if mode.startswith("bsp"):
        epochs = math.ceil(s["t_reached_ms"] / delay_ms - 1e-9)
        spikes = s["spikes"] / epochs
        r.update(epochs=epochs, spikes_per_epoch=spikes,
                 bytes_in_per_epoch=HEADER_BYTES * n + SPIKE_BYTES * spikes,
                 bytes_out_per_epoch=HEADER_BYTES + SPIKE_BYTES * spikes / n,
                 comm_wait_s_per_epoch=max(p["communicate_s"] + p["wait_s"] for p in procs) / epochs
                 if n > 1 else 0.0,
                 run_s_per_epoch=s["wall_time_s"]["simulate"] / epochs)
    else:
        wall = s["wall_time_s"]["simulate"]
        m = sum(p["messages_sent"] for p in procs) / n
        b = sum(p["message_bytes_sent"] for p in procs) / n
        r.update(msgs_per_sim_s=m / bio_s, bytes_per_sim_s=b / bio_s, msgs_per_wall_s=m / wall if wall else 0,
                 bytes_per_wall_s=b / wall if wall else 0, run_wall_s=wall)
    return r


def table(rows):
    head = ("| model | N | run | mode | cells/proc | peak MB/proc | build s | network spikes/epoch | "
            "bytes in/proc/epoch | comm+wait s/epoch | msgs/proc/sim s | bytes/proc/sim s | msgs/proc/wall s |")
    print(head)
    print("|" + "---|" * (head.count("|") - 1))
    f = lambda r, k, fmt: format(r[k], fmt) if k in r else ""
    for r in rows:
        print(f"| {r['model']} | {r['processes']} | {r['kind']} | {r['mode']} | {r['cells_per_process']} | "
              f"{r['peak_mb']:.0f} | {r['build_s']:.2f} | {f(r, 'spikes_per_epoch', '.4g')} | "
              f"{f(r, 'bytes_in_per_epoch', '.3g')} | {f(r, 'comm_wait_s_per_epoch', '.2g')} | "
              f"{f(r, 'msgs_per_sim_s', '.4g')} | {f(r, 'bytes_per_sim_s', '.3g')} | {f(r, 'msgs_per_wall_s', '.3g')} |")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--ranvier", default=str(ROOT / "build" / "ranvier"))
    p.add_argument("--real", type=int, nargs="*", default=[1, 2, 4])
    p.add_argument("--dry", type=int, nargs="*", default=[1, 2, 4, 16, 256, 4096, 100000])
    p.add_argument("--modes", nargs="*", default=["bsp-fixed", "async-fixed"])
    p.add_argument("--tstop", type=float, default=50)
    p.add_argument("--async-max", type=int, default=4096)
    p.add_argument("--ring-per-process", type=int, default=64)
    p.add_argument("--ring-dry", type=int, nargs="*", default=[1, 2, 4, 16, 256, 4096])
    p.add_argument("--models", nargs="*", default=["brunel", "ring"])
    p.add_argument("--json")
    args = p.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp = pathlib.Path(tmp)
        models = []
        if "brunel" in args.models:
            models.append(("brunel", brunel, 1.5, args.real, args.dry))
        if "ring" in args.models:
            models.append(("ring", lambda n: ring(args.ring_per_process * n), 1.0, args.real, args.ring_dry))
        for name, make, delay, real, dry in models:
            for mode in args.modes:
                for kind, sizes in (("real", real), ("dry", dry)):
                    for n in sizes:
                        if kind == "dry" and mode.startswith("async") and n > args.async_max:
                            continue
                        model = tmp / f"{name}_{n}.toml"
                        if not model.exists():
                            model.write_text(make(n))
                        out = tmp / f"{name}_{mode}_{kind}_{n}"
                        s = run(args.ranvier, model, mode, args.tstop, out,
                                processes=n if kind == "real" else None, dry=n if kind == "dry" else None)
                        r = row(s, n, kind, mode, delay)
                        r["model"] = name
                        rows.append(r)
                        print(json.dumps(r), file=sys.stderr, flush=True)
                        model_out = out / "spikes.csv"
                        if model_out.exists():
                            model_out.unlink()  # large at many processes
                        if kind == "dry":
                            model.unlink()
    table(rows)
    if args.json:
        pathlib.Path(args.json).write_text(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
