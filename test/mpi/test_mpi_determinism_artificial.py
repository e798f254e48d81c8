"""Artificial cells (IntervalFire, test/validation/test_artificial_neuron.py's
network, with and without exact ties of events) under MPI: spikes.csv and
traces.csv (m of two cells)
byte-identical to one process with one thread, for 1, 2 and 4 processes x 1
and 2 threads, in all four modes. Self-events and their moves stay in the
cell's own group, and events act in the canonical order, so nothing may
depend on the decomposition."""

import sys

import pytest

from mpi_support import MODES, SOURCE, run_ranvier

sys.path.insert(0, str(SOURCE / "test" / "validation"))
from test_artificial_neuron import model_text  # noqa: E402  (the validation network)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("round_delays", (False, True))
def test_artificial_bit_identical_for_1_2_4_processes(tmp_path, mode, round_delays):
    model = tmp_path / f"{mode}.toml"
    # group_size 1: every cell its own group, so with 2 and 4 processes
    # connections cross processes.
    model.write_text(model_text(mode, group_size=1, round_delays=round_delays))
    ref = tmp_path / "reference"
    r, _ = run_ranvier([model, "--threads", 1, "--out", ref])
    assert r.returncode == 0, r.stderr
    ref_spikes = (ref / "spikes.csv").read_bytes()
    ref_traces = (ref / "traces.csv").read_bytes()
    assert ref_spikes.count(b"\n") > 60
    for processes in (1, 2, 4):
        for threads in (1, 2):
            out = tmp_path / f"np{processes}_t{threads}"
            r, _ = run_ranvier([model, "--threads", threads, "--out", out], processes=processes)
            where = f"{mode}, {processes} processes x {threads} threads"
            assert r.returncode == 0, f"{where}: {r.stderr}"
            assert (out / "spikes.csv").read_bytes() == ref_spikes, f"{where}: spikes.csv differs"
            assert (out / "traces.csv").read_bytes() == ref_traces, f"{where}: traces.csv differs"
