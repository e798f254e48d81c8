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


@pytest.fixture
def tmp_path():
    path = pathlib.Path(tempfile.mkdtemp(prefix="ranvier-mpi-test-"))
    yield path
    shutil.rmtree(path, ignore_errors=True)
