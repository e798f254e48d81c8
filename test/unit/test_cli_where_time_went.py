"""`ranvier run` explains where time went, in every mode: summary.json's thread_work, advance_ms
and per_cell, and the console lines that show them (docs/outputs.md, "Where time went").
Timings are checked only for consistency (they are not deterministic); counts exactly."""

import json
import os
import pathlib
import re
import subprocess

import pytest

SOURCE = pathlib.Path(os.environ.get("RANVIER_SOURCE_DIR",
                                     pathlib.Path(__file__).resolve().parents[2]))
RANVIER = os.environ.get("RANVIER_BIN", str(SOURCE / "build" / "ranvier"))
# Spike sources, LIF cells and two HH cable cells (examples/sources.toml).
MIXED = SOURCE / "examples" / "sources.toml"
MODES = ["bsp-fixed", "bsp-variable", "async-fixed", "async-variable"]
SOURCE_CELLS = 202  # the drive (200) and stim (2) populations: they receive no events


def run_mixed(out, mode, threads):
    r = subprocess.run([RANVIER, "run", str(MIXED), "--mode", mode, "--t-stop", "100",
                        "--threads", str(threads), "--group-size", "20", "--out", str(out),
                        "--no-plot"], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    return r.stdout, json.loads((out / "summary.json").read_text())


@pytest.mark.parametrize("mode", MODES)
def test_summary_and_console_say_where_time_went(tmp_path, mode):
    threads = 2
    console, s = run_mixed(tmp_path / "out", mode, threads)
    wall = s["wall_time_s"]

    work = s["thread_work"]
    per_thread = work["per_thread"]
    assert len(per_thread) == threads
    for t in per_thread:
        assert t["busy_s"] >= 0 and t["wait_s"] >= 0
        # Both are measured inside the simulate time; 1 ms covers the clock reads around it.
        assert t["busy_s"] + t["wait_s"] <= wall["simulate"] + 1e-3, (t, wall)
    assert work["busy_s"] == pytest.approx(sum(t["busy_s"] for t in per_thread))
    assert work["wait_s"] == pytest.approx(sum(t["wait_s"] for t in per_thread))
    assert work["tasks"] == sum(t["tasks"] for t in per_thread) > 0
    assert 0 <= work["wait_fraction"] <= 1
    assert work["wait_fraction"] == pytest.approx(work["wait_s"] / (work["busy_s"] + work["wait_s"]))
    # The busiest thread over the mean: from 1 (balanced) to the number of threads.
    assert 1 <= work["imbalance"] <= threads + 1e-12

    adv = s["advance_ms"]
    assert adv["count"] > 0
    assert 0 < adv["min"] <= adv["median"] <= adv["p90"] <= adv["max"]
    assert adv["min"] <= adv["mean"] <= adv["max"]
    # Every group advances over the whole run once.
    assert adv["mean"] * adv["count"] == pytest.approx(100 * s["cell_groups"], rel=1e-9)

    per_cell = s["per_cell"]
    events = per_cell["events_delivered"]
    assert events["cells"] == s["cells"] - SOURCE_CELLS
    assert events["total"] == s["events_delivered"] > 0
    assert events["mean"] == pytest.approx(events["total"] / events["cells"])
    assert events["max"] >= events["mean"]
    assert SOURCE_CELLS <= events["max_gid"] < s["cells"]
    steps = per_cell["steps"]
    if mode.endswith("variable"):
        # CVODE steps of the two cable cells; event-driven LIF cells take none.
        assert steps["cells"] == 2
        assert steps["total"] == s["integrator"]["steps"]
        assert per_cell["restarts"]["total"] == s["integrator"]["restarts"]
    else:
        assert steps["cells"] == s["cells"] - SOURCE_CELLS
        assert steps["max"] == steps["mean"] == 100 / s["dt_ms"]
        assert "restarts" not in per_cell

    # The console shows the same figures.
    assert re.search(rf"threads: busy {work['busy_s']:.2f} s, waiting {work['wait_s']:.2f} s "
                     rf"\({100 * work['wait_fraction']:.0f}%\)", console), console
    assert f"group advances: {adv['count']}, median {adv['median']:.4g} ms" in console, console
    assert f"events mean {events['mean']:.1f}, max {events['max']} (gid {events['max_gid']})" \
        in console, console
    assert f"steps mean {steps['mean']:.1f}, max {steps['max']} (gid {steps['max_gid']})" \
        in console, console


@pytest.mark.parametrize("mode,runs", [
    # bsp: every spike is delivered, whatever the grouping.
    ("bsp-variable", ((1, "500"), (2, "7"))),
    # async: at the end a group has taken the spikes up to its own horizon, which
    # depends on its shortest delay, so only the threads may change.
    ("async-variable", ((1, "7"), (2, "7"))),
    ("async-fixed", ((1, "7"), (2, "7"))),
])
def test_per_cell_counts_do_not_depend_on_threads(tmp_path, mode, runs):
    """Counts are deterministic: the same per_cell whatever the threads."""
    seen = []
    for threads, group in runs:
        out = tmp_path / f"{threads}-{group}"
        r = subprocess.run([RANVIER, "run", str(MIXED), "--mode", mode, "--t-stop", "60",
                            "--threads", str(threads), "--group-size", group, "--out", str(out),
                            "--no-plot", "-q"], capture_output=True, text=True, timeout=300)
        assert r.returncode == 0, r.stderr
        s = json.loads((out / "summary.json").read_text())
        assert len(s["thread_work"]["per_thread"]) == threads
        assert s["per_cell"]["events_delivered"]["total"] > 0
        seen.append(s["per_cell"])
    assert seen[0] == seen[1]
