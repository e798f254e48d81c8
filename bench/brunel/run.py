#!/usr/bin/python3
"""Brunel benchmark driver: Ranvier against Brian2 C++ standalone on the full
Brunel network (examples/brunel.toml: 12500 cells, 15.6 M synapses, AI, 1 s).

  run.py [--ranvier build/ranvier] [--repeats 3] [--skip-brian] [--skip-regimes]

Runs `ranvier run examples/brunel.toml --threads N` for N = 1, 2 (median of
--repeats runs) and brian2_standalone.py for N = 1, 2 (once each), prints a
table and the Brian2/Ranvier wall-time ratio at equal threads, then a
full-size regime check: Ranvier's statistics in each of the 4 Brunel regimes
beside the Brian2 full-size reference (printed, not asserted).
"""

import argparse
import json
import pathlib
import statistics
import subprocess
import sys
import tempfile

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parents[1]
REF_DIR = ROOT / "test" / "validation" / "reference" / "brian2"
sys.path.insert(0, str(REF_DIR))
sys.path.insert(0, str(ROOT / "python"))

import brunel_params  # noqa: E402
from ranvier import stats  # noqa: E402

THREADS = (1, 2)
STAT_KEYS = ["mean_rate_hz", "cv_isi", "rate_cv", "fano_factor",
             "osc_freq_hz", "osc_rel_power"]


def run_ranvier(binary, model, threads, out_dir, mode="bsp-fixed"):
    subprocess.run([binary, "run", str(model), "--out", str(out_dir), "--mode", mode,
                    "--threads", str(threads), "--no-plot", "-q"], check=True,
                   stdout=subprocess.DEVNULL)
    return json.loads((pathlib.Path(out_dir) / "summary.json").read_text())


def ranvier_row(binary, threads, repeats, tmp, mode="bsp-fixed"):
    """Median over repeats of Ranvier's summary numbers."""
    runs = [run_ranvier(binary, ROOT / "examples" / "brunel.toml", threads,
                        tmp / f"r{mode}{threads}_{i}", mode) for i in range(repeats)]
    med = lambda f: statistics.median(f(s) for s in runs)  # noqa: E731
    last = runs[-1]
    return {
        "tool": "ranvier" if mode == "bsp-fixed" else f"ranvier {mode}", "threads": threads,
        "build_s": med(lambda s: s["wall_time_s"]["build"]),
        "sim_s": med(lambda s: s["wall_time_s"]["simulate"]),
        "rtf": med(lambda s: s["real_time_factor"]),
        "ns_per_event": med(lambda s: s["ns_per_event"]),
        "bytes_per_synapse": last["bytes_per_synapse"],
        "peak_mb": last["peak_memory_bytes"] / 2**20,
        "spikes": last["spikes"], "rate_hz": last["mean_rate_hz"],
    }


def brian_row(threads):
    out = subprocess.run([sys.executable, "-W", "ignore",
                          str(HERE / "brian2_standalone.py"),
                          "--threads", str(threads)],
                         check=True, capture_output=True, text=True).stdout
    b = json.loads(out[out.index("{"):])
    return {
        "tool": "brian2", "threads": threads, "build_s": b["build_s"],
        "sim_s": b["run_s"], "rtf": b["run_s"] / 1.0,
        "ns_per_event": b["ns_per_event"],
        "bytes_per_synapse": b["bytes_per_synapse"],
        "peak_mb": b["peak_rss_mb"], "spikes": b["spikes"],
        "rate_hz": b["mean_rate_hz"],
    }


def fmt(v, spec):
    return "-" if v is None else format(v, spec)


def print_table(rows):
    head = (f"{'tool':20} {'thr':>3} {'build s':>8} {'sim s':>8} {'RTF':>7} "
            f"{'ns/event':>9} {'B/syn':>7} {'peak MB':>8} {'spikes':>9} {'rate Hz':>8}")
    print(head)
    print("-" * len(head))
    for r in rows:
        print(f"{r['tool']:20} {r['threads']:>3} {fmt(r['build_s'], '8.2f')} "
              f"{fmt(r['sim_s'], '8.2f')} {fmt(r['rtf'], '7.2f')} "
              f"{fmt(r['ns_per_event'], '9.2f')} {fmt(r['bytes_per_synapse'], '7.1f')} "
              f"{fmt(r['peak_mb'], '8.0f')} {r['spikes']:>9} {fmt(r['rate_hz'], '8.2f')}")
    for t in THREADS:
        ran = [r for r in rows if r["tool"] == "ranvier" and r["threads"] == t]
        bri = [r for r in rows if r["tool"] == "brian2" and r["threads"] == t]
        if ran and bri:
            print(f"Brian2/Ranvier simulation wall time at {t} thread(s): "
                  f"{bri[0]['sim_s'] / ran[0]['sim_s']:.2f}")
        asy = [r for r in rows if r["tool"] == "ranvier async-fixed" and r["threads"] == t]
        if ran and asy:
            same = "same spikes" if asy[0]["spikes"] == ran[0]["spikes"] else "SPIKE COUNTS DIFFER"
            print(f"async-fixed/bsp-fixed simulation wall time at {t} thread(s): "
                  f"{asy[0]['sim_s'] / ran[0]['sim_s']:.2f} ({same})")


def regime_check(binary, tmp):
    """Ranvier's stats at full size per regime, beside the Brian2 reference."""
    ref = json.loads((REF_DIR / "brunel_full_reference.json").read_text())
    print("\nfull-size regime check (Ranvier, 2 threads, vs Brian2 reference, 1 seed each)")
    print(f"{'regime':8} " + " ".join(f"{k:>22}" for k in STAT_KEYS))
    for regime in brunel_params.REGIMES:
        p = brunel_params.network_params(regime, "full")
        model = tmp / f"{regime}.toml"
        model.write_text(brunel_params.model_toml(p, seed=7))
        out = tmp / f"regime_{regime}"
        run_ranvier(binary, model, 2, out)
        mine = stats.summarize(out / "spikes.csv", p["n_cells"],
                               p["t_start_stats_ms"], p["t_stop_ms"])
        theirs = ref["regimes"][regime]["stats"]
        cells = [f"{mine[k]:9.3g} vs {theirs[k]['mean']:9.3g}" for k in STAT_KEYS]
        print(f"{regime:8} " + " ".join(f"{c:>22}" for c in cells))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ranvier", default=str(ROOT / "build" / "ranvier"))
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--skip-brian", action="store_true")
    parser.add_argument("--skip-regimes", action="store_true")
    parser.add_argument("--also-async", action="store_true",
                        help="also time Ranvier's async-fixed mode (same spikes as bsp-fixed)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="ranvier_bench_") as tmp:
        tmp = pathlib.Path(tmp)
        rows = [ranvier_row(args.ranvier, t, args.repeats, tmp) for t in THREADS]
        if args.also_async:
            rows += [ranvier_row(args.ranvier, t, args.repeats, tmp, "async-fixed") for t in THREADS]
        if not args.skip_brian:
            rows += [brian_row(t) for t in THREADS]
        print_table(rows)
        if not args.skip_regimes:
            regime_check(args.ranvier, tmp)
    return 0


if __name__ == "__main__":
    sys.exit(main())
