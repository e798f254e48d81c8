#!/usr/bin/python3
"""Driver of the variable-step benchmark: Ranvier fixed step vs CVODE vs NEURON, one cell.

Writes the case file (cell, stimuli, Poisson event times from a fixed seed), runs
variable_bench (Ranvier; finds the threshold current and synaptic weight), hands the
resulting amplitudes and weights to neuron_variable.py (NEURON, via nrnpy.sh), and prints
one table. See bench/variable/README.md for the columns.

usage: /usr/bin/python3 bench/variable/run.py [--build DIR] [--repeats N] [--seed S] [--out DIR]
"""
import argparse
import json
import math
import os
import random
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
REF = os.path.join(ROOT, "test", "validation", "reference", "neuron")

TSTOP_MS = 100.0
THRESHOLD_FRACTIONS = (0.5, 1.0, 5.0)
# 10/100/1000 Hz are the study's cases; 300 and 3000 Hz locate the crossover.
EVENT_RATES_HZ = (10, 100, 300, 1000, 3000)


def poisson_times(rate_hz, tstop_ms, rng):
    """Event times (ms) of a Poisson process on (0, tstop)."""
    times, t = [], 0.0
    while True:
        t += rng.expovariate(rate_hz / 1000.0)
        if t >= tstop_ms:
            return times
        times.append(round(t, 6))


def case_file(args):
    rng = random.Random(args.seed)
    cases = [{"name": f"{f:g}x threshold", "threshold_fraction": f} for f in THRESHOLD_FRACTIONS]
    for rate in EVENT_RATES_HZ:
        cases.append({"name": f"{rate} ev/s", "rate_hz": rate,
                      "event_times_ms": poisson_times(rate, TSTOP_MS, rng)})
    return {
        "cell_json": os.path.join(REF, "branched_cell.json"),
        "geometry_csv": os.path.join(REF, "branched_geometry.csv"),
        "tstop_ms": TSTOP_MS,
        "dt_ms": 0.025,
        "atol": 1e-3,
        "repeats": args.repeats,
        "bisection_rel": 1e-4,
        # On from 5 ms to past tstop: one step current, no off edge inside the run.
        "iclamp": {"section": "soma", "x": 0.5, "del_ms": 5.0, "dur_ms": 1e3},
        # Weight = weight_fraction x the weight at which one event fires the soma.
        "synapse": {"section": "dend1", "x": 0.7, "tau_ms": 2.0, "e_mV": 0.0, "weight_fraction": 0.5},
        "cases": cases,
    }


def crossover(rows):
    """Event rate (ev/s) where the Ranvier CVODE speedup falls to 1, log-interpolated."""
    syn = [(r["rate_hz"], r["fixed"]["wall_s"] / r["cvode"]["wall_s"]) for r in rows if "rate_hz" in r]
    for (r0, s0), (r1, s1) in zip(syn, syn[1:]):
        if s0 >= 1 > s1:
            f = math.log(s0) / (math.log(s0) - math.log(s1))
            return math.exp(math.log(r0) + f * (math.log(r1) - math.log(r0)))
    if syn and syn[0][1] < 1:
        return f"< {syn[0][0]}"
    return f"> {syn[-1][0]}" if syn else None


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build", default=os.path.join(ROOT, "build-benchvar"),
                    help="build directory holding bench/variable_bench")
    ap.add_argument("--repeats", type=int, default=10, help="runs per case and method; best wall time kept")
    ap.add_argument("--seed", type=int, default=20051, help="seed of the Poisson event times")
    ap.add_argument("--out", default=os.path.join(ROOT, "build-benchvar", "bench-variable"),
                    help="folder for cases.json and the results files")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    cases_path = os.path.join(args.out, "cases.json")
    ranvier_path = os.path.join(args.out, "ranvier.json")
    neuron_cases_path = os.path.join(args.out, "neuron_cases.json")
    neuron_path = os.path.join(args.out, "neuron.json")

    spec = case_file(args)
    with open(cases_path, "w") as f:
        json.dump(spec, f, indent=1)
    exe = os.path.join(args.build, "bench", "variable_bench")
    subprocess.run([exe, cases_path, ranvier_path], check=True)
    with open(ranvier_path) as f:
        ranvier = json.load(f)

    # NEURON gets exactly the amplitudes and weights Ranvier used.
    nspec = dict(spec, cases=[{"name": r["name"], "amp_nA": r["amp_nA"], "weight_uS": r["weight_uS"],
                               "event_times_ms": r.get("event_times_ms", [])} for r in ranvier["cases"]])
    with open(neuron_cases_path, "w") as f:
        json.dump(nspec, f, indent=1)
    subprocess.run([os.path.join(REF, "nrnpy.sh"), os.path.join(HERE, "neuron_variable.py"),
                    neuron_cases_path, neuron_path], check=True)
    with open(neuron_path) as f:
        neuron = {r["name"]: r for r in json.load(f)["cases"]}

    print(f"cell: branched (35 nodes), tstop {TSTOP_MS:g} ms, BE dt 0.025 ms, atol 1e-3, "
          f"best of {args.repeats}; threshold {ranvier['threshold_nA']:.5f} nA, "
          f"ExpSyn weight {ranvier['cases'][-1]['weight_uS']:.5f} uS "
          f"(0.5 x one-event threshold {ranvier['weight_threshold_uS']:.5f} uS)")
    head = ("case", "events", "R fix steps", "R fix ms", "R cv steps", "R cv ms", "speedup",
            "N fix ms", "N lvardt steps", "N lvardt ms", "N speedup", "spikes R f/cv N f/cv")
    fmt = "{:<15}{:>7}{:>12}{:>10}{:>11}{:>10}{:>9}{:>10}{:>15}{:>12}{:>10}  {}"
    print(fmt.format(*head))
    for r in ranvier["cases"]:
        n = neuron[r["name"]]
        fx, cv, nf, nv = r["fixed"], r["cvode"], n["fixed"], n["lvardt"]
        print(fmt.format(r["name"], len(r.get("event_times_ms", [])), fx["steps"], f"{fx['wall_s'] * 1e3:.3f}",
                         cv["steps"], f"{cv['wall_s'] * 1e3:.3f}", f"{fx['wall_s'] / cv['wall_s']:.1f}x",
                         f"{nf['wall_s'] * 1e3:.3f}", nv["steps"], f"{nv['wall_s'] * 1e3:.3f}",
                         f"{nf['wall_s'] / nv['wall_s']:.1f}x",
                         f"{fx['spikes']}/{cv['spikes']} {nf['spikes']}/{nv['spikes']}"))
    cross = crossover(ranvier["cases"])
    ncross = crossover([dict(r, fixed=neuron[r["name"]]["fixed"], cvode=neuron[r["name"]]["lvardt"])
                        for r in ranvier["cases"]])
    show = lambda c: f"{c:.0f} ev/s" if isinstance(c, float) else f"{c} ev/s"  # noqa: E731
    print(f"crossover (variable stops winning): Ranvier {show(cross)}, NEURON {show(ncross)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
