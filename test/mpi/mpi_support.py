"""Running `ranvier` under mpirun for the distributed tests (test/mpi/)."""

import json
import os
import pathlib
import shutil
import subprocess
import time

SOURCE = pathlib.Path(os.environ.get("RANVIER_SOURCE_DIR",
                                     pathlib.Path(__file__).resolve().parents[2]))
RANVIER = os.environ.get("RANVIER_BIN", str(SOURCE / "build" / "ranvier"))
MPI_BUILD = os.environ.get("RANVIER_MPI", "ON") == "ON"
MPIRUN = os.environ.get("RANVIER_MPIEXEC") or shutil.which("mpirun")

MODES = ["bsp-fixed", "bsp-variable", "async-fixed", "async-variable"]
# (model file, t_stop in ms): short enough that the whole matrix of
# 5 models x 4 modes x {1, 2, 4} processes x {1, 2} threads stays within a
# few minutes on two cores.
MODELS = {
    "brunel": (SOURCE / "test/data/models/mpi/brunel_small.toml", 100),
    "ring": (SOURCE / "examples/ring.toml", 50),
    "mixed": (SOURCE / "test/data/models/mpi/mixed.toml", 60),
    "sources": (SOURCE / "examples/sources.toml", 200),
    # short delays inside each half, long ones between (pairwise horizons)
    "halves": (SOURCE / "test/data/models/mpi/halves.toml", 60),
}


def mpirun_command(processes):
    """mpirun with as many processes as asked on any machine (--oversubscribe),
    also as root (CI runs as root; Open MPI refuses that by default)."""
    command = [MPIRUN, "--oversubscribe", "-np", str(processes)]
    if os.geteuid() == 0:
        command.insert(1, "--allow-run-as-root")
    return command


# In containers without ptrace rights Open MPI's shared-memory transport
# fails on its single-copy path ("Read -1, expected ..."): use plain copies.
MPI_ENV = {"OMPI_MCA_btl_vader_single_copy_mechanism": "none"}


def run_ranvier(args, processes=None, env=None, timeout=300):
    """`ranvier run ARGS`, directly (processes=None) or under mpirun -np N.
    Returns (completed process, seconds)."""
    command = [RANVIER, "run", *map(str, args), "--no-plot", "-q"]
    if processes is not None:
        command = mpirun_command(processes) + command
    start = time.monotonic()
    r = subprocess.run(command, capture_output=True, text=True, timeout=timeout,
                       env=dict(os.environ, **MPI_ENV, **(env or {})))
    return r, time.monotonic() - start


def summary(out):
    return json.loads((pathlib.Path(out) / "summary.json").read_text())
