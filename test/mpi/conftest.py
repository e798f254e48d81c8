"""A private temporary directory per test, replacing pytest's tmp_path here:
pytest keeps its numbered directories under /tmp/pytest-of-<user>/ and
removes all but the newest three when a session starts, so on a machine
where several test sessions run at once (CI, several developers as root) a
long test could lose its directory mid-run. These tests run for a while
(mpirun) and write their outputs there."""

import pathlib
import shutil
import tempfile

import pytest

from mpi_support import MPI_BUILD, MPIRUN


def pytest_collection_modifyitems(config, items):
    """Built without MPI (RANVIER_MPI=OFF) there is nothing to run here: a
    launch of several processes is refused, which test/unit/test_cli.py
    checks. With MPI, mpirun must exist (openmpi-bin, scripts/setup.sh)."""
    if not MPI_BUILD:
        skip = pytest.mark.skip(reason="built without MPI (RANVIER_MPI=OFF)")
        for item in items:
            item.add_marker(skip)
    elif not MPIRUN:
        raise pytest.UsageError("Ranvier was built with MPI but mpirun is not installed (openmpi-bin)")


@pytest.fixture
def tmp_path():
    path = pathlib.Path(tempfile.mkdtemp(prefix="ranvier-mpi-test-"))
    yield path
    shutil.rmtree(path, ignore_errors=True)
