"""NET_RECEIVE with several arguments (per-connection extra_weights and
storage), NET_RECEIVE's INITIAL, flags, net_send self-events and net_event
against NEURON 8.2: test/data/nmodl/events/gatesyn.mod and relay.mod
translated and compiled by Ranvier (mechanisms = [...] in a model file) and
by NEURON's nrnivmodl, on the network of
test/validation/reference/neuron/net_receive.py (output committed in
reference/neuron/net_receive/; make_net_receive_reference.sh remakes it):
two spike sources, A (hh + dendrite) with a GateSyn receiving two
connections of different weight and scale (NetCon weight[1]), B (passive)
whose Relay passes A's spikes on 2 ms later by net_send + net_event, and a
GateSyn on B; C (hh) receiving B's net_event spikes.

Fixed step (backward Euler, dt 0.025 ms), bsp-fixed and async-fixed
(identical files): v of A, B, C and A's GateSyn g and gon every 0.25 ms,
spike steps of A, B (net_event) and C. The implementations evaluate the same
formulas in the same order (events delivered before the step when their
time <= t + dt/2, with NET_RECEIVE's t the event's own time, as NEURON), so
what remains is roundoff: held to 1e-8 mV and 1e-12 uS as the user
mechanisms of test_user_mechanism_neuron.py (measured values printed).
Weights are powers of 2, so Ranvier's single-precision connection weights
equal NEURON's.
CVODE, bsp-variable and async-variable (identical files): spike times
against NEURON's CVODE at atol 1e-9 (condition_order 2), held to 2e-5 ms,
cable_cvode_reference's bound for the built-ins at atol 1e-7; B's spikes are
A's + 3 ms exactly in both (net_send and net_event act at exact times).
Each run checks that it can fail: a scale (extra weight) changed from 0.5 to
0.25 on one connection moves v of A by more than 1e-3 mV.
"""

import csv
import json
import os
import pathlib
import subprocess

SOURCE = pathlib.Path(os.environ.get("RANVIER_SOURCE_DIR",
                                     pathlib.Path(__file__).resolve().parents[2]))
RANVIER = os.environ.get("RANVIER_BIN", str(SOURCE / "build" / "ranvier"))
REFERENCE = SOURCE / "test" / "validation" / "reference" / "neuron" / "net_receive"

SOMA = '{{ name = "soma", length = "20 um", diam = "20 um", tag = 1 }}'
CELL = """
[[population]]
name = "{name}"
size = 1
cell = "cable"
celsius = "6.3 degC"
v_init = "-65 mV"
discretization = {{ Ra = "100 ohm*cm", cm = "1 uF/cm2", nseg_of = {{ {nseg} }} }}
paint = [{paint}]
synapses = [{synapses}]
detector = {{ location = "soma(0.5)", threshold = "0 mV" }}
sections = [{sections}]
"""
PAS = '{{ region = "{r}", mechanism = "pas", g = "0.0001 S/cm2", e = "-65 mV" }}'
HH = '{{ region = "soma", mechanism = "hh" }}'


EVENTS = SOURCE / "test" / "data" / "nmodl" / "events"


def model_text(mode, scale_a="0.5"):
    # The .mod directory itself: its catalogue is built once (EVENTS/.ranvier/,
    # keyed by content) and shared by every test that runs this network.
    text = f"""mechanisms = ["{EVENTS}"]

[simulation]
t_stop = "50 ms"
dt = "0.025 ms"
mode = "{mode}"
atol = 1e-7
group_size = 2

[[population]]
name = "s1"
size = 1
cell = "spike_source"
times = ["2 ms", "7 ms", "9.5 ms", "17 ms", "30 ms"]

[[population]]
name = "s2"
size = 1
cell = "spike_source"
times = ["4.5 ms", "12 ms", "20 ms"]
"""
    dend = '{{ name = "dend", parent = "soma", parent_x = 1, length = "200 um", diam = "2 um", tag = 3 }}'
    text += CELL.format(name="A", nseg="soma = 1, dend = 5", paint=HH.format() + ", " + PAS.format(r="dend"),
                        synapses='{ location = "soma(0.5)", mechanism = "GateSyn", tspont = "25 ms", '
                                 'gspont = "0.004 uS" }',
                        sections=SOMA.format() + ", " + dend.format())
    text += CELL.format(name="B", nseg="soma = 1", paint=PAS.format(r="soma"),
                        synapses='{ location = "soma(0.5)", mechanism = "Relay", lag = "2 ms" }, '
                                 '{ location = "soma(0.5)", mechanism = "GateSyn" }',
                        sections=SOMA.format())
    text += CELL.format(name="C", nseg="soma = 1", paint=HH.format(),
                        synapses='{ location = "soma(0.5)", mechanism = "GateSyn" }', sections=SOMA.format())
    # Weights in nS (read in nS, stored in uS): 2^-8, 2^-9, 2^-6 uS.
    for source, target, synapse, weight, extra, delay in (
            ("s1", "A", 0, "3.90625 nS", f"[{scale_a}]", "1 ms"),
            ("s2", "A", 0, "1.953125 nS", "[2.0]", "1.5 ms"),
            ("A", "B", 0, "0 nS", None, "1 ms"),
            ("s1", "B", 1, "3.90625 nS", "[1.0]", "2 ms"),
            ("B", "C", 0, "15.625 nS", "[0.5]", "1 ms")):
        text += f"""
[[projection]]
source = "{source}"
target = "{target}"
rule = "all_to_all"
synapse = {synapse}
weight = "{weight}"
delay = "{delay}"
"""
        if extra:
            text += f"extra_weights = {extra}\n"
    text += """
[record]
spikes = true
probes = [
    { gids = [2, 3, 4], variable = "v", location = "soma(0.5)", interval = "0.25 ms" },
    { gids = [2], variable = "GateSyn.g", location = "soma(0.5)", interval = "0.25 ms" },
    { gids = [2], variable = "GateSyn.gon", location = "soma(0.5)", interval = "0.25 ms" },
]
"""
    return text


def ranvier(tmp_path, mode, scale_a="0.5"):
    model = tmp_path / f"{mode}{scale_a}.toml"
    model.write_text(model_text(mode, scale_a))
    out = tmp_path / f"out-{mode}{scale_a}"
    r = subprocess.run([RANVIER, "run", str(model), "-o", str(out), "--no-plot", "-q"],
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    spikes = {2: [], 3: [], 4: []}
    with open(out / "spikes.csv") as f:
        for row in csv.DictReader(f):
            if int(row["gid"]) in spikes:
                spikes[int(row["gid"])].append(float(row["time_ms"]))
    traces = {}
    with open(out / "traces.csv") as f:
        for row in csv.DictReader(f):
            traces.setdefault((int(row["gid"]), row["probe"]), []).append(
                (float(row["time_ms"]), float(row["value"])))
    files = ((out / "spikes.csv").read_bytes(), (out / "traces.csv").read_bytes())
    return spikes, traces, files


def reference():
    with open(REFERENCE / "traces.csv") as f:
        rows = [{k: float(v) for k, v in r.items()} for r in csv.DictReader(f)]
    with open(REFERENCE / "spikes.json") as f:
        spikes = json.load(f)
    assert len(rows) == 201 and all(len(spikes["be"][c]) >= 2 for c in "ABC")  # complete; cells fire
    return rows, spikes


def max_error(trace, rows, column):
    assert len(trace) == len(rows)
    assert all(abs(t - r["t_ms"]) < 1e-9 for (t, _), r in zip(trace, rows))
    return max(abs(x - r[column]) for (_, x), r in zip(trace, rows))


def test_fixed_step_matches_neuron(tmp_path):
    rows, spikes = reference()
    got, traces, files = ranvier(tmp_path, "bsp-fixed")
    errors = {name: max_error(traces[(gid, "v")], rows, column)
              for name, gid, column in (("A", 2, "v_A_mV"), ("B", 3, "v_B_mV"), ("C", 4, "v_C_mV"))}
    dg = max_error(traces[(2, "GateSyn.g")], rows, "g_A_uS")
    don = max_error(traces[(2, "GateSyn.gon")], rows, "gon_A_uS")
    print(f"NET_RECEIVE, fixed step: max |dv| A {errors['A']:.3g}, B {errors['B']:.3g}, "
          f"C {errors['C']:.3g} mV; |dg| {dg:.3g}, |dgon| {don:.3g} uS")
    assert max(errors.values()) < 1e-8
    assert dg < 1e-12 and don < 1e-12
    # The pulses are there (per-connection scale and facilitation), B's GateSyn moves v.
    assert max(r["gon_A_uS"] for r in rows) > 2 ** -9 and max(r["v_B_mV"] for r in rows) > -64
    # The same steps, B's net_event spikes included (events on the grid: NEURON's t).
    for gid, name in ((2, "A"), (3, "B"), (4, "C")):
        assert len(got[gid]) == len(spikes["be"][name]), (name, got[gid], spikes["be"][name])
        assert max(abs(a - b) for a, b in zip(got[gid], spikes["be"][name])) < 1e-6

    # async-fixed gives the same files; the comparison can fail.
    assert ranvier(tmp_path, "async-fixed")[2] == files
    _, off, _ = ranvier(tmp_path, "bsp-fixed", scale_a="0.25")
    assert max_error(off[(2, "v")], rows, "v_A_mV") > 1e-3


def test_cvode_matches_neuron(tmp_path):
    _, spikes = reference()
    got, _, files = ranvier(tmp_path, "bsp-variable")
    worst = 0.0
    for gid, name in ((2, "A"), (3, "B"), (4, "C")):
        assert len(got[gid]) == len(spikes["cvode"][name]), (name, got[gid], spikes["cvode"][name])
        worst = max(worst, max(abs(a - b) for a, b in zip(got[gid], spikes["cvode"][name])))
    print(f"NET_RECEIVE, CVODE atol 1e-7: max spike time difference {worst:.3g} ms")
    assert worst < 2e-5
    # net_send and net_event at exact times: B fires 1 ms (delay) + 2 ms (lag) after A.
    assert all(abs(b - (a + 3.0)) < 1e-12 for a, b in zip(got[2], got[3]))
    assert ranvier(tmp_path, "async-variable")[2] == files
