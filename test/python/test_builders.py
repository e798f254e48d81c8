"""Issue 12's builders: spike sources with per-cell times from numpy arrays
(Network.spike_source), morphologies built section by section
(ranvier.Sections), and to_toml() of models read from model files
(Model.to_toml / Model.save), each read back identically.

Needs PYTHONPATH=<source>/python:<build>/python (ctest sets it)."""

import os
import pathlib

import numpy as np
import pytest

if os.environ.get("RANVIER_PYTHON_MODULE_BUILT", "ON").upper() in ("OFF", "0", "FALSE"):
    pytest.skip("the build was configured without the Python module", allow_module_level=True)

import ranvier  # noqa: E402
from ranvier.units import ms, mV, um  # noqa: E402

SOURCE = pathlib.Path(os.environ.get("RANVIER_SOURCE_DIR", pathlib.Path(__file__).resolve().parents[2]))
LIF = dict(tau_m="20 ms", E_L="0 mV", V_th="20 mV", V_reset="10 mV", t_ref="2 ms")


def driven(times, cells=None, size=None):
    """Sources with the given times, each source firing one LIF cell (one spike in, one out);
    event-driven (bsp-variable), so every spike is at its exact time."""
    net = ranvier.Network(t_stop="100 ms", dt="0.1 ms", mode="bsp-variable")
    src = net.spike_source("stim", times, cells=cells, size=size)
    out = net.population("E", src.size, **LIF)
    net.projection(src, out, rule="one_to_one", weight="25 mV", delay="1 ms")
    return net, src, out


def spikes_of(result, gids):
    keep = np.isin(result.spikes.gid, gids)
    return result.spikes.gid[keep], result.spikes.time[keep]


def test_spike_source_times_per_cell_from_a_dict():
    net, src, out = driven({0: np.array([5.0, 20.0]) * ms, 3: [7.5] * ms, 1: (np.array([50.0]), "ms")})
    assert src.size == 4 and src.cell == "spike_source"
    result = ranvier.Simulation(net).run(progress=False)
    gid, time = spikes_of(result, src.gids)
    order = np.lexsort((gid, time))
    # each source fires exactly at its times (ms)
    assert list(zip(gid[order].tolist(), time[order].tolist())) == [(0, 5.0), (3, 7.5), (0, 20.0), (1, 50.0)]
    gid, time = spikes_of(result, out.gids)
    assert sorted(time.tolist()) == [6.0, 8.5, 21.0, 51.0]  # 1 ms later, through 25 mV synapses


def test_population_of_spike_sources_takes_a_dict_of_times():
    net = ranvier.Network(t_stop="10 ms", mode="bsp-variable")
    src = net.population("s", 3, cell="spike_source", spikes={2: [1.5, 4.0] * ms})
    result = ranvier.Simulation(net).run(progress=False)
    assert src.size == 3
    assert list(zip(result.spikes.gid.tolist(), result.spikes.time.tolist())) == [(2, 1.5), (2, 4.0)]


def test_spike_source_times_in_seconds():
    net, src, out = driven((np.array([0.005, 0.0125]), "s"), cells=np.array([1, 0]))
    result = ranvier.Simulation(net).run(progress=False)
    gid, time = spikes_of(result, src.gids)
    assert list(zip(gid.tolist(), time.tolist())) == [(1, 5.0), (0, 12.5)]


def test_spike_source_times_from_two_arrays_read_back_identically(tmp_path):
    rng = np.random.default_rng(3)
    cells = rng.integers(0, 50, 2000)
    times = rng.uniform(0, 100, 2000)
    net, src, out = driven(times * ms, cells=cells, size=50)
    first = ranvier.Simulation(net).run(progress=False)
    gid, time = spikes_of(first, src.gids)
    assert len(gid) == 2000
    for c in (0, 17, 49):  # every cell's times as given
        assert np.array_equal(np.sort(time[gid == c]), np.sort(times[cells == c]))
    text = net.to_toml()
    assert "spikes = { cells = [" in text
    again = ranvier.Simulation(ranvier.parse_model(text)).run(progress=False)
    assert np.array_equal(first.spikes.gid, again.spikes.gid)
    assert np.array_equal(first.spikes.time, again.spikes.time)


def test_spike_source_errors_use_the_model_files_words():
    net = ranvier.Network()
    with pytest.raises(ranvier.ModelError, match=r"spike_source\('s'\): 'population.spikes': spike 1: cell "
                                                 r"index 7 is not in population 's' \(indices 0..3\)"):
        net.spike_source("s", np.array([1.0, 2.0]) * ms, cells=[0, 7], size=4)
    with pytest.raises(ranvier.ModelError, match="the time -1 ms must be a finite time >= 0"):
        net.spike_source("s", {0: [-1.0] * ms})
    with pytest.raises(ranvier.ModelError, match="'mV' is not a unit of a time"):
        net.spike_source("s", {0: [1.0] * mV})
    with pytest.raises(TypeError, match="needs a unit"):
        net.spike_source("s", {0: np.array([1.0])})
    with pytest.raises(ranvier.ModelError, match="has 2 cells and 1 times"):
        net.spike_source("s", np.array([1.0]) * ms, cells=[0, 1])
    with pytest.raises(ValueError, match="in one unit"):
        net.spike_source("s", {0: [1.0] * ms, 1: (np.array([0.05]), "s")})
    assert net.num_cells == 0  # failed calls add nothing


def test_inline_spikes_in_a_model_file_are_checked():
    text = """
[[population]]
name = "s"
size = 2
cell = "spike_source"
spikes = { cells = [0, 2], times = [1.0, 2.0], unit = "ms" }
"""
    with pytest.raises(ranvier.ModelError, match=r"<string>:\d+: 'population.spikes.cells': spike 1: cell index 2"):
        ranvier.parse_model(text)


def test_sections_builder_matches_the_sections_table():
    cell = ranvier.Sections()
    soma = cell.add_section("soma", length="20 um", diam="20 um")
    dend = cell.add_section("dend", parent=soma, length=200 * um, diam="2 um", nseg=5)
    cell.add_section("tuft", parent=dend, parent_x=0.5, length="50 um", diam="1 um", tag="apic")
    assert soma(0.5) == "soma(0.5)" and dend == "dend"
    morph = cell.morphology()
    assert [s.name for s in morph] == ["soma", "dend", "tuft"]
    assert [s.nseg for s in morph] == [1, 5, 1]
    assert morph.section("tuft").parent == "dend" and morph.section("tuft").tag == 4
    assert morph.section("dend").length == pytest.approx(200)

    def run(**keys):
        net = ranvier.Network(t_stop="20 ms", dt="0.025 ms")
        pop = net.population("c", 1, cell="cable", paint=[{"region": "all", "mechanism": "hh"}],
                             stimuli=[{"location": "soma(0.5)", "mechanism": "IClamp", "del": "2 ms",
                                       "dur": "10 ms", "amp": "0.3 nA"}], **keys)
        net.probe(pop, "v", location="dend(0.9)", interval="0.1 ms")
        return ranvier.Simulation(net).run(progress=False)

    built = run(morphology=cell)
    table = run(sections=[{"name": "soma", "length": "20 um", "diam": "20 um"},
                          {"name": "dend", "parent": "soma", "length": "200 um", "diam": "2 um"},
                          {"name": "tuft", "parent": "dend", "parent_x": 0.5, "length": "50 um",
                           "diam": "1 um", "tag": 4}],
                discretization={"nseg_of": {"dend": 5}})
    assert len(built.spikes) >= 1
    assert np.array_equal(built.traces["value"], table.traces["value"])
    cell.add_section("x", length="1 um", diam="1 um", parent="axon")
    with pytest.raises(ranvier.ModelError, match="no earlier section is named 'axon'"):
        cell.morphology()  # checked by the model file's reader, with its message
    bad = ranvier.Sections()
    with pytest.raises(ranvier.ModelError, match=r"add_section\('soma'\): 'sections.length': expected a length"):
        bad.add_section("soma", length="20 ms", diam="20 um")  # checked at the call
    with pytest.raises(ranvier.ModelError, match=r"'sections.diam'"):
        bad.add_section("soma", length="20 um", diam=20)
    assert len(bad) == 0


@pytest.mark.parametrize("example", ["brunel.toml", "ring.toml", "sources.toml", "detailed/6hz.toml"])
def test_a_loaded_model_is_written_and_read_back_identically(example, tmp_path, monkeypatch):
    model = ranvier.load_model(str(SOURCE / "examples" / example))
    # edits of the options are written too; short runs that still spike
    model.t_stop = {"brunel.toml": 20.0, "detailed/6hz.toml": 4.0}.get(example, 60.0)
    model.options.threads = 2
    path = tmp_path / "copy.toml"
    model.save(str(path))
    monkeypatch.chdir(tmp_path)         # relative SWC / spike-file paths were resolved
    again = ranvier.load_model("copy.toml")
    assert again.t_stop == model.t_stop and again.options == model.options
    assert again.populations == model.populations
    assert again.to_toml().split("\n", 1)[1] == model.to_toml().split("\n", 1)[1]  # a fixed point
    first = ranvier.Simulation(model).run(progress=False)
    second = ranvier.Simulation(again).run(progress=False)
    assert len(first.spikes) > 0
    assert np.array_equal(first.spikes.gid, second.spikes.gid)
    assert np.array_equal(first.spikes.time, second.spikes.time)


def test_to_toml_of_a_model_not_read_from_text():
    net = ranvier.Network()
    net.population("E", 2, **LIF)
    with pytest.raises(ranvier.ModelError, match="Network.to_toml"):
        net.model().to_toml()
    assert "[simulation]" in ranvier.builtin_model().to_toml()
