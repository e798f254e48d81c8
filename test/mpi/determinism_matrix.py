"""The distributed determinism check shared by test_mpi_determinism_*.py:
spikes.csv and traces.csv of a model must be byte-identical to one process
with one thread for 1, 2 and 4 processes, each with 1 and 2 threads."""

from mpi_support import MODELS, run_ranvier, summary


def check_model_in_mode(tmp_path, model, mode):
    path, t_stop = MODELS[model]
    common = [path, "--mode", mode, "--t-stop", t_stop]
    ref = tmp_path / "reference"
    r, _ = run_ranvier([*common, "--threads", 1, "--out", ref])
    assert r.returncode == 0, r.stderr
    ref_spikes = (ref / "spikes.csv").read_bytes()
    ref_traces = (ref / "traces.csv").read_bytes()
    ref_summary = summary(ref)
    assert ref_summary["spikes"] > 0, "a test network must spike"
    for processes in (1, 2, 4):
        for threads in (1, 2):
            out = tmp_path / f"np{processes}_t{threads}"
            r, _ = run_ranvier([*common, "--threads", threads, "--out", out], processes=processes)
            where = f"{model}, {mode}, {processes} processes x {threads} threads"
            assert r.returncode == 0, f"{where}: {r.stderr}"
            assert (out / "spikes.csv").read_bytes() == ref_spikes, f"{where}: spikes.csv differs"
            assert (out / "traces.csv").read_bytes() == ref_traces, f"{where}: traces.csv differs"
            s = summary(out)
            assert s["processes"] == processes, where
            assert len(s["per_process"]) == processes, where
            # The processes own disjoint contiguous ranges covering the network.
            first = 0
            for p in s["per_process"]:
                assert p["first_gid"] == first, where
                first += p["cells"]
            assert first == s["cells"] == ref_summary["cells"], where
            for key in ("spikes", "synapses", "events_delivered"):
                assert s[key] == ref_summary[key], f"{where}: {key}"
