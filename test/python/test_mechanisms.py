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
BUILTIN = SOURCE / "src" / "cable" / "mechanisms" / "builtin"  # the built-ins' .mod files
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
    (mod / "hhu.mod").write_text((BUILTIN / "hh.mod").read_text().replace("SUFFIX hh", "SUFFIX hhu"))
    (mod / "pasu.mod").write_text((BUILTIN / "pas.mod").read_text().replace("SUFFIX pas", "SUFFIX pasu"))
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


def hh_cell(ions=None, probe="v", **hh):
    net = ranvier.Network(t_stop="20 ms", dt="0.025 ms", mode="bsp-fixed")
    keys = {} if ions is None else {"ions": ions}
    cells = net.population(
        "c", 1, cell="cable", v_init="-65 mV", discretization={"nseg": 1},
        paint=[{"region": "soma", "mechanism": "hh", **hh}],
        stimuli=[{"location": "soma(0.5)", "mechanism": "IClamp", "del": "2 ms", "dur": "10 ms",
                  "amp": "0.3 nA"}],
        sections=[{"name": "soma", "length": "20 um", "diam": "20 um", "tag": 1}], **keys)
    net.probe(cells, variable=probe, location="soma(0.5)", interval="0.5 ms")
    return net


def test_ions_of_the_builtin_hh():
    """hh reads ena/ek from the na and k ions: `ions` in Python as in the
    model file; ion variables are probes."""
    default = ranvier.Simulation(hh_cell()).run()
    same = ranvier.Simulation(hh_cell([{"region": "all", "ion": "k", "e": "-77 mV"}])).run()
    assert np.array_equal(default.traces["value"], same.traces["value"])
    net = hh_cell([{"region": "soma", "ion": "k", "e": "-90 mV"}])
    other = ranvier.Simulation(net).run()
    assert np.max(np.abs(other.traces["value"] - default.traces["value"])) > 1.0
    again = ranvier.Simulation(ranvier.parse_model(net.to_toml())).run()
    assert np.array_equal(again.traces["value"], other.traces["value"])
    ek = ranvier.Simulation(hh_cell([{"region": "soma", "ion": "k", "e": "-90 mV"}], probe="ek")).run()
    assert np.all(ek.traces["value"] == -90.0)
    ina = ranvier.Simulation(hh_cell(probe="ina")).run()
    assert np.min(ina.traces["value"]) < -0.1  # mA/cm2, inward during spikes


def test_hh_reversal_potentials_given_with_the_painting():
    """Model files written when hh had ena/ek parameters keep working: a
    painting's e<ion> of an ion the mechanism reads sets that ion on the
    painted region, exactly as `ions = [...]` does; `ions` given as well wins."""
    by_ions = ranvier.Simulation(hh_cell([{"region": "soma", "ion": "k", "e": "-90 mV"},
                                          {"region": "soma", "ion": "na", "e": "55 mV"}])).run()
    by_paint = ranvier.Simulation(hh_cell(ek="-90 mV", ena="55 mV")).run()
    assert np.array_equal(by_paint.traces["value"], by_ions.traces["value"])
    default = ranvier.Simulation(hh_cell()).run()
    assert np.max(np.abs(by_paint.traces["value"] - default.traces["value"])) > 1.0
    ek = ranvier.Simulation(hh_cell(probe="ek", ek="-90 mV")).run()
    assert np.all(ek.traces["value"] == -90.0)
    wins = ranvier.Simulation(hh_cell([{"region": "soma", "ion": "k", "e": "-80 mV"}],
                                      probe="ek", ek="-90 mV")).run()
    assert np.all(wins.traces["value"] == -80.0)
    with pytest.raises(ValueError) as e:
        hh_cell(ek="-90 nA")
    assert "ek" in str(e.value)
    with pytest.raises(ValueError) as e:
        hh_cell(eca="120 mV")  # hh reads no calcium
    assert "no parameter 'eca'" in str(e.value)


def test_mechanism_globals(tmp_path):
    """`globals=[{"mechanism": ..., name: value}]` sets a mechanism's GLOBALs
    (docs/model-file.md): tabedge's TABLEs off (usetable 0, NEURON's
    usetable_tabedge) and its DEPEND global shift change v; to_toml keeps them."""
    mod = tmp_path / "mod"
    mod.mkdir()
    (mod / "tabedge.mod").write_text((NMODL / "user" / "tabedge.mod").read_text())

    def run(globals_=None):
        net = ranvier.Network(mechanisms=[str(mod)], t_stop="20 ms", dt="0.025 ms", mode="bsp-fixed")
        keys = {} if globals_ is None else {"globals": globals_}
        cells = net.population(
            "c", 1, cell="cable", v_init="-65 mV", discretization={"nseg": 1},
            paint=[{"region": "soma", "mechanism": "hh"}, {"region": "soma", "mechanism": "tabedge"}],
            stimuli=[{"location": "soma(0.5)", "mechanism": "IClamp", "del": "2 ms", "dur": "10 ms",
                      "amp": "0.3 nA"}],
            sections=[{"name": "soma", "length": "20 um", "diam": "20 um", "tag": 1}], **keys)
        net.probe(cells, variable="v", location="soma(0.5)", interval="0.5 ms")
        return net, ranvier.Simulation(net).run().traces["value"]

    _, tables = run()
    _, same = run([{"mechanism": "tabedge", "usetable": 1}])
    assert np.array_equal(tables, same)  # usetable's default is 1, as NEURON's
    net, off = run([{"mechanism": "tabedge", "usetable": 0}])
    assert np.max(np.abs(off - tables)) > 1e-3
    again = ranvier.Simulation(ranvier.parse_model(net.to_toml())).run().traces["value"]
    assert np.array_equal(again, off)
    _, shifted = run([{"mechanism": "tabedge", "shift": "3 mV"}])
    assert np.max(np.abs(shifted - tables)) > 1e-3
    with pytest.raises(ValueError) as e:
        run([{"mechanism": "tabedge", "shift": 3}])
    assert "expected a voltage" in str(e.value)
