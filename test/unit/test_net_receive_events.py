"""NET_RECEIVE events from model files (docs/nmodl.md, Events): the
projection key extra_weights and its errors (file, line, key, the
NET_RECEIVE's arguments), and determinism: the validation network
(test/validation/test_net_receive_neuron.py) gives byte-identical files for
any group size and thread count in every mode. The comparison with NEURON is
in the validation test; here what must hold whatever NEURON does."""

import csv
import os
import pathlib
import subprocess
import sys

import pytest

SOURCE = pathlib.Path(os.environ.get("RANVIER_SOURCE_DIR",
                                     pathlib.Path(__file__).resolve().parents[2]))
RANVIER = os.environ.get("RANVIER_BIN", str(SOURCE / "build" / "ranvier"))
sys.path.insert(0, str(SOURCE / "test" / "validation"))
from test_net_receive_neuron import EVENTS, model_text  # noqa: E402

MODES = ["bsp-fixed", "async-fixed", "bsp-variable", "async-variable"]


def run(tmp_path, text, name, *args):
    model = tmp_path / f"{name}.toml"
    model.write_text(text)
    out = tmp_path / f"out-{name}"
    r = subprocess.run([RANVIER, "run", str(model), "-o", str(out), "--no-plot", "-q", *args],
                       capture_output=True, text=True, timeout=600)
    return r, model, out


def projection(text, source, target, extra):
    """The model text with the extra_weights of projection source -> target replaced."""
    head = f'source = "{source}"\ntarget = "{target}"\n'
    at = text.index(head)
    end = text.find("[[projection]]", at)
    end = len(text) if end < 0 else end
    block = text[at:end]
    lines = [line for line in block.splitlines() if not line.startswith("extra_weights")]
    if extra is not None:
        lines.insert(2, f"extra_weights = {extra}")
    return text[:at] + "\n".join(lines) + "\n" + text[end:]


def line_of(path, needle):
    return next(k for k, line in enumerate(path.read_text().splitlines(), 1) if line.startswith(needle))


def test_too_many_extra_weights_name_the_line_and_the_arguments(tmp_path):
    text = projection(model_text("bsp-fixed"), "s2", "A", "[2.0, 0, 0, 1]")
    r, model, _ = run(tmp_path, text, "many")
    assert r.returncode == 1
    line = line_of(model, "extra_weights = [2.0, 0, 0, 1]")
    assert f"{model}:{line}" in r.stderr and "extra_weights" in r.stderr
    assert "gives 4 extra weights, but synapse 0 of population 'A' is GateSyn, whose " \
           "NET_RECEIVE(w, scale, count, amp) takes 3 after the weight" in r.stderr


def test_extra_weights_onto_a_one_argument_net_receive(tmp_path):
    r, model, _ = run(tmp_path, projection(model_text("bsp-fixed"), "A", "B", "[1.0]"), "relay")
    assert r.returncode == 1
    assert f"{model}:{line_of(model, 'extra_weights = [1.0]')}" in r.stderr
    assert "synapse 0 of population 'B' is Relay, which has no NET_RECEIVE arguments beyond the weight" \
        in r.stderr


def test_extra_weights_need_net_receive_initial_as_in_neuron(tmp_path):
    # NEURON zeroes NetCon weight[1..] at finitialize when NET_RECEIVE has no INITIAL.
    mod = tmp_path / "mod"
    mod.mkdir()
    (mod / "twoarg.mod").write_text("""NEURON { POINT_PROCESS TwoArg NONSPECIFIC_CURRENT i }
ASSIGNED { v (mV) i (nA) }
STATE { g (uS) }
BREAKPOINT { SOLVE s METHOD cnexp i = g*v }
DERIVATIVE s { g' = -g }
NET_RECEIVE(w, w2) { g = g + w*w2 }
""")
    text = model_text("bsp-fixed").replace(f'mechanisms = ["{EVENTS}"]', f'mechanisms = ["{EVENTS}", "{mod}"]')
    text = text.replace('{ location = "soma(0.5)", mechanism = "GateSyn" }]', '{ location = "soma(0.5)", '
                        'mechanism = "TwoArg" }]', 1)  # B's synapse 1
    r, model, _ = run(tmp_path, text, "noinit")
    assert r.returncode == 1
    assert "synapse 1 of population 'B' is TwoArg, whose NET_RECEIVE has no INITIAL block: NEURON sets " \
           "the arguments after the weight to 0 at initialisation" in r.stderr
    assert f"{model}:{line_of(model, 'extra_weights = [1.0]')}" in r.stderr


def test_extra_weights_onto_point_neurons_or_bad_values(tmp_path):
    text = model_text("bsp-fixed") + """
[[population]]
name = "L"
size = 1
cell = "lif"

[[projection]]
source = "s1"
target = "L"
rule = "all_to_all"
weight = "1 mV"
extra_weights = [1.0]
"""
    r, model, _ = run(tmp_path, text, "lif")
    assert r.returncode == 1
    assert "'projection.extra_weights': only applies to cable-cell and artificial-cell targets" in r.stderr
    r, model, _ = run(tmp_path, projection(model_text("bsp-fixed"), "s2", "A", '"2"'), "text")
    assert r.returncode == 1 and "expected a non-empty array of numbers" in r.stderr


@pytest.mark.parametrize("mode", MODES)
def test_identical_for_any_group_size_and_threads(tmp_path, mode):
    text = model_text(mode)
    r, _, ref = run(tmp_path, text, "ref")
    assert r.returncode == 0, r.stderr
    spikes, traces = (ref / "spikes.csv").read_bytes(), (ref / "traces.csv").read_bytes()
    assert spikes.count(b"\n") > 6
    for group_size, threads in ((1, 2), (5, 1), (3, 2)):
        r, _, out = run(tmp_path, text.replace("group_size = 2", f"group_size = {group_size}"),
                        f"g{group_size}t{threads}", "--threads", str(threads))
        assert r.returncode == 0, r.stderr
        assert (out / "spikes.csv").read_bytes() == spikes, (group_size, threads)
        assert (out / "traces.csv").read_bytes() == traces, (group_size, threads)


ORDER = """mechanisms = ["{events}"]

[simulation]
t_stop = "8 ms"
dt = "0.125 ms"
mode = "{mode}"

[[population]]
name = "x"
size = 1
cell = "spike_source"
times = ["2 ms"]

[[population]]
name = "y"
size = 1
cell = "spike_source"
times = ["4 ms"]

[[population]]
name = "r"
size = 1
cell = "cable"
paint = [{{ region = "soma", mechanism = "pas" }}]
synapses = [{{ location = "soma(0.5)", mechanism = "Recorder" }}]
sections = [{{ name = "soma", length = "20 um", diam = "20 um", tag = 1 }}]

[[projection]]
source = "x"
target = "r"
rule = "all_to_all"
weight = "1 nS"
delay = "1 ms"

[[projection]]
source = "y"
target = "r"
rule = "all_to_all"
weight = "0 nS"
delay = "1 ms"

[record]
probes = [{{ gids = [2], variable = "Recorder.code", location = "soma(0.5)", interval = "1 ms" }}]
"""


@pytest.mark.parametrize("mode", MODES)
def test_self_event_acts_after_a_connection_event_at_the_same_time(tmp_path, mode):
    # x's event at 3 ms sends a self-event for 5 ms; y's event is due at 5 ms too
    # (dt = 0.125 ms: every time here is exact in binary, so the two are equal).
    r, _, out = run(tmp_path, ORDER.format(events=EVENTS, mode=mode), "order")
    assert r.returncode == 0, r.stderr
    with open(out / "traces.csv") as f:
        codes = [float(row["value"]) for row in csv.DictReader(f)]
    assert codes[-1] == 112.0, codes  # x (1), then at 5 ms y (1) before the self-event (2)


def test_hybrid_stepping_refuses_event_mechanisms_clearly(tmp_path):
    text = model_text("bsp-variable").replace('atol = 1e-7\n', 'atol = 1e-7\nhybrid = true\n')
    r, _, _ = run(tmp_path, text, "hybrid")
    assert r.returncode == 1
    assert "GateSyn uses net_send, net_event or several/assigned NET_RECEIVE arguments, which hybrid " \
           "stepping does not support yet (set hybrid = false)" in r.stderr
