"""NET_RECEIVE events under MPI: per-connection argument storage, net_send
self-events and net_event spikes (test/data/nmodl/events/) give spikes.csv
and traces.csv byte-identical to one process with one thread, for 1, 2 and
4 processes x 1 and 2 threads, in all four modes. Self-events never cross
processes and the storage lives with the target cell (docs/nmodl.md,
Events), so nothing may depend on the decomposition."""

import sys

import pytest

from mpi_support import MODES, SOURCE, run_ranvier

sys.path.insert(0, str(SOURCE / "test" / "validation"))
from test_net_receive_neuron import model_text  # noqa: E402  (the validation network)


@pytest.mark.parametrize("mode", MODES)
def test_events_bit_identical_for_1_2_4_processes(tmp_path, mode):
    model = tmp_path / f"{mode}.toml"
    # group_size 1: every cell its own group, so connections onto one cell
    # come from other groups and, with 2 and 4 processes, other processes.
    model.write_text(model_text(mode).replace("group_size = 2", "group_size = 1"))
    ref = tmp_path / "reference"
    r, _ = run_ranvier([model, "--threads", 1, "--out", ref])
    assert r.returncode == 0, r.stderr
    ref_spikes = (ref / "spikes.csv").read_bytes()
    ref_traces = (ref / "traces.csv").read_bytes()
    assert ref_spikes.count(b"\n") > 6  # A, B (net_event) and C fire
    for processes in (1, 2, 4):
        for threads in (1, 2):
            out = tmp_path / f"np{processes}_t{threads}"
            r, _ = run_ranvier([model, "--threads", threads, "--out", out], processes=processes)
            where = f"{mode}, {processes} processes x {threads} threads"
            assert r.returncode == 0, f"{where}: {r.stderr}"
            assert (out / "spikes.csv").read_bytes() == ref_spikes, f"{where}: spikes.csv differs"
            assert (out / "traces.csv").read_bytes() == ref_traces, f"{where}: traces.csv differs"
