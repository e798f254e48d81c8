#!/usr/bin/python3
"""The decomposition's cost weights and their effect (README.md).

  run.py weights RANVIER OUTDIR     instruction counts (callgrind) of the
                                    models of make_models.py, and the weights
                                    in LIF cell-steps derived from them
  run.py imbalance RANVIER OUTDIR [--t-stop MS]
                                    load_imbalance of 2-process bsp-fixed runs
                                    of poisson_half.toml and conn_half.toml,
                                    3 runs each (median)
"""
import json
import os
import pathlib
import re
import statistics
import subprocess
import sys

HERE = pathlib.Path(__file__).resolve().parent
SHORT, LONG = 100, 500  # ms: the difference removes the setup


def instructions(ranvier, model, t_stop, out):
    log = out / f"cg.{model.stem}.{t_stop}.log"
    subprocess.run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}/cg.{model.stem}.{t_stop}.out",
                    ranvier, "run", model, "--t-stop", str(t_stop), "-o", out / f"run_{model.stem}_{t_stop}",
                    "-q", "--no-plot", "-t", "1"], stdout=log.open("w"), stderr=subprocess.STDOUT, check=True)
    return int(re.search(r"Collected : (\d+)", log.read_text()).group(1))


def weights(ranvier, out):
    subprocess.run(["/usr/bin/python3", HERE / "make_models.py", out], check=True)
    ir = {}
    for name in ["lif", "conn", "poisson", "cable", "cable_pas", "cable_2", "cable_syn"]:
        counts = [instructions(ranvier, out / f"{name}.toml", t, out) for t in (SHORT, LONG)]
        ir[name] = counts[1] - counts[0]
        print(f"{name}: {counts[0]} / {counts[1]} instructions at {SHORT} / {LONG} ms")
    steps = (LONG - SHORT) / 0.1
    lif = ir["lif"] / (1000 * steps)
    events = 1000 * 10 * (LONG - SHORT)  # 10 events/ms per cell
    print(f"LIF cell-step: {lif:.2f} instructions (the unit)")
    print(f"event through a connection onto LIF: {(ir['conn'] - ir['lif']) / events / lif:.3f}")
    print(f"Poisson event onto LIF: {(ir['poisson'] - ir['lif']) / events / lif:.3f}")
    for name, units in [("cable", 6), ("cable_pas", 6), ("cable_2", 9)]:
        per_cell_step = ir[name] / (200 * steps) / lif
        print(f"{name}: {per_cell_step:.2f} per cell-step, {per_cell_step / units:.2f} per unit of the formula")
    cable_events = 200 * 10 * (LONG - SHORT)
    print(f"event onto a cable cell's ExpSyn (with ExpSyn's own steps): "
          f"{(ir['cable_syn'] - ir['cable']) / cable_events / lif:.1f}")


def imbalance(ranvier, out, extra):
    env = dict(os.environ, OMPI_MCA_btl_vader_single_copy_mechanism="none")
    mpirun = ["mpirun", "--oversubscribe", "-np", "2"] + (["--allow-run-as-root"] if os.geteuid() == 0 else [])
    for model in ["poisson_half", "conn_half"]:
        found = []
        for i in range(3):
            d = out / f"{model}_{i}"
            subprocess.run(mpirun + [ranvier, "run", HERE / f"{model}.toml", "--mode", "bsp-fixed", "--out", d,
                                     "-q", "--no-plot"] + extra, env=env, check=True)
            s = json.loads((d / "summary.json").read_text())
            found.append(s["load_imbalance"])
            print(f"{model} run {i}: load_imbalance {s['load_imbalance']:.3f}, cells",
                  [p["cells"] for p in s["per_process"]], "busy_s",
                  [round(p["busy_s"], 3) for p in s["per_process"]])
        print(f"{model}: median load_imbalance {statistics.median(found):.3f}")


if __name__ == "__main__":
    what, ranvier, out = sys.argv[1], pathlib.Path(sys.argv[2]).resolve(), pathlib.Path(sys.argv[3])
    out.mkdir(parents=True, exist_ok=True)
    if what == "weights":
        weights(ranvier, out)
    else:
        imbalance(ranvier, out, sys.argv[4:])
