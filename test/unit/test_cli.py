"""The `ranvier` command line as a user meets it: help, outputs and their
format, errors for bad input (message names file, line and key; non-zero
exit), and an interrupted run leaving valid output."""

import csv
import json
import os
import pathlib
import resource
import shutil
import signal
import subprocess
import time

import pytest

SOURCE = pathlib.Path(os.environ.get("RANVIER_SOURCE_DIR",
                                     pathlib.Path(__file__).resolve().parents[2]))
RANVIER = os.environ.get("RANVIER_BIN", str(SOURCE / "build" / "ranvier"))

SMALL = """
[simulation]
t_stop = "200 ms"
dt = "0.1 ms"
seed = 3

[[population]]
name = "E"
size = 400
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
indegree = 40
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


def run(*args, **kw):
    return subprocess.run([RANVIER, *args], capture_output=True, text=True, timeout=300, **kw)


def test_help_documents_every_option():
    top = run("--help")
    assert top.returncode == 0 and "run" in top.stdout and "plot" in top.stdout
    sub = run("run", "--help")
    assert sub.returncode == 0
    for option in ("--out", "--threads", "--t-stop", "--seed", "--mode", "--dt", "--no-plot", "MODEL"):
        assert option in sub.stdout, option


def test_outputs_and_their_format(tmp_path):
    model = tmp_path / "small.toml"
    model.write_text(SMALL)
    out = tmp_path / "out"
    r = run("run", str(model), "--out", str(out), "--threads", "2", "--no-plot")
    assert r.returncode == 0, r.stderr
    rows = list(csv.reader((out / "spikes.csv").open()))
    assert rows[0] == ["gid", "time_ms"]
    spikes = [(float(t), int(g)) for g, t in rows[1:]]
    assert len(spikes) > 100
    assert spikes == sorted(spikes), "spikes must be sorted by time, then gid"
    assert all(0 <= g < 400 and 0 < t <= 200 for t, g in spikes)
    traces = list(csv.reader((out / "traces.csv").open()))
    assert traces[0] == ["gid", "probe", "time_ms", "value", "location"]
    assert {row[4] for row in traces[1:]} == {""}  # point neurons: no location
    assert {row[0] for row in traces[1:]} == {"0", "5"}
    assert len(traces) - 1 == 2 * 201  # two cells, every 1 ms from t = 0 (as NEURON records)
    assert traces[1][2] == "0.000000000"
    summary = json.loads((out / "summary.json").read_text())
    for key in ("cells", "synapses", "spikes", "mean_rate_hz", "wall_time_s", "real_time_factor",
                "peak_memory_bytes", "bytes_per_synapse", "events_delivered"):
        assert key in summary, key
    for phase in ("build", "update", "deliver", "communicate"):
        assert summary["wall_time_s"][phase] >= 0
    assert summary["cells"] == 400 and summary["synapses"] == 400 * 40
    assert summary["spikes"] == len(spikes)
    assert not summary["interrupted"]


def test_seed_and_threads_options(tmp_path):
    model = tmp_path / "small.toml"
    model.write_text(SMALL)
    outs = {}
    for name, extra in (("a", ["--threads", "1"]), ("b", ["--threads", "2"]),
                        ("c", ["--threads", "2", "--seed", "4"])):
        out = tmp_path / name
        assert run("run", str(model), "--out", str(out), "--no-plot", "-q", *extra).returncode == 0
        outs[name] = (out / "spikes.csv").read_text()
    assert outs["a"] == outs["b"], "spikes must not depend on the number of threads"
    assert outs["a"] != outs["c"], "--seed must change the run"


def test_bad_model_file_names_file_line_and_key(tmp_path):
    model = tmp_path / "bad.toml"
    model.write_text(SMALL.replace('tau_m = "20 ms"', 'tau_m = "20 mV"'))
    r = run("run", str(model), "--out", str(tmp_path / "o"), "--no-plot")
    assert r.returncode == 1
    assert str(model) in r.stderr and "tau_m" in r.stderr
    line = SMALL.splitlines().index('tau_m = "20 ms"') + 1
    assert f":{line}" in r.stderr, r.stderr


def test_unknown_mode_and_missing_file(tmp_path):
    # A wrong --mode is bad usage, found while parsing the options (exit 2),
    # before any model is read; the message lists the valid names.
    r = run("run", "--mode", "sideways", "--out", str(tmp_path / "o"), "--no-plot")
    assert r.returncode == 2, r.stderr
    assert "--mode" in r.stderr and "'sideways'" in r.stderr
    for mode in ("bsp-fixed", "bsp-variable", "async-fixed", "async-variable"):
        assert mode in r.stderr, r.stderr
    assert not (tmp_path / "o").exists(), "a rejected option must not run"
    r = run("run", "--scheme", "leapfrog", "--out", str(tmp_path / "o"), "--no-plot")
    assert r.returncode == 2 and "backward-euler" in r.stderr and "crank-nicolson" in r.stderr
    r = run("run", str(tmp_path / "missing.toml"))
    assert r.returncode != 0 and "missing.toml" in r.stderr


def test_interrupted_run_leaves_valid_output(tmp_path):
    model = tmp_path / "long.toml"
    model.write_text(SMALL.replace('t_stop = "200 ms"', 't_stop = "100000 ms"'))
    out = tmp_path / "out"
    p = subprocess.Popen([RANVIER, "run", str(model), "--out", str(out), "--no-plot"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(3.0)
    p.send_signal(signal.SIGINT)
    _, err = p.communicate(timeout=60)
    assert p.returncode == 130, err
    summary = json.loads((out / "summary.json").read_text())
    assert summary["interrupted"] and 0 < summary["t_reached_ms"] < 100000
    lines = (out / "spikes.csv").read_text().splitlines()
    assert lines[0] == "gid,time_ms" and len(lines) > 1
    for line in lines[1:]:
        g, t = line.split(",")
        int(g), float(t)  # every row whole
    assert len(lines) - 1 == summary["spikes"]
    assert float(lines[-1].split(",")[1]) <= summary["t_reached_ms"]


# ---- variable-step options (--atol, --rtol, --event-window, atol_scale) -------

RING = SOURCE / "examples" / "ring.toml"


def run_ring(out, *extra, model=RING, quiet=True):
    """examples/ring.toml for 20 ms in bsp-variable (well under a second)."""
    return run("run", str(model), "--mode", "bsp-variable", "--t-stop", "20",
               "--out", str(out), "--no-plot", *(["-q"] if quiet else []), *extra)


def test_variable_step_options_reach_the_summary(tmp_path):
    out = tmp_path / "out"
    r = run_ring(out, "--atol", "1e-4", "--event-window", "0.05")
    assert r.returncode == 0, r.stderr
    summary = json.loads((out / "summary.json").read_text())
    assert summary["mode"] == "bsp-variable"
    # The command-line values, not the model's defaults (1e-3, 0 ms).
    assert summary["atol"] == 1e-4
    assert summary["rtol"] == 0
    assert summary["event_window_ms"] == 0.05
    integrator = summary["integrator"]
    for key in ("steps", "rhs_evaluations", "linear_setups", "failed_steps", "restarts",
                "interpolated_restarts"):
        assert isinstance(integrator[key], int) and integrator[key] >= 0, key
    assert integrator["steps"] > 0
    # Every ring delivers a kick at 1 ms and a spike per hop: events restart CVODE.
    assert integrator["restarts"] > 0
    assert integrator["interpolated_restarts"] <= integrator["restarts"]
    assert integrator["rhs_evaluations"] >= integrator["steps"]


def test_variable_step_console_line(tmp_path):
    r = run_ring(tmp_path / "out", "--atol", "1e-4", "--rtol", "1e-6", quiet=False)
    assert r.returncode == 0, r.stderr
    assert "variable step (atol 0.0001, rtol 1e-06):" in r.stdout, r.stdout
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    # The line's counts are the summary's.
    assert f"{summary['integrator']['steps']} steps" in r.stdout, r.stdout
    assert f"{summary['integrator']['restarts']} restarts" in r.stdout, r.stdout


def test_fixed_step_summary_has_no_integrator(tmp_path):
    out = tmp_path / "out"
    r = run("run", str(RING), "--t-stop", "5", "--out", str(out), "--no-plot")
    assert r.returncode == 0, r.stderr
    summary = json.loads((out / "summary.json").read_text())
    assert summary["mode"] == "bsp-fixed"
    for key in ("atol", "rtol", "event_window_ms", "integrator"):
        assert key not in summary, key
    assert "wall time" in r.stdout and "variable step" not in r.stdout, r.stdout


def test_tighter_atol_takes_more_steps(tmp_path):
    steps = {}
    for atol in ("1e-3", "1e-5"):
        out = tmp_path / atol
        r = run_ring(out, "--atol", atol)
        assert r.returncode == 0, r.stderr
        summary = json.loads((out / "summary.json").read_text())
        assert summary["atol"] == float(atol)
        steps[atol] = summary["integrator"]["steps"]
    # BDF's local error scales like h^(q+1); 100x tighter needs clearly more
    # steps (docs/numerics-variable-step.md measured >2x on single cells), so a
    # strict inequality cannot pass by noise, and equality would mean --atol
    # was ignored.
    assert steps["1e-5"] > steps["1e-3"], steps


def test_bad_tolerance_options_are_rejected(tmp_path):
    for option, value in (("--atol", "0"), ("--atol", "-1"), ("--rtol", "-0.1"),
                          ("--event-window", "-1")):
        out = tmp_path / "out"
        r = run_ring(out, option, value)
        assert r.returncode == 2, (option, value, r.returncode)  # bad usage (docs/outputs.md)
        assert option in r.stderr and value in r.stderr, r.stderr
        assert len(r.stderr) < 400, "a short message, not CLI11's whole range of double"
        assert "must be a number" in r.stderr, r.stderr
        assert not (out / "summary.json").exists(), "a rejected option must not run"


def test_hybrid_stepping_options_reach_the_summary_and_console(tmp_path):
    out = tmp_path / "out"
    r = run_ring(out, "--hybrid", "--hybrid-window", "2", "--hybrid-cost", "20", quiet=False)
    assert r.returncode == 0, r.stderr
    summary = json.loads((out / "summary.json").read_text())
    hybrid = summary["hybrid"]
    assert hybrid["window_ms"] == 2 and hybrid["cvode_step_cost"] == 20
    # 16 cells, 20 ms in windows of 2 ms: 10 decisions per cell.
    assert hybrid["fixed_windows"] + hybrid["variable_windows"] == 16 * 10, hybrid
    assert hybrid["fixed_steps"] == hybrid["fixed_windows"] * 80, hybrid
    assert "hybrid stepping:" in r.stdout and f"{hybrid['switches']} switches" in r.stdout, r.stdout
    # Without --hybrid the block is absent.
    r = run_ring(tmp_path / "plain")
    assert "hybrid" not in json.loads((tmp_path / "plain" / "summary.json").read_text())


def test_hybrid_stepping_needs_whole_step_probe_intervals(tmp_path):
    # Cells in fixed windows sample at step ends: an interval of 0.03 ms at dt 0.025 ms would be
    # sampled at the wrong times there; without --hybrid the variable modes sample it exactly.
    model = tmp_path / "m.toml"
    text = RING.read_text().replace('mode = "bsp-fixed"', 'mode = "bsp-variable"', 1)
    model.write_text(text.replace(
        "[record]\n", '[record]\nprobes = [{ gids = [0], location = "soma(0.5)", variable = "v", interval = "0.03 ms" }]\n', 1))
    r = run_ring(tmp_path / "exact", model=model)
    assert r.returncode == 0, r.stderr
    r = run_ring(tmp_path / "hybrid", "--hybrid", model=model)
    assert r.returncode != 0
    assert "m.toml" in r.stderr and "whole number of time steps" in r.stderr and "hybrid" in r.stderr, r.stderr


def test_hybrid_stepping_bad_values_are_named(tmp_path):
    text = RING.read_text()
    for extra, key in (('hybrid = true\nhybrid_window = "-1 ms"\n', "hybrid_window"),
                       ("hybrid = true\nhybrid_cvode_step_cost = 0\n", "hybrid_cvode_step_cost"),
                       ('hybrid = true\nevent_window = "0.1 ms"\n', "hybrid"),
                       ("hybrid = 3\n", "hybrid")):
        model = tmp_path / "m.toml"
        model.write_text(text.replace("[simulation]\n", "[simulation]\n" + extra, 1))
        r = run_ring(tmp_path / "out", model=model)
        assert r.returncode != 0, extra
        assert "m.toml" in r.stderr and key in r.stderr, r.stderr
    r = run_ring(tmp_path / "out", "--hybrid-window", "0")
    assert r.returncode == 2 and "--hybrid-window" in r.stderr, r.stderr


def test_atol_scale_unknown_state_lists_valid_names(tmp_path):
    text = RING.read_text()
    assert '[simulation]\n' in text
    model = tmp_path / "ring_scaled.toml"
    model.write_text(text.replace('[simulation]\n',
                                  '[simulation]\natol_scale = { "hh.m" = 0.1, "hh.zz" = 2 }\n', 1))
    r = run_ring(tmp_path / "out", model=model)
    assert r.returncode == 1, r.stderr
    assert "'hh.zz'" in r.stderr, r.stderr
    assert "ring_scaled.toml:" in r.stderr, "the model file and line are named: " + r.stderr
    # The valid names of the ring's cells: v, the hh gates, ExpSyn's conductance.
    for name in ("v", "hh.m", "hh.h", "hh.n", "ExpSyn.g"):
        assert name in r.stderr.split("valid:", 1)[-1], (name, r.stderr)
    # A known name alone is accepted and changes the run.
    model.write_text(text.replace('[simulation]\n', '[simulation]\natol_scale = { v = 0.01 }\n', 1))
    out = tmp_path / "scaled"
    r = run_ring(out, model=model)
    assert r.returncode == 0, r.stderr
    plain = tmp_path / "plain"
    assert run_ring(plain).returncode == 0
    scaled_steps = json.loads((out / "summary.json").read_text())["integrator"]["steps"]
    plain_steps = json.loads((plain / "summary.json").read_text())["integrator"]["steps"]
    # v's atol 100x tighter: more steps (equality would mean atol_scale was ignored).
    assert scaled_steps > plain_steps, (scaled_steps, plain_steps)


def test_async_modes_write_the_same_files_as_bsp(tmp_path):
    """The command line's view of the determinism contract: the asynchronous modes write
    byte-identical spikes.csv to their bulk-synchronous counterparts (ring example, 40 ms,
    2 threads, small groups so that groups run apart)."""
    for bsp, asynchronous in (("bsp-fixed", "async-fixed"), ("bsp-variable", "async-variable")):
        files = []
        for mode in (bsp, asynchronous):
            out = tmp_path / mode
            r = run("run", str(RING), "--mode", mode, "--t-stop", "40", "--threads", "2",
                    "--group-size", "3", "--out", str(out), "--no-plot", "-q")
            assert r.returncode == 0, r.stderr
            summary = json.loads((out / "summary.json").read_text())
            assert summary["mode"] == mode and summary["t_reached_ms"] == 40
            files.append((out / "spikes.csv").read_bytes())
        assert files[0].count(b"\n") > 10, "the ring must spike"
        assert files[0] == files[1], (bsp, asynchronous)


def test_record_probes_on_cable_cells(tmp_path):
    """[record] probes: a gating variable and a dendritic voltage land in traces.csv, the same
    rows in bsp-variable and async-variable; a location outside the cell is named."""
    model = tmp_path / "ring_probes.toml"
    model.write_text(RING.read_text() + 'probes = [\n'
                     '  { gids = [0, 3], variable = "hh.m", location = "soma(0.5)", interval = "0.5 ms" },\n'
                     '  { gids = [0], variable = "v", location = "dend[3](0.5)", interval = "0.25 ms" },\n'
                     ']\n')
    traces = {}
    for mode in ("bsp-fixed", "bsp-variable", "async-variable"):
        out = tmp_path / mode
        r = run("run", str(model), "--mode", mode, "--t-stop", "10", "--out", str(out), "--no-plot", "-q")
        assert r.returncode == 0, r.stderr
        rows = list(csv.DictReader((out / "traces.csv").open()))
        traces[mode] = rows
        assert {(row["gid"], row["probe"], row["location"]) for row in rows} == {
            ("0", "hh.m", "soma(0.5)"), ("3", "hh.m", "soma(0.5)"), ("0", "v", "dend[3](0.5)")}
        assert len([row for row in rows if row["probe"] == "v"]) == 41  # 0, 0.25, ..., 10 ms
        m_values = [float(row["value"]) for row in rows if row["probe"] == "hh.m" and row["gid"] == "0"]
        assert max(m_values) > 0.9, "cell 0 fires in the first 10 ms: its m opens"
    assert traces["bsp-variable"] == traces["async-variable"]
    bad = tmp_path / "bad_probe.toml"
    bad.write_text(RING.read_text() + 'probes = [{ gids = [2], location = "dend[99](0.5)" }]\n')
    r = run("run", str(bad), "--t-stop", "1", "--out", str(tmp_path / "bad"), "--no-plot", "-q")
    assert r.returncode == 1 and "cell 2" in r.stderr and "dend[99]" in r.stderr, r.stderr


# ---- a full disk: every write is checked ----------------------------------------

@pytest.mark.parametrize("name", ["spikes.csv", "traces.csv", "summary.json.tmp"])
def test_full_disk_stops_the_run_naming_the_file(tmp_path, name):
    """Each output file in turn on a full device (/dev/full): exit 1, the message names the
    file and the operating system's reason; no summary.json claims a complete run."""
    model = tmp_path / "small.toml"
    model.write_text(SMALL)
    out = tmp_path / "out"
    out.mkdir()
    (out / name).symlink_to("/dev/full")
    r = run("run", str(model), "--out", str(out), "--no-plot", "-q")
    assert r.returncode == 1, (name, r.returncode, r.stderr)
    shown = name.removesuffix(".tmp")  # summary.json is written through a temporary file
    assert f"'{out / shown}'" in r.stderr and "No space left on device" in r.stderr, r.stderr
    assert not (out / "summary.json").exists()


def test_full_disk_while_drawing_leaves_no_partial_figure(tmp_path):
    """The figure is written under a temporary name and renamed: on a full disk the run's data
    are complete (exit 4, docs/outputs.md), the reason is given in one line, and no partial
    raster.png is left or listed."""
    out = tmp_path / "out"
    out.mkdir()
    (out / "raster.png.tmp").symlink_to("/dev/full")
    r = run("run", str(RING), "--t-stop", "5", "--out", str(out))
    assert r.returncode == 4, r.stderr
    assert f"{out / 'raster.png'}: No space left on device" in r.stderr, r.stderr
    assert "Traceback" not in r.stderr and "matplotlib installed" not in r.stderr, r.stderr
    assert not (out / "raster.png").exists()
    assert json.loads((out / "summary.json").read_text())["t_reached_ms"] == 5
    assert "raster.png" not in r.stdout, r.stdout


def test_file_size_limit_mid_run_keeps_whole_rows(tmp_path):
    """A write that fails part-way through a run (here the file size limit, EFBIG, as a stand-in
    for a disk filling up): the run stops with exit 1 naming the file and the reason, and
    spikes.csv keeps only whole rows."""
    model = tmp_path / "long.toml"
    model.write_text(SMALL.replace('t_stop = "200 ms"', 't_stop = "20000 ms"'))
    out = tmp_path / "out"
    limit = 48 * 1024

    def limit_file_size():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # fail the write instead of killing
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    r = subprocess.run([RANVIER, "run", str(model), "--out", str(out), "--no-plot", "-q"],
                       capture_output=True, text=True, timeout=300, preexec_fn=limit_file_size)
    assert r.returncode == 1, r.stderr
    assert "spikes.csv" in r.stderr and os.strerror(27) in r.stderr, r.stderr  # EFBIG
    assert "the run stopped at t = " in r.stderr, r.stderr
    text = (out / "spikes.csv").read_text()
    assert 0 < len(text) <= limit and text.endswith("\n")
    lines = text.splitlines()
    assert lines[0] == "gid,time_ms" and len(lines) > 100
    for line in lines[1:]:
        g, t = line.split(",")
        int(g), float(t)  # every row whole, to the last decimal
        assert len(t.split(".")[1]) == 9, line
    assert not (out / "summary.json").exists()


def test_console_summary_on_a_full_stdout_fails(tmp_path):
    model = tmp_path / "small.toml"
    model.write_text(SMALL)
    with open("/dev/full", "w") as full:
        r = subprocess.run([RANVIER, "run", str(model), "--out", str(tmp_path / "o"), "--no-plot"],
                           stdout=full, stderr=subprocess.PIPE, text=True, timeout=300)
    assert r.returncode == 1 and "standard output" in r.stderr and "No space left" in r.stderr


# ---- run limits, answered before building ----------------------------------------

@pytest.mark.parametrize("option,value", [("--t-stop", "1e308"), ("--t-stop", "1e18"),
                                          ("--dt", "1e-300"), ("--dt", "1e300"),
                                          ("--dt", "1e-11")])
def test_run_limits_on_the_command_line(tmp_path, option, value):
    """These used to exit 0 having simulated nothing, or die of bad_alloc (--dt 1e-11)."""
    out = tmp_path / "out"
    started = time.monotonic()
    r = run("run", str(RING), option, value, "--out", str(out), "--no-plot", "-q")
    assert r.returncode == 2, (option, value, r.returncode, r.stderr)
    assert r.stderr.startswith(option + ":") and f"{float(value):g}" in r.stderr, r.stderr
    # Says what would be right: the largest t_stop at this dt, or the range of dt.
    assert "use t_stop <=" in r.stderr or "from 1e-06 to 1000" in r.stderr, r.stderr
    assert time.monotonic() - started < 30
    assert not (out / "summary.json").exists(), "a rejected option must not run"


def test_run_limits_in_a_model_file(tmp_path):
    model = tmp_path / "long.toml"
    model.write_text(SMALL.replace('t_stop = "200 ms"', 't_stop = "1e18 ms"'))
    r = run("run", str(model), "--out", str(tmp_path / "o"), "--no-plot", "-q")
    assert r.returncode == 1, r.stderr
    line = SMALL.splitlines().index('t_stop = "200 ms"') + 1
    assert f"{model}:{line}:" in r.stderr and "t_stop" in r.stderr and "steps" in r.stderr, r.stderr
    model.write_text(SMALL.replace('dt = "0.1 ms"', 'dt = "1e-300 ms"'))
    r = run("run", str(model), "--out", str(tmp_path / "o"), "--no-plot", "-q")
    assert r.returncode == 1 and "'simulation.dt'" in r.stderr and "1e-06" in r.stderr, r.stderr


def test_a_network_larger_than_the_machine_is_rejected_before_building(tmp_path):
    """10^9 cells with 1000 connections each (8 TB of connection tables): used to build for
    minutes, up to 8 GB, before failing; now rejected at once, saying why."""
    model = tmp_path / "huge.toml"
    model.write_text(SMALL.replace("size = 400", "size = 1000000000")
                     .replace("indegree = 40", "indegree = 1000")
                     .replace("voltage = { gids = [0, 5], interval = \"1 ms\" }", ""))
    started = time.monotonic()
    r = run("run", str(model), "--out", str(tmp_path / "o"), "--no-plot", "-q")
    assert r.returncode == 1, r.stderr
    assert "needs at least" in r.stderr and "of this machine" in r.stderr, r.stderr
    assert "1000000000 cells" in r.stderr and "Nothing was built" in r.stderr, r.stderr
    assert time.monotonic() - started < 60


def test_negative_seed_is_rejected(tmp_path):
    r = run("run", str(RING), "--seed", "-1", "--out", str(tmp_path / "o"), "--no-plot", "-q")
    assert r.returncode == 2 and "--seed" in r.stderr and "'-1'" in r.stderr, r.stderr
    assert "18446744073709551615" in r.stderr  # the valid range
    r = run("run", str(RING), "--seed", "18446744073709551615", "--t-stop", "1",
            "--out", str(tmp_path / "o"), "--no-plot", "-q")
    assert r.returncode == 0, r.stderr
    assert json.loads((tmp_path / "o" / "summary.json").read_text())["seed"] == 2**64 - 1


def test_thread_limit_is_the_same_in_files_and_on_the_command_line(tmp_path):
    r = run("run", str(RING), "--threads", "1025", "--out", str(tmp_path / "o"), "--no-plot")
    assert r.returncode == 2 and "1024" in r.stderr, r.stderr
    model = tmp_path / "threads.toml"
    model.write_text(SMALL.replace("seed = 3", "seed = 3\nthreads = 1025"))
    r = run("run", str(model), "--out", str(tmp_path / "o"), "--no-plot")
    assert r.returncode == 1 and "threads" in r.stderr and "1024" in r.stderr, r.stderr
    for source in (["--threads", "1024"], []):
        model.write_text(SMALL.replace("seed = 3", "seed = 3\nthreads = 1024"))
        r = run("run", str(model), *source, "--t-stop", "2", "--out", str(tmp_path / "o"),
                "--no-plot", "-q")
        assert r.returncode == 0, r.stderr


# ---- no stale outputs ---------------------------------------------------------

def test_outputs_of_an_earlier_run_are_removed(tmp_path):
    """A raster.png, traces.png or summary.json of an earlier run does not survive a run that
    rewrites the data they describe, and the console lists only what this run wrote."""
    model = tmp_path / "long.toml"
    model.write_text(SMALL.replace('t_stop = "200 ms"', 't_stop = "100000 ms"'))
    out = tmp_path / "out"
    out.mkdir()
    for stale in ("raster.png", "traces.png", "summary.json"):
        (out / stale).write_text("from an earlier run")
    p = subprocess.Popen([RANVIER, "run", str(model), "--out", str(out)],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(2.0)
    p.send_signal(signal.SIGINT)
    stdout, err = p.communicate(timeout=60)
    assert p.returncode == 130, err
    assert not (out / "raster.png").exists() and not (out / "traces.png").exists()
    assert json.loads((out / "summary.json").read_text())["interrupted"]
    listed = [line for line in stdout.splitlines() if line.strip().startswith("output in")]
    assert listed == [f"  output in {out}/: spikes.csv, traces.csv, summary.json"], stdout

    # --no-plot: the old figures would not match the new spikes.csv either.
    for stale in ("raster.png", "traces.png"):
        (out / stale).write_text("from an earlier run")
    r = run("run", str(RING), "--t-stop", "5", "--out", str(out), "--no-plot")
    assert r.returncode == 0, r.stderr
    assert not (out / "raster.png").exists() and not (out / "traces.png").exists()
    assert "output in" in r.stdout and "raster.png" not in r.stdout, r.stdout

    # A complete run with plots lists the figure it drew.
    r = run("run", str(RING), "--t-stop", "5", "--out", str(out))
    assert r.returncode == 0, r.stderr
    assert (out / "raster.png").exists()
    assert f"output in {out}/: spikes.csv, traces.csv, summary.json, raster.png\n" in r.stdout


# ---- spike sources (examples/sources.toml) ------------------------------------

SOURCES = SOURCE / "examples" / "sources.toml"


@pytest.mark.parametrize("mode", ["bsp-fixed", "async-fixed", "bsp-variable", "async-variable"])
def test_sources_example_runs_in_every_mode(tmp_path, mode):
    """The example runs; its explicit-time sources (gids 200, 201) spike at their
    listed times, exactly in the variable-step modes and on the 0.1 ms grid
    (already the case for these times) in the fixed-step ones; its Poisson
    sources (gids 0..199) spike only in [start, stop) = [20, 450) ms."""
    out = tmp_path / "out"
    r = run("run", str(SOURCES), "--mode", mode, "--out", str(out), "--no-plot", "-q")
    assert r.returncode == 0, r.stderr
    rows = [line.split(",") for line in (out / "spikes.csv").read_text().splitlines()[1:]]
    spikes = [(int(g), float(t)) for g, t in rows]
    for gid in (200, 201):
        assert [t for g, t in spikes if g == gid] == [50.0, 150.0, 150.5, 300.0]
    poisson = [t for g, t in spikes if g < 200]
    # 200 cells at 10 Hz for 0.43 s: 860 expected (sd 29); 5 sd either way.
    assert abs(len(poisson) - 860) < 5 * 29.3
    assert min(poisson) > 20.0 and max(poisson) < 450.0 + 0.1
    # The sources drive the LIF and the cable cells.
    assert any(200 < g < 302 for g, _ in spikes) and any(g >= 302 for g, _ in spikes)


def test_record_spikes_false_keeps_only_the_header(tmp_path):
    # `[record] spikes = false` (docs/model-file.md) was ignored: spikes.csv
    # was written in full. Now it keeps its header only, while the run still
    # counts the spikes (summary.json) and runs the same network.
    text = (SOURCE / "examples" / "brunel.toml").read_text()
    assert "[record]\nspikes = true\n" in text
    model = tmp_path / "quiet.toml"
    model.write_text(text.replace("[record]\nspikes = true\n", "[record]\nspikes = false\n"))
    r = run("run", str(model), "--t-stop", "50", "--out", str(tmp_path / "off"), "--no-plot", "-q")
    assert r.returncode == 0, r.stderr
    lines = (tmp_path / "off" / "spikes.csv").read_text().splitlines()
    assert lines == ["gid,time_ms"], lines[:3]
    summary = json.loads((tmp_path / "off" / "summary.json").read_text())
    r = run("run", str(SOURCE / "examples" / "brunel.toml"), "--t-stop", "50",
            "--out", str(tmp_path / "on"), "--no-plot", "-q")
    assert r.returncode == 0, r.stderr
    rows = (tmp_path / "on" / "spikes.csv").read_text().splitlines()
    assert summary["spikes"] == len(rows) - 1 > 0


# ---- started by an MPI launcher (issue 11) ---------------------------------------
# With MPI (RANVIER_MPI=ON) real mpirun runs are tested in test/mpi/; here a
# launcher variable without a matching MPI world must be refused, never run
# N copies. Without MPI any launch of several processes is refused.
MPI_BUILD = os.environ.get("RANVIER_MPI", "OFF") == "ON"


def test_run_under_an_mpi_launcher_is_refused(tmp_path):
    for var in ("OMPI_COMM_WORLD_SIZE", "PMI_SIZE"):
        out = tmp_path / var
        env = dict(os.environ, **{var: "2"})
        r = subprocess.run([RANVIER, "run", str(RING), "--t-stop", "1", "--out", str(out), "--no-plot", "-q"],
                           capture_output=True, text=True, env=env, timeout=60)
        assert r.returncode != 0, var
        if MPI_BUILD:
            assert f"({var}=2), but MPI sees 1" in r.stderr, r.stderr
        else:
            assert f"{var}=2" in r.stderr and "no MPI support" in r.stderr and "--threads" in r.stderr, r.stderr
        assert not (out / "spikes.csv").exists(), "nothing may be simulated"
    # One process (as mpirun -np 1 says) runs normally.
    env = dict(os.environ, OMPI_COMM_WORLD_SIZE="1")
    r = subprocess.run([RANVIER, "run", str(RING), "--t-stop", "1", "--out", str(tmp_path / "one"), "--no-plot", "-q"],
                       capture_output=True, text=True, env=env, timeout=60)
    assert r.returncode == 0, r.stderr


@pytest.mark.skipif(MPI_BUILD, reason="an MPI build runs under mpirun (test/mpi/test_mpi.py)")
def test_real_mpirun_with_two_processes_is_refused(tmp_path):
    mpirun = shutil.which("mpirun")
    if mpirun is None:
        pytest.skip("openmpi-bin not installed")
    r = subprocess.run([mpirun, "--oversubscribe", "--allow-run-as-root", "-np", "2", RANVIER, "run", str(RING),
                        "--t-stop", "1", "--out", str(tmp_path / "out"), "--no-plot", "-q"],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode != 0
    assert "OMPI_COMM_WORLD_SIZE=2" in r.stderr and "no MPI support" in r.stderr, r.stderr
