"""User mechanisms from .mod files in Python: ranvier.Network(mechanisms=[dir])
gives the run of the model file with mechanisms = [dir], to_toml() writes
the key, and the translations of hh.mod and pas.mod (as hhu, pasu) give the
run of the built-in hh and pas (fixed step: the same spikes; see
test/unit/test_build_mechanisms.py and nmodl_translation_test)."""

import os
import pathlib

import numpy as np
import pytest

SOURCE = pathlib.Path(os.environ.get("RANVIER_SOURCE_DIR",
                                     pathlib.Path(__file__).resolve().parents[2]))
NMODL = SOURCE / "test" / "data" / "nmodl"

if os.environ.get("RANVIER_PYTHON_MODULE_BUILT", "ON").upper() in ("OFF", "0", "FALSE"):
    pytest.skip("the build was configured without the Python module", allow_module_level=True)

import ranvier  # noqa: E402


def cable_network(hh, pas, mechanisms=None):
    net = ranvier.Network(mechanisms=mechanisms, t_stop="40 ms", dt="0.025 ms", mode="bsp-fixed")
    sections = [{"name": "soma", "length": "20 um", "diam": "20 um", "tag": 1},
                {"name": "dend", "parent": "soma", "parent_x": 1, "length": "200 um", "diam": "2 um", "tag": 3}]
    cells = net.population(
        "c", 2, cell="cable", celsius="10 degC", v_init="-65 mV", discretization={"nseg": 5},
        paint=[{"region": "soma", "mechanism": hh},
               {"region": "dend", "mechanism": pas, "g": "0.0001 S/cm2", "e": "-65 mV"}],
        synapses=[{"location": "dend(0.5)", "mechanism": "ExpSyn", "tau": "2 ms", "e": "0 mV"}],
        events=[{"synapse": 0, "time": "1 ms", "weight": "0.05 uS", "cells": [0]}],
        sections=sections)
    net.connect(cells, cells, sources=np.array([0, 1]), targets=np.array([1, 0]), synapse=0,
                weight="0.05 uS", delay="5 ms")
    net.probe(cells[0:1], variable=f"{hh}.m", location="soma(0.5)", interval="0.5 ms")
    return net


def test_network_with_user_mechanisms(tmp_path):
    mod = tmp_path / "mod"
    mod.mkdir()
    (mod / "hhu.mod").write_text((NMODL / "hh.mod").read_text().replace("SUFFIX hh", "SUFFIX hhu"))
    (mod / "pasu.mod").write_text((NMODL / "pas.mod").read_text().replace("SUFFIX pas", "SUFFIX pasu"))
    net = cable_network("hhu", "pasu", mechanisms=[mod])
    user = ranvier.Simulation(net).run()
    builtin = ranvier.Simulation(cable_network("hh", "pas")).run()
    assert len(builtin.spikes) >= 4  # the kick goes round
    assert np.array_equal(user.spikes.gid, builtin.spikes.gid)
    assert np.max(np.abs(user.spikes.time - builtin.spikes.time)) < 1e-9
    assert np.max(np.abs(user.traces["value"] - builtin.traces["value"])) < 1e-9
    assert len(user.traces["value"]) > 50

    text = net.to_toml()
    assert text.splitlines()[1] == f'mechanisms = ["{mod}"]'
    again = ranvier.Simulation(ranvier.parse_model(text)).run()
    assert np.array_equal(again.spikes.time, user.spikes.time)
    assert np.array_equal(again.traces["value"], user.traces["value"])


def test_mechanisms_after_a_population_are_refused(tmp_path):
    net = cable_network("hh", "pas")
    with pytest.raises(ValueError) as e:
        net.mechanisms([tmp_path])
    assert "before the first population" in str(e.value)
