"""User mechanisms against NEURON 8.2: test/data/nmodl/user/kdr.mod (cnexp),
kkin.mod (KINETIC, sparse, STEADYSTATE at INITIAL) and kdi.mod (derivimplicit,
a gate with a nonlinear equation) translated and compiled by Ranvier
(mechanisms = [...] in a model file) and by NEURON's nrnivmodl, on the same
two-section cell with hh, pas and an IClamp
(test/validation/reference/neuron/user_mechanism.py, output committed in
reference/neuron/user_mechanism/; make_user_mechanism_reference.sh remakes it).

Fixed step (backward Euler, dt 0.025 ms): v and the states n (kdr), o (kkin)
and w (kdi) at the soma every 0.25 ms, and the spike steps. Measured:
4.9e-10 mV, and 5.8e-12, 3.8e-12, 3.2e-13 in the states (the two
implementations evaluate the same formulas: nocmodl's cnexp update for
n' = (ninf - n)/ntau is Ranvier's; sparse and derivimplicit are backward
Euler solved by Newton's method in both, converged further than these
differences; NEURON's di/dv is the numerical (i(v+0.001) - i(v))/0.001,
Ranvier's the exact derivative, which differ by roundoff for currents linear
in v). Tolerance 1e-8 mV and 1e-10 in the states: 20 to 300 times the
measured roundoff (another libm or FMA contraction), far below the
1e-4 mV the built-in hh and pas are held to against NEURON
(cable_neuron_reference) and below any real mistake (vhalf 0.01 mV off
moves v by more than 1e-3 mV: checked below).
CVODE: Ranvier's per-cell CVODE at atol 1e-7 against NEURON's global CVODE
at 1e-9 with condition_order 2 (interpolated crossings): measured 7.2e-6 ms,
held to 2e-5 ms, cable_cvode_reference's bound for the built-ins at 1e-7."""

import csv
import json
import os
import pathlib
import shutil
import subprocess

SOURCE = pathlib.Path(os.environ.get("RANVIER_SOURCE_DIR",
                                     pathlib.Path(__file__).resolve().parents[2]))
RANVIER = os.environ.get("RANVIER_BIN", str(SOURCE / "build" / "ranvier"))
REFERENCE = SOURCE / "test" / "validation" / "reference" / "neuron" / "user_mechanism"

MODEL = """mechanisms = ["mod"]

[simulation]
t_stop = "50 ms"
dt = "0.025 ms"
mode = "{mode}"
atol = 1e-7

[[population]]
name = "cell"
size = 1
cell = "cable"
celsius = "6.3 degC"
v_init = "-65 mV"
discretization = {{ Ra = "100 ohm*cm", cm = "1 uF/cm2", nseg_of = {{ soma = 1, dend = 5 }} }}
paint = [
    {{ region = "soma", mechanism = "hh" }},
    {{ region = "soma", mechanism = "kdr", gbar = "0.02 S/cm2", vhalf = "{vhalf} mV" }},
    {{ region = "soma", mechanism = "kkin", gbar = "0.001 S/cm2" }},
    {{ region = "soma", mechanism = "kdi" }},
    {{ region = "dend", mechanism = "pas", g = "0.0001 S/cm2", e = "-65 mV" }},
]
stimuli = [{{ location = "soma(0.5)", mechanism = "IClamp", del = "5 ms", dur = "30 ms", amp = "0.3 nA" }}]
detector = {{ location = "soma(0.5)", threshold = "0 mV" }}
sections = [
    {{ name = "soma", length = "20 um", diam = "20 um", tag = 1 }},
    {{ name = "dend", parent = "soma", parent_x = 1, length = "200 um", diam = "2 um", tag = 3 }},
]

[record]
spikes = true
probes = [
    {{ gids = [0], variable = "v", location = "soma(0.5)", interval = "0.25 ms" }},
    {{ gids = [0], variable = "kdr.n", location = "soma(0.5)", interval = "0.25 ms" }},
    {{ gids = [0], variable = "kkin.o", location = "soma(0.5)", interval = "0.25 ms" }},
    {{ gids = [0], variable = "kdi.w", location = "soma(0.5)", interval = "0.25 ms" }},
]
"""


def ranvier(tmp_path, mode, vhalf="-30"):
    mod = tmp_path / "mod"
    if not mod.exists():
        mod.mkdir()
        for name in ("kdr", "kkin", "kdi"):
            shutil.copy(SOURCE / "test" / "data" / "nmodl" / "user" / f"{name}.mod", mod / f"{name}.mod")
    model = tmp_path / f"{mode}{vhalf}.toml"
    model.write_text(MODEL.format(mode=mode, vhalf=vhalf))
    out = tmp_path / f"out-{mode}{vhalf}"
    r = subprocess.run([RANVIER, "run", str(model), "-o", str(out), "--no-plot", "-q"],
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    with open(out / "spikes.csv") as f:
        spikes = [float(row["time_ms"]) for row in csv.DictReader(f)]
    traces = {"v": [], "kdr.n": [], "kkin.o": [], "kdi.w": []}
    with open(out / "traces.csv") as f:
        for row in csv.DictReader(f):
            traces[row["probe"]].append((float(row["time_ms"]), float(row["value"])))
    return spikes, traces


def reference():
    with open(REFERENCE / "kdr_cell.csv") as f:
        rows = [(float(r["t_ms"]), float(r["v_soma_mV"]), float(r["n_kdr"]), float(r["o_kkin"]),
                 float(r["w_kdi"])) for r in csv.DictReader(f)]
    with open(REFERENCE / "kdr_spikes.json") as f:
        spikes = json.load(f)
    assert len(rows) == 201 and len(spikes["be"]) >= 3  # committed, complete, and the cell fires
    return rows, spikes


def test_fixed_step_matches_neuron(tmp_path):
    rows, spikes = reference()
    got_spikes, traces = ranvier(tmp_path, "bsp-fixed")
    assert len(traces["v"]) == len(rows)
    dv = max(abs(v - r[1]) for (_, v), r in zip(traces["v"], rows))
    dn = max(abs(n - r[2]) for (_, n), r in zip(traces["kdr.n"], rows))
    do = max(abs(o - r[3]) for (_, o), r in zip(traces["kkin.o"], rows))
    dw = max(abs(w - r[4]) for (_, w), r in zip(traces["kdi.w"], rows))
    assert all(abs(t - r[0]) < 1e-9 for (t, _), r in zip(traces["v"], rows))
    print(f"user mechanisms, fixed step: max |dv| = {dv:.3g} mV, |dn| = {dn:.3g}, |do| = {do:.3g}, "
          f"|dw| = {dw:.3g}")
    assert dv < 1e-8
    assert dn < 1e-10 and do < 1e-10 and dw < 1e-10
    assert max(r[3] for r in rows) > 0.5 and max(r[4] for r in rows) > 0.05  # the states move
    assert len(got_spikes) == len(spikes["be"])
    assert max(abs(a - b) for a, b in zip(got_spikes, spikes["be"])) < 1e-6  # the same steps

    # The comparison can fail: vhalf 0.01 mV off moves v by much more than the tolerance.
    _, off = ranvier(tmp_path, "bsp-fixed", vhalf="-30.01")
    assert max(abs(v - r[1]) for (_, v), r in zip(off["v"], rows)) > 1e-3


def test_cvode_matches_neuron(tmp_path):
    _, spikes = reference()
    got, _ = ranvier(tmp_path, "bsp-variable")
    assert len(got) == len(spikes["cvode"])
    err = max(abs(a - b) for a, b in zip(got, spikes["cvode"]))
    print(f"user mechanisms, CVODE atol 1e-7: max spike time difference {err:.3g} ms")
    assert err < 2e-5
