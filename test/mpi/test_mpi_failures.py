"""A failure anywhere ends a distributed run promptly with a message naming
the process and the cause; nothing hangs (every run has a time bound).
RANVIER_TEST_FAULT (apps/ranvier/run_command.cpp) injects a failure into one
process once its cells are built, while the others already wait in the
first spike exchange."""

import pytest

from mpi_support import MODELS, SOURCE, run_ranvier, summary

# A failed run must end well within this (the runs here take ~1-2 s).
BOUND_S = 30


@pytest.mark.parametrize("mode", ["bsp-fixed", "async-variable"])
def test_an_error_on_one_process_ends_every_process(tmp_path, mode):
    path, _ = MODELS["brunel"]
    r, seconds = run_ranvier([path, "--mode", mode, "--t-stop", 50, "--out", tmp_path / "out"],
                             processes=2, env={"RANVIER_TEST_FAULT": "1:throw"}, timeout=BOUND_S * 4)
    assert seconds < BOUND_S, f"took {seconds:.1f} s"
    assert r.returncode == 1, r.stderr
    assert "ranvier: process 1 of 2: error: RANVIER_TEST_FAULT" in r.stderr, r.stderr
    assert not (tmp_path / "out" / "summary.json").exists()


def test_a_killed_process_ends_the_run(tmp_path):
    path, _ = MODELS["ring"]
    r, seconds = run_ranvier([path, "--t-stop", 30, "--out", tmp_path / "out"],
                             processes=4, env={"RANVIER_TEST_FAULT": "2:kill"}, timeout=BOUND_S * 4)
    assert seconds < BOUND_S, f"took {seconds:.1f} s"
    assert r.returncode != 0
    # mpirun names the process and the signal.
    assert "rank 2" in r.stderr and "signal 9" in r.stderr, r.stderr


def test_a_model_error_seen_by_every_process_is_reported_once_per_process(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text((SOURCE / "test/data/models/mpi/mixed.toml").read_text()
                   .replace('mechanism = "hh"', 'mechanism = "hhh"'))
    r, seconds = run_ranvier([bad, "--out", tmp_path / "out"], processes=2, timeout=BOUND_S * 4)
    assert seconds < BOUND_S, f"took {seconds:.1f} s"
    assert r.returncode == 1, r.stderr
    assert "of 2: error: " in r.stderr and "hhh" in r.stderr, r.stderr


def test_summary_reports_every_process(tmp_path):
    path, _ = MODELS["ring"]
    ref = tmp_path / "one"
    r, _ = run_ranvier([path, "--t-stop", 10, "--out", ref])
    assert r.returncode == 0, r.stderr
    out = tmp_path / "two"
    r, _ = run_ranvier([path, "--t-stop", 10, "--out", out], processes=2)
    assert r.returncode == 0, r.stderr
    one, two = summary(ref), summary(out)
    assert one["processes"] == 1 and two["processes"] == 2
    # The ring's 16 identical cells: split by cost, 8 each; every compartment counted once.
    assert [p["cells"] for p in two["per_process"]] == [8, 8]
    assert sum(p["compartments"] for p in two["per_process"]) == one["per_process"][0]["compartments"] > 16
    for p in two["per_process"]:
        assert p["peak_memory_bytes"] > 0 and p["busy_s"] > 0 and p["update_s"] > 0
        for key in ("build_s", "communicate_s", "wait_s"):
            assert p[key] >= 0
    assert two["load_imbalance"] >= 1


def test_cost_decides_the_split_of_a_mixed_network(tmp_path):
    # 60 LIF cells (cost 1 + 5/64 each with their expected events) then 6
    # cable cells of 6 compartments and 2 mechanisms (cost 2.5 * (6 * 3 + 1)
    # + 6/64 = 47.6 each, ~286 in all): by cost the first process takes
    # every LIF cell and some cable cells, not half the gids.
    path, _ = MODELS["mixed"]
    out = tmp_path / "out"
    r, _ = run_ranvier([path, "--t-stop", 5, "--out", out], processes=2)
    assert r.returncode == 0, r.stderr
    cells = [p["cells"] for p in summary(out)["per_process"]]
    assert cells[0] > 33 and sum(cells) == 66, cells


def test_an_interrupted_run_keeps_whole_sorted_rows(tmp_path):
    """mpirun passes Ctrl-C (SIGINT) on and ends the processes: spikes.csv
    keeps the rows flushed so far, whole, sorted and equal to one process's."""
    import os
    import signal
    import subprocess
    import time

    from mpi_support import MPI_ENV, RANVIER, mpirun_command
    path, _ = MODELS["brunel"]
    ref = tmp_path / "ref"
    r, _ = run_ranvier([path, "--t-stop", 300, "--out", ref])
    assert r.returncode == 0, r.stderr
    out = tmp_path / "out"
    run = subprocess.Popen(mpirun_command(2) + [RANVIER, "run", str(path), "--t-stop", "1000000",
                                                "--out", str(out), "--no-plot", "-q"],
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                           env=dict(os.environ, **MPI_ENV))
    spikes = out / "spikes.csv"
    deadline = time.monotonic() + BOUND_S
    # Wait until rows beyond 300 ms are on disk (rows are flushed every second).
    while time.monotonic() < deadline:
        rows = spikes.read_text().splitlines() if spikes.exists() else []
        if len(rows) > 1 and "," in rows[-1] and float(rows[-1].split(",")[1]) > 300:
            break
        time.sleep(0.2)
    else:
        run.kill()
        pytest.fail("no spikes beyond 300 ms were written in time")
    start = time.monotonic()
    run.send_signal(signal.SIGINT)
    try:
        run.wait(timeout=BOUND_S)
    except subprocess.TimeoutExpired:
        run.kill()
        pytest.fail("the interrupted run did not end")
    assert time.monotonic() - start < BOUND_S
    text = spikes.read_text()
    assert text.endswith("\n"), "only whole rows"
    rows = [tuple(line.split(",")) for line in text.splitlines()[1:]]
    keys = [(float(t), int(g)) for g, t in rows]
    assert keys == sorted(keys)
    expected = [line for line in (ref / "spikes.csv").read_text().splitlines()[1:]
                if float(line.split(",")[1]) < 300]
    got = [line for line in text.splitlines()[1:] if float(line.split(",")[1]) < 300]
    assert got == expected


TWO_CELLS = """
[simulation]
t_stop = "20 ms"
dt = "0.1 ms"
seed = 5

[[population]]
name = "E"
size = 2
synapse = "exp"
tau_m = "20 ms"
tau_syn_ex = "2 ms"
tau_syn_in = "5 ms"

[[projection]]
source = "E"
target = "E"
rule = "all_to_all"
weight = "100 pA"
delay = "1 ms"

[[poisson]]
target = "E"
rate = "2000 Hz"
count = 1
weight = "300 pA"

[record]
spikes = true
voltage = { gids = [0, 1], interval = "1 ms" }
"""


@pytest.mark.parametrize("mode", ["bsp-fixed", "bsp-variable", "async-fixed", "async-variable"])
def test_more_processes_than_cells(tmp_path, mode):
    """Processes without cells take part in every exchange and end with the others."""
    model = tmp_path / "two.toml"
    model.write_text(TWO_CELLS)
    r, _ = run_ranvier([model, "--mode", mode, "--out", tmp_path / "one"])
    assert r.returncode == 0, r.stderr
    r, seconds = run_ranvier([model, "--mode", mode, "--out", tmp_path / "four"], processes=4,
                             timeout=BOUND_S * 4)
    assert r.returncode == 0, r.stderr
    assert seconds < BOUND_S
    assert sorted(p["cells"] for p in summary(tmp_path / "four")["per_process"]) == [0, 0, 1, 1]
    for name in ("spikes.csv", "traces.csv"):
        assert (tmp_path / "four" / name).read_bytes() == (tmp_path / "one" / name).read_bytes(), name
    assert summary(tmp_path / "one")["spikes"] > 0
