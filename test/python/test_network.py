"""Models built in Python (ranvier.Network): the same network as the model file
that says the same thing (spike for spike), every cell kind, explicit
connections from numpy arrays with per-connection weights and delays, chosen
target cells, errors with the model file's messages at the call, and
to_toml() reading back as the same model.

Needs PYTHONPATH=<source>/python:<build>/python (ctest sets it)."""

import os
import pathlib
import textwrap

import numpy as np
import pytest

SOURCE = pathlib.Path(os.environ.get("RANVIER_SOURCE_DIR",
                                     pathlib.Path(__file__).resolve().parents[2]))

if os.environ.get("RANVIER_PYTHON_MODULE_BUILT", "ON").upper() in ("OFF", "0", "FALSE"):
    pytest.skip("the build was configured without the Python module", allow_module_level=True)

import ranvier  # noqa: E402
from ranvier.units import ms, mV, uS, nS, pA  # noqa: E402

LIF = dict(tau_m="20 ms", E_L="0 mV", V_th="20 mV", V_reset="10 mV", t_ref="2 ms")

SMALL_TOML = """
[simulation]
t_stop = "100 ms"
dt = "0.1 ms"
seed = 3

[[population]]
name = "E"
size = 160
tau_m = "20 ms"
E_L = "0 mV"
V_th = "20 mV"
V_reset = "10 mV"
t_ref = "2 ms"
V_init = { distribution = "uniform", low = "0 mV", high = "20 mV" }

[[population]]
name = "I"
size = 40
synapse = "delta"
tau_m = "20 ms"
E_L = "0 mV"
V_th = "20 mV"
V_reset = "10 mV"
t_ref = "2 ms"

[[projection]]
source = "E"
target = ["E", "I"]
rule = "fixed_indegree"
indegree = 16
weight = "0.2 mV"
delay = { distribution = "uniform", low = "1 ms", high = "2 ms" }

[[projection]]
source = "I"
target = ["E", "I"]
rule = "pairwise_bernoulli"
p = 0.1
weight = "-1 mV"
delay = "1.5 ms"

[[poisson]]
target = ["E", "I"]
rate = "25 Hz"
count = 1000
weight = "0.1 mV"

[record]
voltage = { gids = [0, 5], interval = "1 ms" }
"""


def small_network(**simulation):
    """SMALL_TOML written with ranvier.Network (strings and the unit helper mixed)."""
    net = ranvier.Network(t_stop="100 ms", dt=0.1 * ms, seed=3, **simulation)
    E = net.population("E", 160, **LIF,
                       V_init={"distribution": "uniform", "low": 0 * mV, "high": "20 mV"})
    I = net.population("I", 40, synapse="delta", **LIF)
    net.projection(E, [E, I], rule="fixed_indegree", indegree=16, weight="0.2 mV",
                   delay={"distribution": "uniform", "low": "1 ms", "high": "2 ms"})
    net.projection(I, [E, I], rule="pairwise_bernoulli", p=0.1, weight=-1 * mV, delay="1.5 ms")
    net.poisson([E, I], rate="25 Hz", count=1000, weight="0.1 mV")
    net.record(voltage={"gids": [0, 5], "interval": "1 ms"})
    return net


def same_output(a, b):
    assert np.array_equal(a.spikes.gid, b.spikes.gid)
    assert np.array_equal(a.spikes.time, b.spikes.time)
    for key in ("gid", "probe", "time", "value"):
        assert np.array_equal(a.traces[key], b.traces[key]), key


def test_network_equals_the_model_file():
    from_file = ranvier.Simulation(ranvier.parse_model(SMALL_TOML)).run()
    from_python = ranvier.Simulation(small_network()).run()
    assert len(from_file.spikes) > 100  # the network is active: the comparison means something
    same_output(from_file, from_python)


def test_to_toml_reads_back_as_the_same_model():
    net = small_network()
    text = net.to_toml()
    again = ranvier.parse_model(text, "written")
    model = net.model()
    assert again.populations == model.populations
    assert again.t_stop == model.t_stop and again.options == model.options
    same_output(ranvier.Simulation(model).run(), ranvier.Simulation(again).run())


def test_populations_report_their_gids_and_selections():
    net = small_network()
    E, I = net["E"], net["I"]
    assert (E.first_gid, E.size, I.first_gid, I.size) == (0, 160, 160, 40)
    assert net.num_cells == 200
    assert I[[0, 3]].gids.tolist() == [160, 163]
    assert I[-1].gids.tolist() == [199]
    assert [p["name"] for p in net.model().populations] == ["E", "I"]


@pytest.mark.parametrize("mode", ranvier.MODES)
def test_network_runs_in_every_mode(mode):
    result = ranvier.Simulation(small_network(mode=mode)).run(50.0)
    assert len(result.spikes) > 50
    assert result.t_stop == 50.0


def test_fixed_and_variable_modes_agree_with_their_async_twins():
    runs = {mode: ranvier.Simulation(small_network(mode=mode, threads=2)).run(60.0)
            for mode in ranvier.MODES}
    same_output(runs["bsp-fixed"], runs["async-fixed"])
    same_output(runs["bsp-variable"], runs["async-variable"])


# ---- explicit connections from arrays ---------------------------------------


def chain_network(weights, delays, **keys):
    """20 LIF cells driven only by cell 0's DC current: a chain 0 -> 1 -> ... -> 19."""
    net = ranvier.Network(t_stop="200 ms", dt="0.1 ms")
    A = net.population("A", 20, **LIF)
    net.current(A[0], kind="dc", amplitude="600 pA")
    src = np.arange(19)
    net.connect(A, A, sources=src, targets=src + 1, weight=weights, delay=delays, **keys)
    return net


def test_explicit_arrays_equal_the_model_file_pairs():
    w = np.linspace(21.0, 25.0, 19)  # each above threshold: one spike passes down the chain
    d = np.round(np.linspace(1.0, 2.8, 19), 1)  # on the 0.1 ms grid: the gaps below are exact
    net = chain_network(w * mV, d * ms)
    pairs = ", ".join(f"[{i}, {i + 1}]" for i in range(19))
    text = textwrap.dedent(f"""
        [simulation]
        t_stop = "200 ms"
        [[population]]
        name = "A"
        size = 20
        tau_m = "20 ms"
        E_L = "0 mV"
        V_th = "20 mV"
        V_reset = "10 mV"
        t_ref = "2 ms"
        [[projection]]
        source = "A"
        target = "A"
        rule = "explicit"
        pairs = [{pairs}]
        weights = [{", ".join(f'"{x!r} mV"' for x in w.tolist())}]
        delays = [{", ".join(f'"{x!r} ms"' for x in d.tolist())}]
        [[current]]
        target = "A"
        cells = [0]
        kind = "dc"
        amplitude = "600 pA"
        """)
    a = ranvier.Simulation(net).run()
    b = ranvier.Simulation(ranvier.parse_model(text)).run()
    same_output(a, b)
    # The spike runs down the chain: each cell after its predecessor plus its delay
    first = {}
    for g, t in zip(a.spikes.gid.tolist(), a.spikes.time.tolist()):
        first.setdefault(g, t)
    assert sorted(first) == list(range(20))
    gaps = np.diff([first[g] for g in range(20)])
    np.testing.assert_allclose(gaps, d, atol=1e-9)
    # Reading the written model back gives the same connections
    same_output(a, ranvier.Simulation(ranvier.parse_model(net.to_toml())).run())


def test_explicit_array_units_are_converted_and_a_pair_tuple_works():
    a = ranvier.Simulation(chain_network(np.full(19, 25.0) * mV, "1.5 ms")).run()
    b = ranvier.Simulation(chain_network((np.full(19, 0.025), "V"), (np.full(19, 1500.0), "us"))).run()
    c = ranvier.Simulation(chain_network("25 mV", "1.5 ms")).run()
    same_output(a, c)
    assert np.array_equal(a.spikes.gid, b.spikes.gid)
    np.testing.assert_allclose(a.spikes.time, b.spikes.time, atol=1e-9)  # 0.025 V = 25.000000000000004 mV


def test_explicit_array_errors_name_the_call_key_and_connection():
    with pytest.raises(ranvier.ModelError, match=r"connect\(A -> A\): 'projection.pairs': connection 3: "
                                                 r"target index 20 is out of range"):
        net = ranvier.Network()
        A = net.population("A", 20)
        net.connect(A, A, sources=[0, 1, 2, 3], targets=[1, 2, 3, 20], weight="1 mV", delay="1 ms")
    with pytest.raises(ranvier.ModelError, match="the unit 'nS' is not a unit of a voltage"):
        chain_network(np.ones(19) * nS, "1 ms")
    with pytest.raises(ranvier.ModelError, match="has 18 values for 19 pairs"):
        chain_network(np.ones(18) * mV, "1 ms")
    with pytest.raises(ranvier.ModelError, match="delay of pair 4 .* is 0 ms"):
        chain_network("1 mV", np.where(np.arange(19) == 4, 0.0, 1.0) * ms)
    with pytest.raises(ranvier.ModelError, match="element 2 is nan"):
        chain_network(np.array([1, 1, np.nan] + [1] * 16) * mV, "1 ms")
    with pytest.raises(ranvier.ModelError, match="onto itself, but allow_autapses = false"):
        net = ranvier.Network()
        A = net.population("A", 5)
        net.connect(A, A, sources=[0, 1], targets=[1, 1], weight="1 mV", delay="1 ms",
                    allow_autapses=False)
    with pytest.raises(ranvier.ModelError, match=r"given twice, but allow_multapses = false"):
        net = ranvier.Network()
        A = net.population("A", 5)
        net.connect(A, A, sources=[0, 0], targets=[1, 1], weight="1 mV", delay="1 ms",
                    allow_multapses=False)
    with pytest.raises(ranvier.ModelError, match="at least dt = 0.1 ms"):
        chain_network("25 mV", np.full(19, 0.05) * ms).model()
    with pytest.raises(TypeError, match="an array needs a unit"):
        chain_network(np.ones(19), "1 ms")


def test_a_million_explicit_connections_build_quickly():
    import time
    rng = np.random.default_rng(1)
    n = 1_000_000
    net = ranvier.Network(t_stop="10 ms")
    A = net.population("A", 10_000)
    start = time.perf_counter()
    net.connect(A, A, sources=rng.integers(0, 10_000, n), targets=rng.integers(0, 10_000, n),
                weight=rng.normal(0.1, 0.01, n) * mV, delay=rng.uniform(1, 2, n) * ms)
    elapsed = time.perf_counter() - start
    assert elapsed < 10.0  # about 0.1 s here; generous for a loaded, sanitized machine
    assert ranvier.Simulation(net).statistics["synapses"] == n


# ---- every cell kind ----------------------------------------------------------


def ring_network():
    """examples/ring.toml written in Python: cable cells with inline sections."""
    net = ranvier.Network(t_stop="100 ms", dt="0.025 ms", mode="bsp-fixed")
    sections = [{"name": "soma", "length": "20 um", "diam": "20 um", "tag": 1}]
    for k in range(31):
        level = int(np.log2(k + 1))
        parent = "soma" if k == 0 else f"dend[{(k - 1) // 2}]"
        diam = 2.0 * 2.0 ** (-2.0 * level / 3.0)
        sections.append({"name": f"dend[{k}]", "parent": parent, "parent_x": 1,
                         "length": "100 um", "diam": f"{diam!r} um", "tag": 3})
    ring = net.population(
        "ring", 16, cell="cable", celsius="6.3 degC", v_init="-65 mV",
        discretization={"nseg": 3, "Ra": "100 ohm*cm", "cm": "1 uF/cm2", "nseg_of": {"soma": 1}},
        paint=[{"region": "soma", "mechanism": "hh", "gnabar": "0.12 S/cm2", "gkbar": "0.036 S/cm2",
                "gl": "0.0003 S/cm2", "el": "-54.3 mV"},
               {"region": "dend", "mechanism": "pas", "g": "0.0001 S/cm2", "e": "-65 mV"}],
        synapses=[{"location": "dend[0](0.5)", "mechanism": "ExpSyn", "tau": "2 ms", "e": "0 mV"}],
        detector={"location": "soma(0.5)", "threshold": "10 mV"},
        events=[{"synapse": 0, "time": "1 ms", "weight": "0.05 uS", "cells": [0, 8]}],
        sections=sections)
    position = np.arange(16)
    net.connect(ring, ring, sources=position, targets=(position // 8) * 8 + (position % 8 + 1) % 8,
                synapse=0, weight=np.full(16, 0.05) * uS, delay="1 ms")
    return net


def test_cable_network_equals_examples_ring():
    from_file = ranvier.Simulation(ranvier.load_model(str(SOURCE / "examples" / "ring.toml"))).run()
    net = ring_network()
    from_python = ranvier.Simulation(net).run()
    assert len(from_file.spikes) == 106  # NEURON's count for this ring (examples/ring.toml)
    same_output(from_file, from_python)
    same_output(from_python, ranvier.Simulation(ranvier.parse_model(net.to_toml())).run())


def test_spike_sources_and_chosen_cells():
    net = ranvier.Network(t_stop="50 ms")
    drive = net.population("drive", 2, cell="spike_source", times=["5 ms", 10 * ms])
    A = net.population("A", 4, synapse="exp", tau_m="10 ms", V_th="-55 mV", V_reset="-70 mV")
    net.connect(drive, A, sources=[0, 1], targets=[0, 2], weight=np.array([5000.0, 0.0]) * pA,
                delay="1 ms")
    net.poisson(A[[3]], rate="2000 Hz", weight="400 pA")
    net.current(A[1], kind="step", times=["20 ms"], amplitudes=["800 pA"])
    net.probe(A, "v", interval="0.5 ms")
    result = ranvier.Simulation(net).run()
    fired = set(result.spikes.gid.tolist())
    # drive 0 -> A[0] (900 pA kicks), A[1] by its own step current, A[3] by its own
    # Poisson drive; A[2] gets only zero-weight events and nothing else.
    assert {0, 1, 2, 3, 5} <= fired  # gids: sources 0, 1; A is 2..5
    assert 4 not in fired
    v = result.traces
    a1 = v["value"][(v["gid"] == 3) & (v["time"] < 19.5)]
    assert np.allclose(a1, -70.0)  # A[1] rests until its step at 20 ms
    assert ranvier.parse_model(net.to_toml()).populations == net.model().populations


def test_model_file_cells_key_targets_chosen_cells():
    text = textwrap.dedent("""
        [simulation]
        t_stop = "30 ms"
        [[population]]
        name = "A"
        size = 3
        [[population]]
        name = "B"
        size = 3
        [[current]]
        target = ["A", "B"]
        cells = [1, 4]
        kind = "dc"
        amplitude = "1000 pA"
        [record]
        probes = [{ population = "B", cells = [0, 1], variable = "v", interval = "1 ms" }]
        """)
    sim = ranvier.Simulation(ranvier.parse_model(text))
    result = sim.run()
    assert set(result.spikes.gid.tolist()) == {1, 4}
    assert sorted(set(result.traces["gid"].tolist())) == [3, 4]
    with pytest.raises(ranvier.ModelError, match=r"'current.cells': cell index 6 is out of range: "
                                                 r"the populations \(A, B\) have cells 0..5"):
        ranvier.parse_model(text.replace("cells = [1, 4]", "cells = [1, 6]"))
    with pytest.raises(ranvier.ModelError, match="gid 4 is chosen twice"):
        ranvier.parse_model(text.replace("cells = [1, 4]", "cells = [4, 4]"))


def test_cable_stimulus_on_chosen_cells():
    net = ranvier.Network(t_stop="20 ms", dt="0.025 ms")
    net.population("c", 3, cell="cable",
                   sections=[{"name": "soma", "length": "20 um", "diam": "20 um"}],
                   paint=[{"region": "all", "mechanism": "hh"}],
                   stimuli=[{"location": "soma(0.5)", "mechanism": "IClamp", "del": "2 ms",
                             "dur": "1 ms", "amp": "0.5 nA", "cells": [1]}])
    result = ranvier.Simulation(net).run()
    assert result.spikes.gid.tolist() == [1]
    with pytest.raises(ranvier.ModelError, match="cell index 3 is out of range: population 'd' has cells 0..2"):
        net.population("d", 3, cell="cable",
                       sections=[{"name": "soma", "length": "20 um", "diam": "20 um"}],
                       stimuli=[{"location": "soma(0.5)", "mechanism": "IClamp", "cells": [3]}])


# ---- errors at the call ---------------------------------------------------------


def test_errors_have_the_model_file_messages_and_name_the_call():
    net = ranvier.Network()
    E = net.population("E", 10)
    cases = [
        (lambda: net.population("X", 3, tau_m="20 mV"),
         "population('X'): 'population.tau_m': expected a time such as \"20 ms\", got \"20 mV\", which is a voltage"),
        (lambda: net.population("Y", 3, tau_mem="20 ms"),
         "population('Y'): 'population.tau_mem': unknown key in [population]; did you mean 'tau_m'?"),
        (lambda: net.population("E", 3), "a population named 'E' already exists"),
        (lambda: net.projection(E, "Inh", rule="all_to_all", weight="1 mV", delay="1 ms"),
         "no population is named 'Inh'"),
        (lambda: net.projection(E, E, rule="fixed_indegree", indegree=20, allow_multapses=False,
                                weight="1 mV", delay="1 ms"),
         "20 distinct sources are needed but only 10 are available"),
        (lambda: net.poisson(E, rate="10 ms", weight="1 mV"), "expected a frequency"),
        (lambda: net.simulation(dt="0 ms"), "'simulation.dt': must be > 0 ms"),
        (lambda: net.probe([99]), "gid 99 does not exist"),
    ]
    for call, message in cases:
        with pytest.raises(ranvier.ModelError) as error:
            call()
        assert message in str(error.value)
    # A failed call leaves the network as it was
    assert net.num_cells == 10
    ranvier.Simulation(net).run(1.0)
    with pytest.raises(TypeError, match="'V_init': expected a string"):
        net.population("Z", 2, V_init=object())


def test_spikes_of_chosen_populations_only(tmp_path):
    text = SMALL_TOML.replace('[record]\n', '[record]\nspikes = ["I"]\n')
    everything = ranvier.Simulation(ranvier.parse_model(SMALL_TOML)).run()
    only_i = ranvier.Simulation(ranvier.parse_model(text)).run()
    keep = everything.spikes.gid >= 160
    assert 0 < keep.sum() < len(everything.spikes)
    assert np.array_equal(only_i.spikes.gid, everything.spikes.gid[keep])
    assert np.array_equal(only_i.spikes.time, everything.spikes.time[keep])
    net = small_network()
    net.record(spikes=[net["I"]])
    same_output(only_i, ranvier.Simulation(net).run())
    # the command line writes the same spikes
    model = tmp_path / "m.toml"
    model.write_text(text)
    binary = os.environ.get("RANVIER_BIN", str(SOURCE / "build" / "ranvier"))
    import subprocess
    done = subprocess.run([binary, "run", str(model), "--out", str(tmp_path / "out"), "--no-plot", "-q"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    rows = np.loadtxt(tmp_path / "out" / "spikes.csv", delimiter=",", skiprows=1)
    assert np.array_equal(rows[:, 0].astype(np.int64), only_i.spikes.gid)


def test_array_quantities_fill_lists_of_quantities():
    net = ranvier.Network(t_stop="50 ms")
    src = net.population("s", 2, cell="spike_source", times=np.array([5.0, 12.5]) * ms)
    a = net.population("a", 2)
    net.projection(src, a, rule="one_to_one", weight="30 mV", delay="1 ms")
    result = ranvier.Simulation(net).run(progress=False)
    assert result.spikes.time.tolist() == [5.0, 5.0, 6.0, 6.0, 12.5, 12.5, 13.5, 13.5]
    assert 'times = ["5.0 ms", "12.5 ms"]' in net.to_toml()
