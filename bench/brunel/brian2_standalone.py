#!/usr/bin/python3
"""Brian2 C++ standalone run of the full Brunel network (AI regime, 1 s), the
peer that bench/brunel/run.py compares Ranvier with. Prints one JSON object.

  brian2_standalone.py [--threads 1] [--regime AI] [--no-baseline]

The network is the one of test/validation/reference/brian2/brunel_brian2.py
(same step semantics as Ranvier). Timings:
  build_s   code generation + C++ compilation (wall clock around device.build)
  run_s     the simulation loop itself, Brian2's own timer (last_run_info.txt,
            measured inside the binary around Network::run)
  binary_s  the whole standalone binary (includes loading the connectivity)
  binary_cpu_s  its user+sys CPU time: far below binary_s * threads means
            the machine was busy and the timings are not to be trusted
Memory:
  peak_rss_mb        peak RSS of the standalone binary (getrusage of a wrapper
                     whose only child is the binary)
  bytes_per_synapse  (peak RSS with synapses - peak RSS of the same network
                     built with no synapses) / synapses: everything the
                     synapses cost at the peak (indices, spike queue, and the
                     connectivity arrays loaded from disk). The baseline needs
                     a second compilation; --no-baseline skips it.
Compiled projects go to a temporary directory that is removed afterwards.
"""

import argparse
import json
import pathlib
import sys
import tempfile
import time

HERE = pathlib.Path(__file__).resolve().parent
REF = HERE.parents[1] / "test" / "validation" / "reference" / "brian2"
sys.path.insert(0, str(REF))
sys.path.insert(0, str(HERE.parents[1] / "python"))

import brunel_params  # noqa: E402

# Runs the binary as the wrapper's only child and records its peak RSS (kB).
RSS_WRAPPER = ("import resource, subprocess, sys\n"
               "rc = subprocess.call(['./main'])\n"
               "use = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
               "open('results/peak_rss_kb.txt', 'w').write(str(use.ru_maxrss))\n"
               "open('results/cpu_s.txt', 'w').write(str(use.ru_utime + use.ru_stime))\n"
               "sys.exit(rc)\n")


def run_standalone(p, threads, seed, with_synapses=True):
    """Builds, compiles and runs one standalone project; returns a dict."""
    import brian2 as b2
    import brunel_brian2

    with tempfile.TemporaryDirectory(prefix="ranvier_brian2_") as project:
        b2.device.reinit()
        b2.device.activate()
        b2.set_device("cpp_standalone", directory=project, build_on_run=False)
        b2.prefs.devices.cpp_standalone.openmp_threads = threads
        b2.prefs.devices.cpp_standalone.run_cmd_unix = [sys.executable, "-c", RSS_WRAPPER]
        params = dict(p)
        if not with_synapses:
            params.update({"C_E": 0, "C_I": 0})
        objects, monitor, _ = brunel_brian2.build_network(params, seed)
        net = b2.Network(objects)
        net.run(p["t_stop_ms"] * b2.ms)
        t0 = time.perf_counter()
        b2.device.build(directory=project, compile=True, run=False,
                        with_output=False)
        t1 = time.perf_counter()
        b2.device.run(project, with_output=False, run_args=[])
        t2 = time.perf_counter()
        rss_kb = int(pathlib.Path(project, "results", "peak_rss_kb.txt").read_text())
        cpu_s = float(pathlib.Path(project, "results", "cpu_s.txt").read_text())
        synapses = sum(len(o) for o in objects if isinstance(o, b2.Synapses))
        spikes = int(monitor.num_spikes)
        result = {
            "threads": threads,
            "build_s": t1 - t0,
            "run_s": float(b2.device._last_run_time),
            "binary_s": t2 - t1,
            "binary_cpu_s": cpu_s,  # user+sys of the binary: shows contention
            "synapses": int(synapses),
            "spikes": spikes,
            "mean_rate_hz": spikes / (p["n_cells"] * p["t_stop_ms"] * 1e-3),
            "peak_rss_mb": rss_kb / 1024.0,
        }
        b2.device.reinit()
        b2.set_device("runtime")
        return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--regime", default="AI", choices=list(brunel_params.REGIMES))
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-baseline", action="store_true",
                        help="skip the no-synapse build (no bytes_per_synapse)")
    args = parser.parse_args()
    p = brunel_params.network_params(args.regime, "full")
    result = run_standalone(p, args.threads, args.seed)
    if not args.no_baseline:
        base = run_standalone(p, args.threads, args.seed, with_synapses=False)
        result["baseline_peak_rss_mb"] = base["peak_rss_mb"]
        result["bytes_per_synapse"] = ((result["peak_rss_mb"] - base["peak_rss_mb"])
                                       * 1024 * 1024 / result["synapses"])
    else:
        result["bytes_per_synapse"] = None
    result["ns_per_event"] = (result["run_s"] * 1e9
                              / max(result["spikes"] * (p["C_E"] + p["C_I"]), 1))
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
