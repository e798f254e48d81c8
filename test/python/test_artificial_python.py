"""Artificial cells from Python (docs/python.md): the network of
test/validation/test_artificial_neuron.py built with ranvier.Network
(population(cell="artificial", mechanism=..., parameters), projection() and
connect() with plain-number weights, `(array, "1")`) gives the model file's spikes
exactly, and to_toml() reads back."""

import os
import pathlib
import sys

import numpy as np
import pytest

SOURCE = pathlib.Path(os.environ.get("RANVIER_SOURCE_DIR",
                                     pathlib.Path(__file__).resolve().parents[2]))

if os.environ.get("RANVIER_PYTHON_MODULE_BUILT", "ON").upper() in ("OFF", "0", "FALSE"):
    pytest.skip("the build was configured without the Python module", allow_module_level=True)

import ranvier  # noqa: E402

sys.path.insert(0, str(SOURCE / "test" / "validation"))
from test_artificial_neuron import MOD, model_text  # noqa: E402
from artificial_network import CELLS, CONNECTIONS, DT, FIRST_CELL, SOURCES, T_STOP  # noqa: E402


def python_network():
    net = ranvier.Network(mechanisms=[MOD], t_stop=f"{T_STOP} ms", dt=f"{DT} ms", mode="bsp-variable")
    pops = [net.population(f"s{k}", 1, cell="spike_source", times=[f"{t} ms" for t in times])
            for k, times in enumerate(SOURCES)]
    pops += [net.population(f"f{k}", 1, cell="artificial", mechanism="IntervalFire", tau=f"{tau} ms",
                            invl=f"{invl} ms") for k, (tau, invl) in enumerate(CELLS)]
    for k, (source, target, weight, delay) in enumerate(CONNECTIONS):
        if k % 2:
            net.projection(pops[source], pops[target], rule="all_to_all", weight=weight, delay=f"{delay} ms")
        else:  # connect(): numpy weights as plain numbers, unit "1"
            net.connect(pops[source], pops[target], sources=np.array([0]), targets=np.array([0]),
                        weight=(np.array([weight]), "1"), delay=f"{delay} ms")
    return net


def spikes_of(model):
    r = ranvier.Simulation(model).run(progress=False)
    return list(zip(r.spikes.gid.tolist(), r.spikes.time.tolist()))


def test_python_network_gives_the_model_files_spikes(tmp_path):
    path = tmp_path / "model.toml"
    path.write_text(model_text("bsp-variable"))
    expected = spikes_of(ranvier.load_model(str(path)))
    assert sum(1 for gid, _ in expected if gid >= FIRST_CELL) > 50
    net = python_network()
    assert spikes_of(net) == expected
    (tmp_path / "copy.toml").write_text(net.to_toml())
    assert spikes_of(ranvier.load_model(str(tmp_path / "copy.toml"))) == expected
    assert [p["cell"] for p in net.model().populations][FIRST_CELL:] == ["artificial"] * len(CELLS)


def test_errors_name_the_key(tmp_path):
    net = ranvier.Network(mechanisms=[MOD])
    with pytest.raises(ranvier.ModelError, match="IntervalFire has no parameter 'tauu'"):
        net.population("f", 1, cell="artificial", mechanism="IntervalFire", tauu="5 ms")
    with pytest.raises(ranvier.ModelError, match="tau"):  # the .mod file says ms
        net.population("f", 1, cell="artificial", mechanism="IntervalFire", tau="5 mV")
    with pytest.raises(ranvier.ModelError, match="'pas' is not an ARTIFICIAL_CELL"):
        net.population("f", 1, cell="artificial", mechanism="pas")
    f = net.population("f", 1, cell="artificial", mechanism="IntervalFire", tau="5 ms")
    with pytest.raises(ranvier.ModelError, match="plain numbers"):
        net.projection(f, f, rule="all_to_all", weight="0.5 mV", delay="1 ms")
    with pytest.raises(ranvier.ModelError, match="artificial cells, which take events only"):
        net.poisson(f, rate="10 Hz", weight="0.1 mV")
    soma = {"name": "soma", "length": "20 um", "diam": "20 um", "tag": 1}
    with pytest.raises(ranvier.ModelError, match="is an ARTIFICIAL_CELL, a cell of its own"):
        net.population("c", 1, cell="cable", sections=[soma],
                       synapses=[{"location": "soma(0.5)", "mechanism": "IntervalFire"}])
    with pytest.raises(ranvier.ModelError, match="extra_weights"):  # NET_RECEIVE(w) takes one
        net.projection(f, f, rule="all_to_all", weight=0.5, extra_weights=[1.0], delay="1 ms")
