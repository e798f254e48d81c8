"""extra_weights from Python (docs/python.md): projection() and connect()
take the model file's key; the network of test/validation/test_net_receive_neuron.py
built in Python gives the model file's run, and to_toml() writes the key."""

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
from test_net_receive_neuron import EVENTS, model_text  # noqa: E402


def python_network(scale_a=0.5):
    net = ranvier.Network(mechanisms=[EVENTS], t_stop="50 ms", dt="0.025 ms", mode="bsp-fixed",
                          atol=1e-7, group_size=2)
    s1 = net.population("s1", 1, cell="spike_source", times=["2 ms", "7 ms", "9.5 ms", "17 ms", "30 ms"])
    s2 = net.population("s2", 1, cell="spike_source", times=["4.5 ms", "12 ms", "20 ms"])
    soma = {"name": "soma", "length": "20 um", "diam": "20 um", "tag": 1}
    dend = {"name": "dend", "parent": "soma", "parent_x": 1, "length": "200 um", "diam": "2 um", "tag": 3}
    pas = {"mechanism": "pas", "g": "0.0001 S/cm2", "e": "-65 mV"}
    hh = {"region": "soma", "mechanism": "hh"}
    common = dict(cell="cable", celsius="6.3 degC", v_init="-65 mV",
                  detector={"location": "soma(0.5)", "threshold": "0 mV"})

    def disc(**nseg):
        return {"discretization": {"Ra": "100 ohm*cm", "cm": "1 uF/cm2", "nseg_of": nseg}}
    a = net.population("A", 1, paint=[hh, dict(pas, region="dend")], sections=[soma, dend],
                       synapses=[{"location": "soma(0.5)", "mechanism": "GateSyn", "tspont": "25 ms",
                                  "gspont": "0.004 uS"}], **disc(soma=1, dend=5), **common)
    b = net.population("B", 1, paint=[dict(pas, region="soma")], sections=[soma],
                       synapses=[{"location": "soma(0.5)", "mechanism": "Relay", "lag": "2 ms"},
                                 {"location": "soma(0.5)", "mechanism": "GateSyn"}], **disc(soma=1), **common)
    c = net.population("C", 1, paint=[hh], sections=[soma],
                       synapses=[{"location": "soma(0.5)", "mechanism": "GateSyn"}], **disc(soma=1), **common)
    net.projection(s1, a, rule="all_to_all", synapse=0, weight="3.90625 nS", delay="1 ms",
                   extra_weights=[scale_a])
    # connect() takes the key too (explicit pairs from arrays).
    net.connect(s2, a, sources=np.array([0]), targets=np.array([0]), synapse=0, weight="1.953125 nS",
                delay="1.5 ms", extra_weights=[2.0])
    net.projection(a, b, rule="all_to_all", synapse=0, weight="0 nS", delay="1 ms")
    net.projection(s1, b, rule="all_to_all", synapse=1, weight="3.90625 nS", delay="2 ms", extra_weights=[1.0])
    net.projection(b, c, rule="all_to_all", synapse=0, weight="15.625 nS", delay="1 ms", extra_weights=[0.5])
    net.probe([2, 3, 4], variable="v", location="soma(0.5)", interval="0.25 ms")
    net.record(spikes=True)
    return net


def test_python_network_gives_the_model_file_run():
    net = python_network()
    got = ranvier.Simulation(net).run()
    ref = ranvier.Simulation(ranvier.parse_model(model_text("bsp-fixed"))).run()
    assert len(got.spikes) >= 8
    assert np.array_equal(got.spikes.gid, ref.spikes.gid)
    assert np.array_equal(got.spikes.time, ref.spikes.time)
    text = net.to_toml()
    assert "extra_weights = [2.0]" in text and "extra_weights = [0.5]" in text
    again = ranvier.Simulation(ranvier.parse_model(text)).run()
    assert np.array_equal(again.spikes.time, got.spikes.time)
    assert np.array_equal(again.traces["value"], got.traces["value"])
    # The key matters: another scale on one connection changes the run.
    other = ranvier.Simulation(python_network(scale_a=0.0)).run()
    assert not np.array_equal(other.traces["value"], got.traces["value"])


def test_too_many_extra_weights_from_python():
    net = python_network()
    with pytest.raises(ValueError) as e:
        net.projection("s2", "A", rule="all_to_all", synapse=0, weight="1 nS", extra_weights=[1, 2, 3, 4])
    assert "extra_weights" in str(e.value) and "takes 3 after the weight" in str(e.value)
