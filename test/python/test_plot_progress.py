"""Plots from Python objects (ranvier.plot with Results, Spikes, Morphology)
without changing the user's matplotlib backend, probes told apart by
location, and run() progress reports (callback, bar, errors).

Needs PYTHONPATH=<source>/python:<build>/python (ctest sets it)."""

import io
import pathlib
import os
import subprocess
import sys

import numpy as np
import pytest

if os.environ.get("RANVIER_PYTHON_MODULE_BUILT", "ON").upper() in ("OFF", "0", "FALSE"):
    pytest.skip("the build was configured without the Python module", allow_module_level=True)

import matplotlib  # noqa: E402

matplotlib.use("svg")  # any non-default backend: ranvier.plot must keep it

import ranvier  # noqa: E402
from ranvier import plot  # noqa: E402


def two_probe_cell():
    """One HH cable cell with v probed at two places, fired by an IClamp."""
    net = ranvier.Network(t_stop="20 ms", dt="0.025 ms")
    pop = net.population("c", 1, cell="cable", discretization={"nseg": 3, "nseg_of": {"soma": 1}},
                         sections=[{"name": "soma", "length": "20 um", "diam": "20 um"},
                                   {"name": "dend", "parent": "soma", "length": "300 um", "diam": "1 um"}],
                         paint=[{"region": "all", "mechanism": "hh"}],
                         stimuli=[{"location": "soma(0.5)", "mechanism": "IClamp", "del": "2 ms",
                                   "dur": "1 ms", "amp": "1 nA"}])
    net.probe(pop, "v", location="soma(0.5)", interval="0.1 ms")
    net.probe(pop, "v", location="dend(0.8333)", interval="0.1 ms")
    return net, pop


def test_importing_and_plotting_keep_the_backend():
    assert matplotlib.get_backend() == "svg"
    sim = ranvier.Simulation(ranvier.builtin_model())
    result = sim.run(50.0, progress=False)
    fig = plot.raster(result)
    assert matplotlib.get_backend() == "svg"
    assert fig is not None and len(fig.axes) == 2
    # the same points as from arrays
    other = plot.raster((result.spikes.gid, result.spikes.time))
    a = fig.axes[0].collections[0].get_offsets()
    b = other.axes[0].collections[0].get_offsets()
    assert a.shape[0] > 0 and np.array_equal(np.asarray(a), np.asarray(b))
    # a fresh interpreter: importing ranvier.plot chooses no backend
    code = ("import matplotlib; matplotlib.use('pdf'); import ranvier.plot; "
            "print(matplotlib.get_backend())")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=os.environ)
    assert out.stdout.strip() == "pdf", out.stderr


def test_two_probes_of_v_on_one_cell_get_their_own_lines(tmp_path):
    net, _ = two_probe_cell()
    sim = ranvier.Simulation(net)
    result = sim.run(progress=False)
    fig = plot.traces(result, sim)
    lines = fig.axes[0].get_lines()
    assert sorted(line.get_label() for line in lines) == ["gid 0 dend(0.8333)", "gid 0 soma(0.5)"]
    soma = next(line for line in lines if "soma" in line.get_label())
    dend = next(line for line in lines if "dend" in line.get_label())
    # each line is one probe, monotonic in time (no zig-zag between two probes)
    assert np.all(np.diff(soma.get_xdata()) > 0) and np.all(np.diff(dend.get_xdata()) > 0)
    assert not np.array_equal(soma.get_ydata(), dend.get_ydata())
    out = tmp_path / "traces.png"
    assert plot.traces(result, sim, out_path=str(out)) is None and out.stat().st_size > 0


def test_morphology_coloured_by_values():
    net, pop = two_probe_cell()
    m = pop.morphology()
    values = m.nodes["distance"]  # any per-node quantity
    fig = plot.morphology(m, values=values, label="distance (um)")
    collection = fig.axes[0].collections[0]
    colours = np.asarray(collection.get_array())
    membrane = m.nodes["area"] > 0
    # every drawn segment carries the value of its node (7 line pieces per segment)
    assert np.array_equal(np.unique(colours), np.unique(values[membrane]))
    fig = plot.morphology(m, values={"soma": 1.0, "dend": 2.0})
    assert set(np.asarray(fig.axes[0].collections[0].get_array()).tolist()) == {1.0, 2.0}


def test_progress_callback_bar_and_errors():
    model = ranvier.builtin_model()
    sim = ranvier.Simulation(model)
    calls = []
    sim.run(100.0, progress=lambda t, t_stop: calls.append((t, t_stop)))
    times = [t for t, _ in calls]
    assert calls and calls[-1] == (100.0, 100.0)
    assert times == sorted(times)
    buffer = io.StringIO()
    bar = ranvier.simulation.ProgressBar(buffer)
    sim.run(150.0, progress=bar)
    bar.close()
    assert "100.0% 150.0/150 ms" in buffer.getvalue() and buffer.getvalue().endswith("\n")

    def fail(t, t_stop):
        raise RuntimeError("enough")
    other = ranvier.Simulation(model)
    with pytest.raises(RuntimeError, match="enough"):
        other.run(100.0, progress=fail)
    assert other.t < 100.0  # it stopped at the first report
    silent = []
    ranvier.Simulation(model).run(20.0, progress=False)
    assert silent == []
    with pytest.raises(TypeError, match="progress must be"):
        sim.run(200.0, progress="yes")


def test_traces_csv_of_two_v_probes_draws_two_lines(tmp_path):
    """ranvier run writes each probe's location; the figure from the file (what
    traces.png shows) has one line per probe, labelled by it."""
    source = pathlib.Path(os.environ.get("RANVIER_SOURCE_DIR", pathlib.Path(__file__).resolve().parents[2]))
    binary = os.environ.get("RANVIER_BIN", str(source / "build" / "ranvier"))
    ring = (source / "examples" / "ring.toml").read_text()
    model = tmp_path / "ring.toml"
    model.write_text(ring.split("[record]")[0] + '[record]\nprobes = [\n'
                     '  { gids = [0], variable = "v", location = "dend[3](0.5)", interval = "0.25 ms" },\n'
                     '  { gids = [0], variable = "v", interval = "0.25 ms" },\n]\n')
    done = subprocess.run([binary, "run", str(model), "--t-stop", "20", "--out", str(tmp_path / "out"),
                           "--no-plot", "-q"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    fig = plot.traces(str(tmp_path / "out" / "traces.csv"))
    labels = sorted(line.get_label() for line in fig.axes[0].get_lines())
    assert labels == ["gid 0 dend[3](0.5)", "gid 0 soma(0.5)"]  # the detector's location, named
    for line in fig.axes[0].get_lines():
        assert np.all(np.diff(line.get_xdata()) > 0)


def test_voltage_map_from_probes_at_every_node():
    net, pop = two_probe_cell()
    net.probe_nodes(pop[0], "v", interval="0.5 ms")
    sim = ranvier.Simulation(net)
    result = sim.run(progress=False)
    m = pop.morphology()
    at_4ms = m.values_at(result, sim, 0, 4.0)
    membrane = m.nodes["area"] > 0
    assert np.all(np.isfinite(at_4ms[membrane])) and np.all(np.isnan(at_4ms[~membrane]))
    # the same numbers as the single soma probe at 4 ms
    soma_probe = 0  # two_probe_cell's first probe: v at soma(0.5), every 0.1 ms
    rows = (result.traces["probe"] == soma_probe) & np.isclose(result.traces["time"], 4.0)
    assert at_4ms[m.node_of("soma(0.5)")] == result.traces["value"][rows][0]
    assert np.nanmax(at_4ms) - np.nanmin(at_4ms) > 1.0  # the action potential spreads: a gradient
    fig = plot.morphology(m, values=at_4ms, label="v at 4 ms (mV)")
    assert np.nanmax(np.asarray(fig.axes[0].collections[0].get_array())) == np.nanmax(at_4ms)
