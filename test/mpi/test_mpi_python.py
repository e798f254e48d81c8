"""The Python module under mpirun: every process builds its part of one
network, rank 0 gets the spikes and traces (the same as one process), the
other ranks get empty results; statistics are the network's on every rank."""

import json
import os
import subprocess
import sys

import pytest

from mpi_support import MPI_ENV, SOURCE, mpirun_command

SCRIPT = r"""
import json, sys
import ranvier
model = ranvier.load_model(sys.argv[1])
sim = ranvier.Simulation(model)
result = sim.run(40.0)
stats = sim.statistics
# One file per rank: mpirun interleaves long lines of several processes' stdout.
with open(f"{sys.argv[2]}/rank{sim.rank}.json", "w") as out:
    out.write(json.dumps({"rank": sim.rank, "processes": sim.processes,
                          "gid": [int(g) for g in result.spikes.gid],
                          "time": [float(t) for t in result.spikes.time],
                          "samples": len(result.traces["time"]),
                          "stat_processes": stats["processes"], "spikes": stats["spikes"]}))
"""


@pytest.mark.skipif(os.environ.get("RANVIER_PYTHON_MODULE_BUILT", "ON") != "ON",
                    reason="the Python module was not built")
def test_python_under_mpirun(tmp_path):
    script = tmp_path / "run.py"
    script.write_text(SCRIPT)
    model = SOURCE / "test/data/models/mpi/mixed.toml"
    (tmp_path / "one").mkdir()
    (tmp_path / "two").mkdir()
    one = subprocess.run([sys.executable, script, model, tmp_path / "one"], capture_output=True, text=True,
                         timeout=120)
    assert one.returncode == 0, one.stderr
    alone = json.loads((tmp_path / "one" / "rank0.json").read_text())
    assert alone["processes"] == 1 and len(alone["gid"]) > 0 and alone["samples"] > 0
    r = subprocess.run(mpirun_command(2) + [sys.executable, str(script), str(model), str(tmp_path / "two")],
                       capture_output=True, text=True, timeout=120, env=dict(os.environ, **MPI_ENV))
    assert r.returncode == 0, r.stderr
    by_rank = {}
    for rank in (0, 1):
        d = json.loads((tmp_path / "two" / f"rank{rank}.json").read_text())
        by_rank[d["rank"]] = d
    assert sorted(by_rank) == [0, 1]
    root, other = by_rank[0], by_rank[1]
    assert root["processes"] == 2 and root["stat_processes"] == 2
    assert root["gid"] == alone["gid"] and root["time"] == alone["time"]
    assert root["samples"] == alone["samples"]
    assert other["gid"] == [] and other["samples"] == 0
    assert root["spikes"] == other["spikes"] == alone["spikes"]


DRY_UNDER_MPIRUN = r"""
import sys
import ranvier
try:
    ranvier.Simulation(ranvier.load_model(sys.argv[1]), dry_run=4)
except ranvier.ModelError as e:
    print("refused:", e)
    sys.exit(3)
"""


@pytest.mark.skipif(os.environ.get("RANVIER_PYTHON_MODULE_BUILT", "ON") != "ON",
                    reason="the Python module was not built")
def test_a_python_dry_run_under_mpirun_is_refused(tmp_path):
    script = tmp_path / "dry.py"
    script.write_text(DRY_UNDER_MPIRUN)
    model = SOURCE / "test/data/models/mpi/mixed.toml"
    r = subprocess.run(mpirun_command(2) + [sys.executable, str(script), str(model)],
                       capture_output=True, text=True, timeout=120, env=dict(os.environ, **MPI_ENV))
    assert r.returncode != 0
    assert "a dry run is one process" in r.stdout and "mpirun started 2 processes" in r.stdout, r.stdout + r.stderr
