"""Simulation(model, dry_run=N, dry_run_rank=K) (docs/scaling.md): the Python
module plays rank K of a pretend N-process run as `ranvier run --dry-run N
--dry-run-rank K` does: on a model of two identical halves rank K gets the
spikes of its half that the whole network gives, and statistics["dry_run"]
holds what the command line's summary.json says; bad worlds raise
ranvier.ModelError naming what is right.

Needs PYTHONPATH=<source>/python:<build>/python (ctest sets it) and RANVIER_BIN."""

import csv
import json
import os
import pathlib
import subprocess
import sys

import pytest

SOURCE = pathlib.Path(os.environ.get("RANVIER_SOURCE_DIR",
                                     pathlib.Path(__file__).resolve().parents[2]))
RANVIER = os.environ.get("RANVIER_BIN", str(SOURCE / "build" / "ranvier"))

if os.environ.get("RANVIER_PYTHON_MODULE_BUILT", "ON").upper() in ("OFF", "0", "FALSE"):
    pytest.skip("the build was configured without the Python module", allow_module_level=True)

import ranvier  # noqa: E402

sys.path.insert(0, str(SOURCE / "test" / "unit"))
from test_cli_dry_run import CELLS, SOURCES, identical_halves_model  # noqa: E402


def cli(model, out, *args):
    r = subprocess.run([RANVIER, "run", str(model), "--out", str(out), "--no-plot", "-q", *map(str, args)],
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    rows = list(csv.reader((out / "spikes.csv").open()))[1:]
    return [(int(g), t) for g, t in rows], json.loads((out / "summary.json").read_text())


@pytest.mark.parametrize("mode", ["bsp-fixed", "async-variable"])
def test_python_dry_run_equals_the_command_lines(tmp_path, mode):
    path = tmp_path / "halves.toml"
    path.write_text(identical_halves_model())
    half = SOURCES + CELLS
    whole, _ = cli(path, tmp_path / "whole", "--mode", mode)
    dry_cli, summary = cli(path, tmp_path / "dry", "--mode", mode, "--dry-run", 2, "--dry-run-rank", 1)

    model = ranvier.load_model(str(path))
    model.options.mode = mode
    sim = ranvier.Simulation(model, dry_run=2, dry_run_rank=1)
    assert sim.dry_run and sim.processes == 2 and sim.rank == 1
    result = sim.run(progress=False)
    # spikes.csv holds times with 9 decimals: compare in that form, exactly.
    mine = [(int(g), f"{t:.9f}") for g, t in zip(result.spikes.gid, result.spikes.time)]
    assert len(mine) > 300
    assert mine == [s for s in whole if half <= s[0] < 2 * half]
    assert mine == dry_cli

    d = sim.statistics["dry_run"]
    assert d["processes"] == 2 and d["rank"] == 1 and d["cells_per_process"] == half
    assert d["modelled_spikes"] > 0
    for key in ("processes", "rank", "cells_per_process", "modelled_spikes"):
        assert d[key] == summary["dry_run"][key], key


def test_without_dry_run_the_simulation_is_the_whole_network(tmp_path):
    path = tmp_path / "halves.toml"
    path.write_text(identical_halves_model())
    sim = ranvier.Simulation(ranvier.load_model(str(path)))
    assert not sim.dry_run and sim.processes == 1
    assert "dry_run" not in sim.statistics or not sim.statistics["dry_run"]


def test_bad_worlds_raise_model_errors_naming_what_is_right(tmp_path):
    path = tmp_path / "halves.toml"
    path.write_text(identical_halves_model())
    model = ranvier.load_model(str(path))
    with pytest.raises(ranvier.ModelError, match="at least 1 process"):
        ranvier.Simulation(model, dry_run=0)
    with pytest.raises(ranvier.ModelError, match="from 0 to 3"):
        ranvier.Simulation(model, dry_run=4, dry_run_rank=4)
    with pytest.raises(ranvier.ModelError, match="without dry_run"):
        ranvier.Simulation(model, dry_run_rank=1)
