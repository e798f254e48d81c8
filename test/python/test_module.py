"""The Python module `ranvier` (pybind11 extension ranvier._ranvier plus the
package python/ranvier/): its output equals the command line's for the same
model, runs continue exactly, options round-trip, model errors become
ranvier.ModelError naming the line, execution modes agree, statistics have
summary.json's counters, and Ctrl-C stops a run.

Needs PYTHONPATH=<source>/python:<build>/python (ctest sets it) and RANVIER_BIN."""

import csv
import json
import math
import os
import pathlib
import signal
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest

SOURCE = pathlib.Path(os.environ.get("RANVIER_SOURCE_DIR",
                                     pathlib.Path(__file__).resolve().parents[2]))
RANVIER = os.environ.get("RANVIER_BIN", str(SOURCE / "build" / "ranvier"))

if os.environ.get("RANVIER_PYTHON_MODULE_BUILT", "ON").upper() in ("OFF", "0", "FALSE"):
    pytest.skip("the build was configured without the Python module", allow_module_level=True)

import ranvier  # noqa: E402  (a missing extension must fail here, not skip)
from ranvier import _ranvier  # noqa: E402,F401

RING = str(SOURCE / "examples" / "ring.toml")

# A small LIF network with Poisson drive and two voltage probes: exercises
# spikes, traces and every LIF code path of both fixed-step engines.
SMALL = """
[simulation]
t_stop = "100 ms"
dt = "0.1 ms"
seed = 3

[[population]]
name = "E"
size = 200
cell = "lif"
synapse = "delta"
tau_m = "20 ms"
E_L = "0 mV"
V_th = "20 mV"
V_reset = "10 mV"
t_ref = "2 ms"
V_init = { distribution = "uniform", low = "0 mV", high = "20 mV" }

[[projection]]
source = "E"
target = "E"
rule = "fixed_indegree"
indegree = 20
weight = "0.2 mV"
delay = "1.5 ms"

[[poisson]]
target = "E"
rate = "25 Hz"
count = 1000
weight = "0.1 mV"

[record]
spikes = true
voltage = { gids = [0, 5], interval = "1 ms" }
"""


def run_cli(model_path, out_dir, *extra):
    done = subprocess.run([RANVIER, "run", str(model_path), "--out", str(out_dir), "--no-plot",
                           "--quiet", *extra], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return out_dir


def read_csv(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def spike_rows(result):
    # The CSV holds times with 9 decimals ("{:.9f}"): compare in that form, exactly.
    return [(int(g), f"{t:.9f}") for g, t in zip(result.spikes.gid, result.spikes.time)]


def test_ring_spikes_equal_command_line_output(tmp_path):
    model = ranvier.load_model(RING)
    model.t_stop = 30.0
    result = ranvier.Simulation(model).run()
    assert result.spikes.gid.dtype == np.int64 and result.spikes.time.dtype == np.float64
    # ring.toml: cell 0 fires at 1.8 ms, cell 7 at 14.4 ms, cell 0 again at
    # 16.275 ms, in both rings: well over 16 spikes by 30 ms.
    assert len(result.spikes) > 16

    run_cli(RING, tmp_path, "--t-stop", "30")
    cli = [(int(r["gid"]), r["time_ms"]) for r in read_csv(tmp_path / "spikes.csv")]
    assert spike_rows(result) == cli


def test_lif_spikes_and_traces_equal_command_line_output(tmp_path):
    model_path = tmp_path / "small.toml"
    model_path.write_text(SMALL)
    model = ranvier.parse_model(SMALL)
    result = ranvier.Simulation(model).run()
    run_cli(model_path, tmp_path / "out")

    cli_spikes = [(int(r["gid"]), r["time_ms"]) for r in read_csv(tmp_path / "out" / "spikes.csv")]
    assert len(cli_spikes) > 100  # ~25 Hz * 200 cells * 0.1 s = ~500
    assert spike_rows(result) == cli_spikes

    traces = result.traces
    cli_traces = read_csv(tmp_path / "out" / "traces.csv")
    assert set(np.unique(traces["gid"])) == {0, 5}
    assert len(traces["time"]) == len(cli_traces) > 150  # 2 probes * ~100 samples
    # traces.csv writes values with 17 significant digits: exact round trip.
    np.testing.assert_array_equal(traces["gid"], [int(r["gid"]) for r in cli_traces])
    np.testing.assert_array_equal(traces["value"], [float(r["value"]) for r in cli_traces])
    assert np.all(np.diff(traces["time"]) >= 0)


def test_continued_run_equals_one_run():
    model = ranvier.load_model(RING)
    whole = ranvier.Simulation(model).run(30.0)

    sim = ranvier.Simulation(model)
    first = sim.run(15.0)
    assert sim.t == pytest.approx(15.0)
    second = sim.run(30.0)
    assert (first.t_start, first.t_stop) == (0.0, pytest.approx(15.0))
    assert (second.t_start, second.t_stop) == (pytest.approx(15.0), pytest.approx(30.0))
    assert len(first.spikes) > 0 and len(second.spikes) > 0
    np.testing.assert_array_equal(np.concatenate([first.spikes.gid, second.spikes.gid]),
                                  whole.spikes.gid)
    np.testing.assert_array_equal(np.concatenate([first.spikes.time, second.spikes.time]),
                                  whole.spikes.time)
    assert sim.statistics["spikes"] == len(whole.spikes)
    with pytest.raises(ValueError, match="before the time already reached"):
        sim.run(10.0)


def test_spikes_sorted_by_time_then_gid():
    model = ranvier.parse_model(SMALL)
    spikes = ranvier.Simulation(model).run(50.0).spikes
    order = np.lexsort((spikes.gid, spikes.time))
    assert len(spikes) > 10
    np.testing.assert_array_equal(order, np.arange(len(spikes)))


def test_options_round_trip():
    model = ranvier.load_model(RING)
    assert model.options.mode == "bsp-fixed" and model.options.dt == 0.025  # from ring.toml
    assert model.t_stop == 100.0
    opts = model.options
    opts.mode = "async-variable"
    opts.dt = 0.05
    opts.threads = 2
    opts.seed = 7
    opts.group_size = 4
    opts.atol = 1e-4
    opts.rtol = 1e-6
    opts.event_window = 0.01
    opts.atol_scale = {"v": 0.5, "hh.m": 0.1}
    assert opts.hybrid is False and opts.hybrid_window == 5 and opts.hybrid_cvode_step_cost == 4
    opts.hybrid_window = 2.5
    opts.hybrid_cvode_step_cost = 6
    assert opts.scheme == "backward-euler"
    opts.scheme = "crank-nicolson"
    model.t_stop = 12.5
    expected = {"mode": "async-variable", "dt": 0.05, "threads": 2, "seed": 7, "group_size": 4,
                "atol": 1e-4, "rtol": 1e-6, "event_window": 0.01,
                "atol_scale": {"v": 0.5, "hh.m": 0.1}, "scheme": "crank-nicolson",
                "hybrid": False, "hybrid_window": 2.5, "hybrid_cvode_step_cost": 6.0}
    # `model.options` is the model's own object: edits through it stick.
    assert model.options.to_dict() == expected
    assert model.t_stop == 12.5
    # A simulation copies the model: its options are what it was built with.
    sim = ranvier.Simulation(model)
    assert sim.options == model.options
    model.options.seed = 8
    assert sim.options.seed == 7
    copy = model.copy()
    copy.options.threads = 1
    assert model.options.threads == 2
    with pytest.raises(ranvier.ModelError, match="valid modes are"):
        model.options.mode = "euler"
    with pytest.raises(ranvier.ModelError, match="valid schemes are"):
        opts.scheme = "cn"
    assert model.options.mode == "async-variable"


def test_bad_model_text_raises_model_error_with_line():
    broken_unit = '# a comment\n\n[simulation]\ndt = "0.1 parsecs"\n'
    with pytest.raises(ranvier.ModelError) as info:
        ranvier.parse_model(broken_unit, "bad.toml")
    assert "bad.toml:4" in str(info.value)
    assert isinstance(info.value, ValueError)

    broken_toml = '[simulation]\nt_stop = "10 ms"\ndt = \n'
    with pytest.raises(ranvier.ModelError, match=r"bad2\.toml:3"):
        ranvier.parse_model(broken_toml, "bad2.toml")

    with pytest.raises(ranvier.ModelError, match="does_not_exist.toml"):
        ranvier.load_model(str(SOURCE / "does_not_exist.toml"))
    with pytest.raises(ranvier.ModelError, match="brunel"):
        ranvier.builtin_model("nest")


def test_bad_option_raises_model_error_at_build():
    model = ranvier.parse_model(SMALL)
    model.options.dt = -1.0
    with pytest.raises(ranvier.ModelError, match="dt"):
        ranvier.Simulation(model)


def test_run_limits_raise_model_error_before_building():
    """The library's run limits reach Python: a bad dt or thread count at Simulation(), a run
    longer than the time grid at run(), a network larger than the machine before building."""
    for field, value, key in (("dt", 1e-300, "'dt'"), ("dt", 1e300, "'dt'"), ("dt", 1e-11, "'dt'"),
                              ("threads", 4096, "'threads'")):
        model = ranvier.parse_model(SMALL)
        setattr(model.options, field, value)
        with pytest.raises(ranvier.ModelError, match=key):
            ranvier.Simulation(model)
    sim = ranvier.Simulation(ranvier.parse_model(SMALL))
    for t_stop in (1e18, 1e308, float("inf")):
        with pytest.raises(ranvier.ModelError, match="t_stop"):
            sim.run(t_stop)
    assert sim.t == 0.0
    with pytest.raises(TypeError):
        sim.model.options.seed = -1  # seeds are unsigned
    huge = ranvier.parse_model(SMALL.replace("size = 200", "size = 1000000000")
                               .replace("indegree = 20", "indegree = 1000")
                               .replace('voltage = { gids = [0, 5], interval = "1 ms" }', ""))
    started = time.monotonic()
    with pytest.raises(ranvier.ModelError, match="needs at least .* of this machine"):
        ranvier.Simulation(huge)
    assert time.monotonic() - started < 60


@pytest.mark.parametrize("source", ["ring", "small"])
def test_bsp_and_async_fixed_give_identical_spikes(source):
    if source == "ring":
        model = ranvier.load_model(RING)
        model.t_stop = 30.0
    else:
        model = ranvier.parse_model(SMALL)
    model.options.mode = "bsp-fixed"
    bsp = ranvier.Simulation(model).run()
    model.options.mode = "async-fixed"
    model.options.threads = 2
    sim = ranvier.Simulation(model)
    asy = sim.run()
    assert sim.statistics["mode"] == "async-fixed" and sim.statistics["threads"] == 2
    assert len(bsp.spikes) > 16
    np.testing.assert_array_equal(bsp.spikes.gid, asy.spikes.gid)
    np.testing.assert_array_equal(bsp.spikes.time, asy.spikes.time)


def key_tree(d):
    """The keys of a JSON object, nested objects as sub-trees."""
    return {k: key_tree(v) if isinstance(v, dict) else None for k, v in d.items()}


def test_statistics_has_summary_counters():
    model = ranvier.load_model(RING)
    sim = ranvier.Simulation(model)
    result = sim.run(20.0)
    stats = sim.statistics
    expected = {"ranvier_version", "model", "mode", "threads", "seed", "dt_ms", "scheme",
                "t_stop_ms", "t_reached_ms", "interrupted", "cells", "cell_groups", "synapses",
                "spikes", "mean_rate_hz", "events_delivered", "wall_time_s", "real_time_factor",
                "ns_per_event", "deliver_ns_per_event", "peak_memory_bytes",
                "connection_table_bytes", "bytes_per_synapse", "table_bytes_per_synapse",
                "thread_work", "advance_ms", "per_cell", "processes", "load_imbalance", "per_process"}
    assert set(stats) == expected
    assert stats["processes"] == 1 and len(stats["per_process"]) == 1
    assert stats["per_process"][0]["cells"] == 16 and stats["per_process"][0]["compartments"] > 16
    assert set(stats["wall_time_s"]) == {"build", "update", "deliver", "communicate", "output",
                                         "simulate", "total"}
    assert stats["scheme"] == "backward-euler" and stats["model"] == RING
    assert stats["cells"] == 16 and stats["synapses"] == 16
    assert stats["spikes"] == len(result.spikes) > 0
    assert stats["t_reached_ms"] == pytest.approx(20.0) and stats["t_stop_ms"] == 20.0
    assert stats["interrupted"] is False
    assert stats["wall_time_s"]["update"] > 0
    assert stats["wall_time_s"]["total"] >= stats["wall_time_s"]["build"] + stats["wall_time_s"]["update"]
    assert "integrator" not in stats  # fixed step, as in summary.json
    assert [p["name"] for p in model.populations] == ["ring"] and model.num_cells == 16
    # Where time went: one thread, ring cells stepping at dt, every event counted per cell.
    assert len(stats["thread_work"]["per_thread"]) == 1 and stats["thread_work"]["tasks"] > 0
    assert stats["advance_ms"]["count"] > 0
    assert stats["per_cell"]["steps"]["max"] == round(20.0 / stats["dt_ms"])
    assert stats["per_cell"]["events_delivered"]["total"] == stats["events_delivered"]


@pytest.mark.parametrize("mode", ["bsp-fixed", "bsp-variable", "async-fixed", "async-variable"])
def test_statistics_have_the_keys_and_counts_of_summary_json(tmp_path, mode):
    """Simulation.statistics and summary.json come from one rendering: the same keys (nested
    too) in every mode, and the same counts for the same run."""
    model = ranvier.load_model(RING)
    model.options.mode = mode
    sim = ranvier.Simulation(model)
    sim.run(20.0)
    stats = sim.statistics
    run_cli(RING, tmp_path, "--t-stop", "20", "--mode", mode)
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert key_tree(stats) == key_tree(summary)
    for key in ("ranvier_version", "model", "mode", "threads", "seed", "dt_ms", "scheme",
                "t_stop_ms", "t_reached_ms", "interrupted", "cells", "cell_groups", "synapses",
                "spikes", "events_delivered", "mean_rate_hz", "connection_table_bytes"):
        assert stats[key] == summary[key], key
    if mode.endswith("variable"):
        assert stats["integrator"] == summary["integrator"]
        assert stats["integrator"]["steps"] > 0
    # Counts per cell are deterministic: the same in both (timings are not compared).
    assert stats["per_cell"] == summary["per_cell"]
    if mode.startswith("bsp"):  # async advance lengths follow the schedule
        assert stats["advance_ms"]["count"] == summary["advance_ms"]["count"]


def test_variable_step_counts_integrator_work():
    model = ranvier.load_model(RING)
    model.options.mode = "bsp-variable"
    sim = ranvier.Simulation(model)
    spikes = sim.run(20.0).spikes
    assert len(spikes) > 0
    assert sim.statistics["integrator"]["steps"] > 0


def test_stats_and_plot_helpers_on_known_spike_trains(tmp_path):
    """ranvier.stats on spike trains whose statistics are known exactly, and
    ranvier.plot writing real PNG files from them."""
    from ranvier import plot, stats
    # Cells 0-3 fire every 10 ms from 5 ms (ISI CV 0); cells 4-9 fire at 2,
    # 7, 22, 27, ..., 87 ms (ISIs alternating 5 and 15 ms). 10 spikes each in
    # [0, 100) ms plus one more at 102 or 105 ms, outside the window.
    rows = []
    for gid in range(4):
        rows += [(gid, 5.0 + 10.0 * k) for k in range(11)]
    for gid in range(4, 10):
        t, times = 2.0, []
        for k in range(11):
            times.append(t)
            t += 5.0 if k % 2 == 0 else 15.0
        rows += [(gid, x) for x in times]
    rows.sort(key=lambda r: (r[1], r[0]))
    path = tmp_path / "spikes.csv"
    path.write_text("gid,time_ms\n" + "".join(f"{g},{t:.10g}\n" for g, t in rows))

    gids, times = stats.load_spikes(path)
    assert gids.tolist() == [g for g, _ in rows] and times.tolist() == [t for _, t in rows]
    in_window = sum(1 for _, t in rows if t < 100.0)
    summary = stats.summarize(path, 10, 0.0, 100.0)
    assert summary["spikes_in_window"] == in_window
    assert summary["mean_rate_hz"] == pytest.approx(in_window / (10 * 0.1), rel=1e-12)
    # Per-cell CV (sd with 1/n over the cell's ISIs, / mean): 0 for the
    # regular cells; the alternating ones have ISIs 5 (x5) and 15 (x4) in the
    # window: mean 85/9, variance 1025/9 - (85/9)^2 = 2000/81, CV sqrt(2000)/85.
    expected_cv = (4 * 0.0 + 6 * math.sqrt(2000) / 85) / 10
    assert summary["cv_isi"] == pytest.approx(expected_cv, rel=1e-12)
    assert summary["cv_isi_neurons"] == 10
    # Population counts in 1 ms bins: each spike in its bin, none lost.
    counts = stats.population_counts((gids, times), 0.0, 100.0)
    assert counts.size == 100 and counts.sum() == in_window
    assert counts[5] == 4 and counts[2] == 6  # four regular cells at 5 ms, six others at 2 ms
    # No spikes at all: rates 0, CV undefined (nan), made strict-JSON safe.
    empty = stats.summarize_spikes((np.zeros(0, np.int64), np.zeros(0)), 10, 0.0, 100.0)
    assert empty["mean_rate_hz"] == 0.0 and np.isnan(empty["cv_isi"])
    assert stats.json_safe(empty)["cv_isi"] is None

    raster = tmp_path / "raster.png"
    plot.raster(path, raster, n_cells=10)
    assert raster.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and raster.stat().st_size > 1000


def test_ctrl_c_stops_a_long_run(tmp_path):
    script = textwrap.dedent(f"""
        import sys, ranvier
        model = ranvier.parse_model({SMALL!r})
        sim = ranvier.Simulation(model)
        print("running", flush=True)
        try:
            sim.run(1e7)  # hours of work
        except KeyboardInterrupt:
            r = sim.last_result
            print("stopped", sim.t, r.interrupted, r.t_stop, len(r.spikes), flush=True)
            sys.exit(0)
        print("not interrupted", flush=True)
        sys.exit(1)
    """)
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=os.environ.copy())
    assert proc.stdout.readline().strip() == "running"
    time.sleep(1.0)
    started = time.monotonic()
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert time.monotonic() - started < 10  # stops at the end of an epoch, not at t_stop
    word, t, interrupted, t_stop, n = out.split()
    assert word == "stopped" and interrupted == "True"
    assert 0 < float(t) < 1e7 and float(t_stop) == float(t) and int(n) > 0


def test_populations_name_the_cell_kind_of_spike_sources():
    """Model.populations gives each population's cell as the model file writes it."""
    model = ranvier.load_model(str(SOURCE / "examples" / "sources.toml"))
    assert [(p["name"], p["cell"], p["size"], p["first_gid"]) for p in model.populations] == [
        ("drive", "poisson_source", 200, 0), ("stim", "spike_source", 2, 200),
        ("E", "lif", 100, 202), ("soma", "cable", 2, 302)]
    sim = ranvier.Simulation(model)
    result = sim.run(100.0)
    assert len(result.spikes) > 0


def test_record_spikes_false_returns_no_spikes():
    # `[record] spikes = false`: the run's spikes are counted, not returned
    # (as the command line keeps spikes.csv to its header).
    text = (SOURCE / "examples" / "brunel.toml").read_text()
    assert "[record]\nspikes = true\n" in text
    quiet = ranvier.parse_model(text.replace("[record]\nspikes = true\n", "[record]\nspikes = false\n"))
    sim = ranvier.Simulation(quiet)
    result = sim.run(20.0)
    assert len(result.spikes.gid) == 0 and len(result.spikes.time) == 0
    loud = ranvier.Simulation(ranvier.parse_model(text)).run(20.0)
    assert sim.statistics["spikes"] == len(loud.spikes.gid) > 0
