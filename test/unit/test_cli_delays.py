"""Connection delays against the time step on the command line: --dt larger
than a delay is rejected in the fixed-step modes (it was silently rounded to
one step), naming the model file's line and key (check_run_options, after the
command line's options; models built through the C++ API get the engine's
message naming the connection's gids: connection_index_test); the
variable-step modes take the delay exactly."""

import os
import pathlib
import subprocess

SOURCE = pathlib.Path(os.environ.get("RANVIER_SOURCE_DIR",
                                     pathlib.Path(__file__).resolve().parents[2]))
RANVIER = os.environ.get("RANVIER_BIN", str(SOURCE / "build" / "ranvier"))

MODEL = """
[simulation]
t_stop = "20 ms"
dt = "0.1 ms"
seed = 3

[[population]]
name = "E"
size = 20
cell = "lif"
synapse = "delta"

[[projection]]
source = "E"
target = "E"
rule = "fixed_indegree"
indegree = 2
weight = "0.2 mV"
delay = "1.5 ms"
"""


def run(*args):
    return subprocess.run([RANVIER, *args], capture_output=True, text=True, timeout=120)


def test_delay_shorter_than_dt_is_rejected_in_fixed_step_modes(tmp_path):
    model = tmp_path / "m.toml"
    model.write_text(MODEL)
    for mode in ("bsp-fixed", "async-fixed"):
        r = run("run", str(model), "--dt", "2", "--mode", mode, "--out", str(tmp_path / mode),
                "--no-plot", "-q")
        assert r.returncode == 1, r.stderr
        assert "m.toml:19: 'projection.delay'" in r.stderr, r.stderr
        assert "delays must be at least dt = 2 ms in mode " + mode in r.stderr, r.stderr
    r = run("run", str(model), "--dt", "2", "--mode", "bsp-variable", "--out", str(tmp_path / "v"),
            "--no-plot", "-q")
    assert r.returncode == 0, r.stderr


def test_delay_beyond_the_step_limit_is_reported(tmp_path):
    model = tmp_path / "m.toml"
    model.write_text(MODEL.replace('delay = "1.5 ms"', 'delay = "7000 ms"'))
    r = run("run", str(model), "--out", str(tmp_path / "o"), "--no-plot", "-q")
    assert r.returncode == 1, r.stderr
    assert "delay 7000 ms is 70000 steps of dt = 0.1 ms" in r.stderr, r.stderr
    assert "6553.5 ms at this dt" in r.stderr, r.stderr
