"""ARTIFICIAL_CELL and net_move against NEURON 8.2: NEURON's demo
invlfire.mod (IntervalFire: net_send, net_event, net_move, flag, FUNCTIONs,
m solved analytically in NET_RECEIVE), copied unchanged to
test/data/nmodl/artificial/, translated and compiled by Ranvier (mechanisms
= [...] in a model file, cell = "artificial") and by NEURON's nrnivmodl, on
the network of reference/neuron/artificial_network.py (reference in
reference/neuron/artificial/, remade by make_artificial_reference.sh).

Both simulators act every event of an artificial cell at its exact time in
both steppings (NEURON's fixed step and CVODE give identical spike times,
recorded in the reference), so all four modes are compared with NEURON's
spikes. The model is analytic: m(t) = minf + (m0 - minf) exp(-(t - t0)/tau)
and the self-event time tau log((minf - m)/(minf - 1)) are the same formulas
in the same order; what remains is roundoff: Ranvier's exp (guarded_exp,
within 1 ulp of std::exp) against NEURON's, and in the fixed step the
sources' spikes stamped at k dt (a few ulp from the written times). A spike
time is computed from at most a few dozen earlier events, each adding a few
ulp of relative error to O(100 ms) times: held to 1e-10 ms (measured values
printed), while a wrong event order or a missed net_move moves spikes by
0.1 to 10 ms. Spike times are compared at full precision through the Python
module (spikes.csv keeps 1e-9 ms); the command line's files (spikes.csv,
traces.csv) are compared byte for byte between bsp and async, threads and
group sizes. IntervalFire's m is probed on two cells (the value
NET_RECEIVE stored, as NEURON's Vector.record(&m, 0.25)): held to 1e-12,
except at samples where an input event arrives at exactly the sample's
time (one of 802 here: 13.21 + 1.29 ms = 14.5 ms), where Ranvier samples
before the event in every mode and NEURON's queue decides.
"""

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
NEURON_DIR = SOURCE / "test" / "validation" / "reference" / "neuron"
REFERENCE = NEURON_DIR / "artificial" / "spikes.json"
MOD = SOURCE / "test" / "data" / "nmodl" / "artificial"
sys.path.insert(0, str(NEURON_DIR))
from artificial_network import CELLS, CONNECTIONS, DT, FIRST_CELL, PROBED, SAMPLE, SOURCES, T_STOP  # noqa: E402

TOLERANCE_MS = 1e-10


def model_text(mode, threads=1, group_size=0, round_delays=False):
    text = f"""mechanisms = ["{MOD}"]

[simulation]
t_stop = "{T_STOP} ms"
dt = "{DT} ms"
mode = "{mode}"
threads = {threads}
"""
    if group_size:
        text += f"group_size = {group_size}\n"
    for k, times in enumerate(SOURCES):
        text += f"""
[[population]]
name = "s{k}"
size = 1
cell = "spike_source"
times = [{", ".join(f'"{t} ms"' for t in times)}]
"""
    for k, (tau, invl) in enumerate(CELLS):
        text += f"""
[[population]]
name = "f{k}"
size = 1
cell = "artificial"
mechanism = "IntervalFire"
tau = "{tau} ms"
invl = "{invl} ms"
"""
    for source, target, weight, delay in CONNECTIONS:
        if round_delays:  # 1.03 -> 1.0, 2.07 -> 2.0, ...: exact ties of events
            delay = round(delay * 4) / 4
        name = f"s{source}" if source < FIRST_CELL else f"f{source - FIRST_CELL}"
        text += f"""
[[projection]]
source = "{name}"
target = "f{target - FIRST_CELL}"
rule = "all_to_all"
weight = {weight}
delay = "{delay} ms"
"""
    gids = ", ".join(str(FIRST_CELL + k) for k in PROBED)
    text += f"""
[record]
spikes = true
probes = [{{ gids = [{gids}], variable = "m", interval = "{SAMPLE} ms" }}]
"""
    return text


def ranvier(tmp_path, mode, threads=1, group_size=0, round_delays=False):
    tag = f"{mode}-{threads}-{group_size}-{round_delays}"
    model = tmp_path / f"{tag}.toml"
    model.write_text(model_text(mode, threads, group_size, round_delays))
    out = tmp_path / f"out-{tag}"
    r = subprocess.run([RANVIER, "run", str(model), "-o", str(out), "--no-plot", "-q"],
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    spikes = {gid: [] for gid in range(FIRST_CELL, FIRST_CELL + len(CELLS))}
    with open(out / "spikes.csv") as f:
        for row in csv.DictReader(f):
            if int(row["gid"]) in spikes:
                spikes[int(row["gid"])].append(float(row["time_ms"]))
    return spikes, (out / "spikes.csv").read_bytes() + (out / "traces.csv").read_bytes()


def precise(tmp_path, mode, traces=None):
    """Spike times of the model in `mode` at full precision (the Python module);
    with `traces` (a dict), its m samples by gid too."""
    if os.environ.get("RANVIER_PYTHON_MODULE_BUILT", "ON").upper() in ("OFF", "0", "FALSE"):
        pytest.skip("the Python module is not built")
    import ranvier
    model = tmp_path / f"precise-{mode}.toml"
    model.write_text(model_text(mode))
    result = ranvier.Simulation(ranvier.load_model(str(model))).run(progress=False)
    spikes = {gid: [] for gid in range(FIRST_CELL, FIRST_CELL + len(CELLS))}
    for gid, t in zip(result.spikes.gid, result.spikes.time):
        if int(gid) in spikes:
            spikes[int(gid)].append(float(t))
    if traces is not None:
        r = result.traces
        for gid, t, value in zip(r["gid"].tolist(), r["time"].tolist(), r["value"].tolist()):
            traces.setdefault(gid, []).append((t, value))
    return spikes


def reference():
    with open(REFERENCE) as f:
        ref = json.load(f)
    assert ref["fixed_vs_cvode_same_counts"] and ref["fixed_vs_cvode_max_ms"] == 0.0
    assert all(len(c) >= 8 for c in ref["fixed"])  # every cell fires, by both paths
    return ref


def arrival_times(spikes, gid):
    """Times at which connection events reach cell `gid` (spikes: NEURON's per cell)."""
    out = []
    for source, target, _, delay in CONNECTIONS:
        if target == gid:
            times = SOURCES[source] if source < FIRST_CELL else spikes[source - FIRST_CELL]
            out += [t + delay for t in times]
    return out


def worst_difference(got, expected):
    worst = 0.0
    for k, times in enumerate(expected):
        mine = got[FIRST_CELL + k]
        assert len(mine) == len(times), (k, mine, times)
        worst = max(worst, max((abs(a - b) for a, b in zip(mine, times)), default=0.0))
    return worst


def test_modes_match_neuron(tmp_path):
    ref = reference()
    for mode, neuron in (("bsp-fixed", "fixed"), ("async-fixed", "fixed"), ("bsp-variable", "cvode"),
                         ("async-variable", "cvode")):
        traces = {}
        worst = worst_difference(precise(tmp_path, mode, traces), ref[neuron])
        # m (Vector.record(&m, 0.25) in NEURON): the value NET_RECEIVE stored.
        worst_m, ties = 0.0, 0
        for gid, expected in zip(ref["probed_gids"], ref["m_" + neuron]):
            got = traces[gid]
            assert len(got) == len(expected) == round(T_STOP / SAMPLE) + 1
            assert all(abs(t - k * SAMPLE) < 1e-12 for k, (t, _) in enumerate(got))
            arrivals = arrival_times(ref[neuron], gid)
            for (t, v), e in zip(got, expected):
                if any(abs(a - t) < 1e-9 for a in arrivals):
                    ties += 1  # an event at the sample's time: the order is each simulator's own
                else:
                    worst_m = max(worst_m, abs(v - e))
        assert ties <= 2
        print(f"IntervalFire, {mode} against NEURON's {neuron}: max |dt| {worst:.3g} ms, max |dm| {worst_m:.3g}")
        assert worst < TOLERANCE_MS
        assert worst_m < 1e-12
    # The command line writes the same spikes (to its 1e-9 ms).
    assert worst_difference(ranvier(tmp_path, "bsp-fixed")[0], ref["fixed"]) < 1e-9


def test_async_modes_and_threads_are_identical(tmp_path):
    ref = reference()
    for bsp, other in (("bsp-fixed", "async-fixed"), ("bsp-variable", "async-variable")):
        got, files = ranvier(tmp_path, bsp)
        assert worst_difference(got, ref["fixed"]) < 1e-9  # spikes.csv: 1e-9 ms
        for mode in (bsp, other):
            for threads, group_size in ((1, 1), (2, 2), (2, 3)):
                assert ranvier(tmp_path, mode, threads, group_size)[1] == files, (mode, threads, group_size)
        assert ranvier(tmp_path, other)[1] == files


def test_simultaneous_events_keep_one_order_in_every_mode(tmp_path):
    # Round delays make events reach a cell at exactly equal times (an input
    # over 1 fires at its arrival time; chains of those coincide): the
    # canonical order decides, the same in both steppings, bsp and async,
    # for any threads and groups (NEURON's queue order is its own: not compared).
    _, files = ranvier(tmp_path, "bsp-variable", round_delays=True)
    for mode in ("bsp-fixed", "async-fixed", "bsp-variable", "async-variable"):
        for threads, group_size in ((1, 0), (2, 1), (2, 3)):
            assert ranvier(tmp_path, mode, threads, group_size, True)[1] == files, (mode, threads, group_size)


def test_net_move_without_a_flag_1_event_is_an_error(tmp_path):
    model = tmp_path / "nomove.toml"
    model.write_text(f"""mechanisms = ["{MOD.parent / 'artificial_errors'}"]
[simulation]
t_stop = "10 ms"
mode = "bsp-variable"
[[population]]
name = "s"
size = 1
cell = "spike_source"
times = ["1 ms"]
[[population]]
name = "a"
size = 1
cell = "artificial"
mechanism = "NoMove"
[[projection]]
source = "s"
target = "a"
rule = "all_to_all"
weight = 1
delay = "1 ms"
""")
    r = subprocess.run([RANVIER, "run", str(model), "-o", str(tmp_path / "out"), "--no-plot", "-q"],
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 1
    assert "artificial cell 1 (NoMove): net_move with no pending self-event of flag 1" in r.stderr, r.stderr
