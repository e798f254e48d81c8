"""Recording currents and conductances of cable mechanisms (hh.ina, hh.gk,
ExpSyn.i, Exp2Syn.g, IClamp.i, pas.i, ...) and LIF synaptic currents, in
every mode: the currents balance the membrane's charging (C dv/dt = -sum of
ionic currents + injected current), synaptic currents equal g (v - e) of
the recorded g and v, and a clamp's current is on exactly in [del, del + dur).

Needs PYTHONPATH=<source>/python:<build>/python (ctest sets it)."""

import os

import numpy as np
import pytest

if os.environ.get("RANVIER_PYTHON_MODULE_BUILT", "ON").upper() in ("OFF", "0", "FALSE"):
    pytest.skip("the build was configured without the Python module", allow_module_level=True)

import ranvier  # noqa: E402

VARIABLES = ["v", "hh.ina", "hh.ik", "hh.il", "hh.gna", "hh.gk", "ExpSyn.i", "ExpSyn.g", "IClamp.i"]
AREA_UM2 = np.pi * 20 * 20  # the soma cylinder's lateral area


def one_compartment(mode):
    # A fine step: the fixed-step modes' first-order error at an upstroke
    # stays a few percent of dv/dt (at dt = 0.025 ms it is 20 %).
    net = ranvier.Network(t_stop="20 ms", dt="0.0025 ms", mode=mode, atol=1e-6)
    interval = "0.0025 ms"
    cell = net.population(
        "c", 1, cell="cable", sections=[{"name": "soma", "length": "20 um", "diam": "20 um"}],
        paint=[{"region": "all", "mechanism": "hh"}],
        synapses=[{"location": "soma(0.5)", "mechanism": "ExpSyn", "tau": "2 ms", "e": "0 mV"}],
        stimuli=[{"location": "soma(0.5)", "mechanism": "IClamp", "del": "2 ms", "dur": "1 ms",
                  "amp": "0.5 nA"}],
        events=[{"synapse": 0, "time": "10 ms", "weight": "0.01 uS"}])
    for variable in VARIABLES:
        net.probe(cell, variable, location="soma(0.5)", interval=interval)
    sim = ranvier.Simulation(net)
    result = sim.run(progress=False)
    traces = {}
    for k, probe in enumerate(sim.probes(0)):
        rows = result.traces["probe"] == k
        traces[probe["variable"]] = result.traces["value"][rows]
        traces["t"] = result.traces["time"][rows]
    return result, traces


@pytest.mark.parametrize("mode", ranvier.MODES)
def test_currents_balance_the_charging_of_the_membrane(mode):
    result, x = one_compartment(mode)
    assert len(result.spikes) == 2  # the clamp and the synaptic event each fire the cell
    assert x["t"][0] == 0.0
    # injected (nA -> mA/cm2) minus ionic and synaptic currents (ExpSyn.i in nA, outward)
    injected = (x["IClamp.i"] - x["ExpSyn.i"]) * 100.0 / AREA_UM2
    ionic = x["hh.ina"] + x["hh.ik"] + x["hh.il"]
    dvdt = np.gradient(x["v"], x["t"])                   # mV/ms
    expected = 1000.0 * (injected - ionic)              # cm = 1 uF/cm2: 1 mA/cm2 -> 1000 mV/ms
    # away from the clamp's edges (a jump in dv/dt) the two agree to the step's
    # accuracy: within 5 % of the largest rate of change, an action potential's
    # upstroke (found: 2.8 % with backward Euler at this dt, 0.01 % with CVODE)
    smooth = (np.abs(x["t"] - 2.0) > 0.1) & (np.abs(x["t"] - 3.0) > 0.1) & (np.abs(x["t"] - 10.0) > 0.1)
    scale = np.max(np.abs(expected))
    assert scale > 50.0  # spikes are in the window: the check is not of a resting cell
    assert np.max(np.abs(dvdt - expected)[smooth]) < 0.05 * scale
    # ... while a wrong sign or a missing current would be far off
    assert np.max(np.abs(dvdt - 1000.0 * (injected + ionic))[smooth]) > 0.3 * scale


@pytest.mark.parametrize("mode", ["bsp-fixed", "bsp-variable"])
def test_synaptic_current_is_g_times_driving_force_and_clamp_is_on_in_its_window(mode):
    _, x = one_compartment(mode)
    np.testing.assert_allclose(x["ExpSyn.i"], x["ExpSyn.g"] * (x["v"] - 0.0), rtol=1e-12, atol=1e-15)
    assert x["ExpSyn.g"][x["t"] < 10.0].max() == 0.0 and x["ExpSyn.g"].max() > 0.005
    on = (x["t"] >= 2.0 - 1e-9) & (x["t"] < 3.0 - 1e-9)
    assert np.all(x["IClamp.i"][on] == 0.5) and np.all(x["IClamp.i"][~on] == 0.0)
    gna = x["hh.gna"]
    assert np.all(gna >= 0) and np.all(gna <= 0.12) and np.all(x["hh.gk"] <= 0.036)


def test_unknown_current_lists_the_recordable_ones():
    net = ranvier.Network(t_stop="1 ms")
    cell = net.population("c", 1, cell="cable", sections=[{"name": "soma", "length": "20 um", "diam": "20 um"}],
                          paint=[{"region": "all", "mechanism": "pas"}])
    net.probe(cell, "pas.ina", location="soma(0.5)")
    with pytest.raises(ranvier.ModelError, match=r"pas has no state or current 'ina' \(states: none; "
                                                 r"currents and conductances: i \(mA/cm2\)\)"):
        ranvier.Simulation(net)


@pytest.mark.parametrize("mode", ranvier.MODES)
@pytest.mark.parametrize("synapse", ["exp", "alpha"])
def test_lif_synaptic_currents_follow_their_kernels(mode, synapse):
    """One excitatory (200 pA) and one inhibitory (-100 pA) spike onto a LIF cell:
    I_syn_ex and I_syn_in are the NEST kernels w exp(-s/tau) or w e s/tau exp(-s/tau)."""
    net = ranvier.Network(t_stop="30 ms", dt="0.1 ms", mode=mode)
    # 5.05 ms: off the sample grid, so no sample falls on the arrival itself
    # (the variable modes sample an event's instant before it acts, the fixed
    # modes after their step's events; test_samples_at_an_arrival_time_...
    # below covers that instant); the fixed modes stamp the spike at the next
    # step, 5.1 ms
    src = net.population("src", 2, cell="spike_source", times=["5.05 ms"])
    cell = net.population("cell", 1, synapse=synapse, tau_syn_ex="2 ms", tau_syn_in="4 ms", V_th="100 mV")
    net.connect(src, cell, sources=[0, 1], targets=[0, 0], weight=np.array([200.0, -100.0]) * ranvier.units.pA,
                delay="1 ms")
    for variable in ("I_syn_ex", "I_syn_in", "v"):
        net.probe(cell, variable, interval="0.1 ms")
    sim = ranvier.Simulation(net)
    result = sim.run(progress=False)
    x = {}
    for k, p in enumerate(sim.probes(2)):
        rows = result.traces["probe"] == k
        x[p["variable"]], t = result.traces["value"][rows], result.traces["time"][rows]
    s = t - (6.1 if mode.endswith("fixed") else 6.05)  # the spike arrives 1 ms later
    for name, w, tau in (("I_syn_ex", 200.0, 2.0), ("I_syn_in", -100.0, 4.0)):
        kernel = np.exp(-s / tau) if synapse == "exp" else np.e * s / tau * np.exp(-s / tau)
        expected = np.where(s >= -1e-9, w * kernel, 0.0)
        np.testing.assert_allclose(x[name], expected, atol=1e-9 * abs(w))
    assert x["v"].max() > -70.0 + 0.1  # the excitatory current depolarises the cell


def test_lif_delta_synapses_have_no_synaptic_current():
    net = ranvier.Network(t_stop="1 ms")
    cell = net.population("cell", 1)
    net.probe(cell, "I_syn_ex")
    with pytest.raises(ranvier.ModelError, match="has no 'I_syn_ex' to probe; it has 'v' "
                                                 r"\(with delta synapses inputs jump v"):
        ranvier.Simulation(net)


@pytest.mark.parametrize("synapse", ["delta", "exp"])
def test_samples_at_an_arrival_time_are_the_same_in_bsp_and_async(synapse):
    """A spike arriving exactly on the sample grid (5 ms + 1 ms delay = 6 ms): the sample at 6 ms
    shows the state before that event in both variable modes, whatever the engine's advances
    (async advances may end at 6 ms before the event is known), so bsp-variable and
    async-variable give the same traces, bit for bit."""
    traces = {}
    for mode in ("bsp-variable", "async-variable"):
        net = ranvier.Network(t_stop="20 ms", dt="0.1 ms", mode=mode)
        src = net.population("src", 1, cell="spike_source", times=["5 ms"])
        keys = {} if synapse == "delta" else {"tau_syn_ex": "2 ms"}
        cell = net.population("cell", 1, synapse=synapse, V_th="100 mV", **keys)
        net.connect(src, cell, sources=[0], targets=[0], weight=np.array([5.0 if synapse == "delta" else 300.0])
                    * (ranvier.units.mV if synapse == "delta" else ranvier.units.pA), delay="1 ms")
        net.probe(cell, "v", interval="0.5 ms")
        result = ranvier.Simulation(net).run(progress=False)
        traces[mode] = (result.traces["time"].copy(), result.traces["value"].copy())
    t, v = traces["bsp-variable"]
    np.testing.assert_array_equal(traces["async-variable"][0], t)
    np.testing.assert_array_equal(traces["async-variable"][1], v)
    at = np.flatnonzero(t == 6.0)[0]
    assert v[at] == v[at - 1], "the sample at 6 ms is taken before the event at 6 ms"
    assert v[at + 1] > v[at], "the event acts right after"
