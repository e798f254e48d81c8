#!/usr/bin/python3
"""Brian2 reference simulation of the Brunel (2000) delta-synapse network with
exactly Ranvier's (= NEST iaf_psc_delta's) step semantics, and the script that
regenerates brunel_scaled_reference.json and brunel_full_reference.json.

Per step of dt, for every neuron (Brian2 schedule slot in brackets):
  [start]             free = (refractory counter r == 0); if free,
                      V <- E_L + (V - E_L) exp(-dt/tau_m) (E_L = 0); else r -= 1
  [before_thresholds] V += weight of every recurrent spike arriving this step,
                      and + J * Poisson(C_E nu_ext dt) external events,
                      both multiplied by `free` (input is discarded while
                      refractory; V stays clamped at V_r)
  [thresholds]        spike if V >= theta (refractory cells sit at V_r < theta)
  [resets]            V <- V_r, r <- tau_rp/dt = 20 steps
Brian2's own `refractory=` is not used: it would give 19 clamped steps (its
spike stamp is the step start) and does not discard input.

Delay: Brian2's synaptic pathway, moved to `before_thresholds`, pushes the
spikes of the *previous* step's threshold, so a delay of D - dt in Brian2 is
applied exactly D/dt steps after the spiking step, as in NEST/Ranvier (a
spike in step k, stamped (k+1) dt, is added to V in step k + D/dt). This is
checked by `check_delay()` (`brunel_brian2.py check`). Spike times written to
spikes.csv are Brian2's t + dt, Ranvier's stamp at the step end.

Connectivity: fixed in-degree; each neuron draws C_E sources uniformly from
all N_E excitatory and C_I from all N_I inhibitory neurons, independently
with replacement (autapses and multapses allowed, as NEST's fixed_indegree
default).

Usage:
  brunel_brian2.py run --regime AI [--size scaled|full] [--seed 1] [--out DIR]
  brunel_brian2.py reference --size scaled [--seeds 5]   (writes the JSON)
  brunel_brian2.py reference --size full
  brunel_brian2.py check
"""

import argparse
import json
import os
import pathlib
import sys
import time

import numpy as np

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parents[3] / "python"))

import brunel_params  # noqa: E402
from ranvier import stats  # noqa: E402

STAT_KEYS = ["mean_rate_hz", "cv_isi", "fano_factor", "rate_cv",
             "osc_freq_hz", "osc_rel_power"]


def fixed_indegree_sources(rng, n_targets, n_sources, indegree, offset):
    """(pre, post) index arrays: each target draws `indegree` sources."""
    pre = rng.integers(0, n_sources, size=(n_targets, indegree),
                       dtype=np.int32) + offset
    post = np.repeat(np.arange(n_targets, dtype=np.int32), indegree)
    return pre.ravel(), post


def build_network(p, seed):
    """Brian2 objects of the network for parameters p (see brunel_params).

    Returns (objects list, spike monitor, neuron group). Uses the current
    Brian2 device; the caller runs it."""
    import brian2 as b2

    b2.seed(seed)  # Brian2's own RNG: the Poisson input
    rng = np.random.default_rng(seed)  # connectivity and initial V
    dt = p["dt_ms"] * b2.ms
    b2.defaultclock.dt = dt
    n = p["N_E"] + p["N_I"]
    ref_steps = int(round(p["tau_rp_ms"] / p["dt_ms"]))
    ns = {
        "decay": float(np.exp(-p["dt_ms"] / p["tau_m_ms"])),
        "theta": p["theta_mV"] * b2.mV,
        "V_r": p["V_r_mV"] * b2.mV,
        "ref_steps": ref_steps,
        "J_E": p["J_mV"] * b2.mV,
        "J_I": -p["g"] * p["J_mV"] * b2.mV,
        "lam_ext": p["C_E"] * p["nu_ext_hz"] * p["dt_ms"] * 1e-3,
    }
    group = b2.NeuronGroup(
        n, "v : volt\nr : integer\nfree : integer",
        threshold="v >= theta",
        reset="v = V_r\nr = ref_steps",
        method="exact", namespace=ns, name="neurons")
    group.v = rng.uniform(0.0, p["theta_mV"], size=n) * b2.mV
    group.r = 0
    group.free = 1
    decay = group.run_regularly(
        "free = int(r == 0)\nv = v * (free * decay + (1 - free))\nr = r - 1 + free",
        when="start", name="decay")
    external = group.run_regularly(
        "v += free * J_E * poisson(lam_ext)",
        when="before_thresholds", order=0, name="external")
    objects = [group, decay, external]
    for label, n_src, indeg, offset, weight in (
            ("exc", p["N_E"], p["C_E"], 0, "J_E"),
            ("inh", p["N_I"], p["C_I"], p["N_E"], "J_I")):
        if indeg == 0:
            continue
        syn = b2.Synapses(group, group, on_pre=f"v_post += free_post * {weight}",
                          delay=(p["D_ms"] - p["dt_ms"]) * b2.ms,
                          namespace=ns, name=f"syn_{label}")
        pre, post = fixed_indegree_sources(rng, n, n_src, indeg, offset)
        syn.connect(i=pre, j=post)
        syn.pre.when = "before_thresholds"
        syn.pre.order = 1
        objects.append(syn)
    monitor = b2.SpikeMonitor(group, name="spikes")
    objects.append(monitor)
    return objects, monitor, group


def write_spikes_csv(path, gids, times_ms):
    """Ranvier's spikes.csv format: gid,time_ms sorted by time then gid."""
    order = np.lexsort((gids, times_ms))
    data = np.column_stack([gids[order], times_ms[order]])
    np.savetxt(path, data, fmt=["%d", "%.1f"], delimiter=",",
               header="gid,time_ms", comments="")


def run_runtime(p, seed, out_dir=None):
    """Simulates in Brian2 runtime (Cython) mode; returns (stats, timings)."""
    import brian2 as b2

    b2.start_scope()
    b2.prefs.codegen.target = "cython"
    t0 = time.perf_counter()
    objects, monitor, _ = build_network(p, seed)
    net = b2.Network(objects)
    t1 = time.perf_counter()
    net.run(p["t_stop_ms"] * b2.ms)
    t2 = time.perf_counter()
    gids = np.asarray(monitor.i[:], dtype=np.int64)
    # Brian2 stamps the step start; Ranvier (and NEST) the step end
    times = np.asarray(monitor.t[:] / b2.ms) + p["dt_ms"]
    times = np.round(times / p["dt_ms"]) * p["dt_ms"]
    if out_dir is not None:
        os.makedirs(out_dir, exist_ok=True)
        write_spikes_csv(os.path.join(out_dir, "spikes.csv"), gids, times)
    result = stats.summarize_spikes((gids, times), p["n_cells"],
                                    p["t_start_stats_ms"], p["t_stop_ms"])
    return result, {"build_s": t1 - t0, "run_s": t2 - t1}


def check_delay():
    """Asserts the step semantics on two neurons: neuron 0 starts above
    threshold, spikes in step 0 (stamp dt) and must reach neuron 1 in step
    D/dt; refractoriness must last tau_rp/dt steps. Raises on failure."""
    import brian2 as b2

    b2.start_scope()
    b2.prefs.codegen.target = "numpy"
    p = brunel_params.network_params("AI", "scaled")
    p.update({"N_E": 2, "N_I": 0, "C_E": 0, "C_I": 0, "nu_ext_hz": 0.0})
    objects, monitor, group = build_network(p, seed=1)
    group.v = [25.0, 0.0] * b2.mV
    syn = b2.Synapses(group, group, on_pre="v_post += free_post * 1*mV",
                      delay=(p["D_ms"] - p["dt_ms"]) * b2.ms)
    syn.connect(i=0, j=1)
    syn.pre.when = "before_thresholds"
    trace = b2.StateMonitor(group, "v", record=True, when="end")
    net = b2.Network(objects + [syn, trace])
    net.run(5 * b2.ms)
    v1 = trace.v[1] / b2.mV
    arrival = int(np.argmax(v1 > 0))  # first step whose end shows the input
    expected = int(round(p["D_ms"] / p["dt_ms"]))
    assert list(monitor.i) == [0], list(monitor.i)
    assert int(round(monitor.t[0] / b2.ms / p["dt_ms"])) == 0
    assert arrival == expected, (arrival, expected)
    v0 = trace.v[0] / b2.mV
    ref = int(round(p["tau_rp_ms"] / p["dt_ms"]))
    assert np.all(v0[1:ref + 1] == p["V_r_mV"]), v0[:ref + 2]
    assert v0[ref + 1] < p["V_r_mV"], v0[:ref + 2]  # decays from step ref+1
    print(f"ok: input arrives in step {arrival}, clamped steps 1..{ref}")


def aggregate(runs):
    """Mean and (sample) std over seeds of every statistic."""
    out = {}
    for key in STAT_KEYS:
        values = np.array([r[key] for r in runs], dtype=float)
        out[key] = {"mean": float(np.nanmean(values)),
                    "std": float(np.nanstd(values, ddof=1)) if len(values) > 1 else None,
                    "values": [float(v) for v in values]}
    return out


def make_reference(size, seeds, out_path):
    import brian2 as b2

    doc = {"generator": "test/validation/reference/brian2/brunel_brian2.py",
           "brian2_version": b2.__version__, "size": size,
           "seeds": list(seeds), "regimes": {}}
    for regime in brunel_params.REGIMES:
        p = brunel_params.network_params(regime, size)
        runs, walls = [], []
        for seed in seeds:
            result, timing = run_runtime(p, seed)
            runs.append(result)
            walls.append(timing)
            print(regime, seed, json.dumps({k: round(result[k], 4) for k in STAT_KEYS}),
                  f"build {timing['build_s']:.1f}s run {timing['run_s']:.1f}s",
                  flush=True)
        doc["regimes"][regime] = {
            "params": p, "stats": aggregate(runs),
            "wall_s": {"build": float(np.mean([w["build_s"] for w in walls])),
                       "run": float(np.mean([w["run_s"] for w in walls]))}}
    with open(out_path, "w") as f:
        json.dump(stats.json_safe(doc), f, indent=1)
        f.write("\n")
    print("wrote", out_path)


def main():
    parser = argparse.ArgumentParser(description="Brian2 Brunel reference")
    sub = parser.add_subparsers(dest="cmd", required=True)
    run = sub.add_parser("run", help="one run; prints stats JSON")
    run.add_argument("--regime", choices=list(brunel_params.REGIMES), default="AI")
    run.add_argument("--size", choices=["scaled", "full"], default="scaled")
    run.add_argument("--seed", type=int, default=1)
    run.add_argument("--J", type=float, default=None, help="override J (mV)")
    run.add_argument("--out", help="directory for spikes.csv")
    ref = sub.add_parser("reference", help="regenerate a reference JSON")
    ref.add_argument("--size", choices=["scaled", "full"], required=True)
    ref.add_argument("--seeds", type=int, default=None,
                     help="number of seeds (default 5 scaled, 1 full)")
    sub.add_parser("check", help="verify the step semantics on 2 neurons")
    args = parser.parse_args()

    if args.cmd == "check":
        check_delay()
    elif args.cmd == "run":
        p = brunel_params.network_params(args.regime, args.size, args.J)
        result, timing = run_runtime(p, args.seed, args.out)
        result.update(timing)
        print(json.dumps(result, indent=2))
    else:
        n = args.seeds or (5 if args.size == "scaled" else 1)
        make_reference(args.size, range(1, n + 1),
                       HERE / f"brunel_{args.size}_reference.json")
    return 0


if __name__ == "__main__":
    sys.exit(main())
