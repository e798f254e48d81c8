"""Old rule against pairwise horizons on 2 processes (bench/pairwise/README.md).

Runs OLD and NEW `ranvier` binaries alternately, REPEATS times each per mode,
on the halves model (1 ms delays inside each half = process, 5 ms between)
and prints the medians of the wall time and of each process's wait time
(summary.json per_process wait_s: time its threads had no group ready).

    /usr/bin/python3 bench/pairwise/measure.py OLD_BINARY NEW_BINARY [t_stop_ms]
"""

import json
import os
import pathlib
import statistics
import subprocess
import sys
import tempfile
import time

HERE = pathlib.Path(__file__).resolve().parent
MODEL = HERE / "halves_cable.toml"
MODES = ["async-fixed", "async-variable"]
REPEATS = 3


def run(binary, mode, t_stop, out):
    command = ["mpirun", "--oversubscribe", "-np", "2"]
    if os.geteuid() == 0:
        command.append("--allow-run-as-root")
    command += [binary, "run", str(MODEL), "--mode", mode, "--t-stop", str(t_stop),
                "--threads", "1", "--out", str(out), "--no-plot", "-q"]
    env = dict(os.environ, OMPI_MCA_btl_vader_single_copy_mechanism="none")
    start = time.monotonic()
    subprocess.run(command, check=True, env=env, capture_output=True)
    wall = time.monotonic() - start
    s = json.loads((out / "summary.json").read_text())
    return wall, [p["wait_s"] for p in s["per_process"]], s["spikes"]


def main():
    old, new = sys.argv[1], sys.argv[2]
    t_stop = sys.argv[3] if len(sys.argv) > 3 else "1000"
    with tempfile.TemporaryDirectory() as tmp:
        for mode in MODES:
            results = {"old": [], "new": []}
            spikes = {}
            for k in range(REPEATS):
                for name, binary in (("old", old), ("new", new)):
                    out = pathlib.Path(tmp) / f"{mode}_{name}_{k}"
                    wall, wait, n = run(binary, mode, t_stop, out)
                    results[name].append((wall, wait))
                    spikes[name] = n
                    print(f"  {mode} {name} run {k}: wall {wall:.2f} s, wait per process "
                          + ", ".join(f"{w:.3f}" for w in wait) + " s", flush=True)
            for name in ("old", "new"):
                walls = [w for w, _ in results[name]]
                waits = [statistics.median(x[1][p] for x in results[name]) for p in range(2)]
                print(f"{mode} {name}: median wall {statistics.median(walls):.2f} s, "
                      f"median wait rank 0 {waits[0]:.3f} s, rank 1 {waits[1]:.3f} s, "
                      f"spikes {spikes[name]}")


if __name__ == "__main__":
    main()
