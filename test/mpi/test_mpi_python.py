"""The Python module under mpirun: every process builds its part of one
network, rank 0 gets the spikes and traces (the same as one process), the
other ranks get empty results; statistics are the network's on every rank."""

import os
import subprocess
import sys

import pytest

from mpi_support import SOURCE, mpirun_command

SCRIPT = r"""
import json, sys
import ranvier
model = ranvier.load_model(sys.argv[1])
sim = ranvier.Simulation(model)
result = sim.run(40.0)
stats = sim.statistics
print(json.dumps({"rank": sim.rank, "processes": sim.processes,
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
    one = subprocess.run([sys.executable, script, model], capture_output=True, text=True, timeout=120)
    assert one.returncode == 0, one.stderr
    alone = __import__("json").loads(one.stdout)
    assert alone["processes"] == 1 and len(alone["gid"]) > 0 and alone["samples"] > 0
    r = subprocess.run(mpirun_command(2) + [sys.executable, script, model],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    by_rank = {d["rank"]: d for d in map(__import__("json").loads, r.stdout.splitlines())}
    assert sorted(by_rank) == [0, 1]
    root, other = by_rank[0], by_rank[1]
    assert root["processes"] == 2 and root["stat_processes"] == 2
    assert root["gid"] == alone["gid"] and root["time"] == alone["time"]
    assert root["samples"] == alone["samples"]
    assert other["gid"] == [] and other["samples"] == 0
    assert root["spikes"] == other["spikes"] == alone["spikes"]
