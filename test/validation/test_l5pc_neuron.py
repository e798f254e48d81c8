"""The layer-5 pyramidal-like cell of examples/l5pc (nine .mod files with the
calcium ion: cahva and calva read eca, sk reads cai, the pool cadyn writes cai
from ica) run by Ranvier from examples/l5pc/l5pc.toml, against NEURON 8.2 on
the same files (test/validation/reference/neuron/l5pc_reference.py; committed
output l5pc_{be,cn,cvode}.csv and l5pc_*_spikes.json).

Fixed step (backward Euler, dt 0.025 ms, 300 ms, 7 spikes): v at soma, axon,
trunk and tuft and cai at the soma every 0.1 ms. Measured: 1.1e-8 mV and
5e-14 mM. The reference is printed with 10 significant digits (rounding up to
5e-9 mV for |v| < 100 mV and 5e-15 mM for cai near 1e-4 mM), so the agreement
is at the print resolution plus roundoff of two implementations of the same
formulas carried through seven spikes. Held to 5e-8 mV and 5e-13 mM; the
same for Crank-Nicolson (measured 6.5e-9 mV; without NEURON's correction of
the ion currents to the half step the difference is 135 mV). A real
mistake shows far above that: cao 2.002 mM instead of 2 mM (a 0.013 mV
shift of eca) moves v by more than 1e-4 mV (checked below), and NEURON's
legacy FARADAY or R would too.

CVODE (atol 1e-6, rtol 0, as the reference): spike times. Ranvier's per-cell
CVODE and NEURON's global CVODE control the error differently; at this atol
each is about 1e-3 ms from the converged solution (measured: NEURON's spikes
are up to 1.7e-3 ms from Ranvier's at atol 1e-8, Ranvier's at 1e-6 up to
5e-4 ms), and the two differ by up to 1.4e-3 ms. Held to 3e-3 ms, and cai to
1e-8 mM (measured 4.2e-9). The async modes are compared bit for bit with
the bsp ones.
"""

import csv
import json
import os
import pathlib
import subprocess

SOURCE = pathlib.Path(os.environ.get("RANVIER_SOURCE_DIR",
                                     pathlib.Path(__file__).resolve().parents[2]))
RANVIER = os.environ.get("RANVIER_BIN", str(SOURCE / "build" / "ranvier"))
EXAMPLE = SOURCE / "examples" / "l5pc"
REFERENCE = SOURCE / "test" / "validation" / "reference" / "neuron"


def ranvier(tmp_path, mode, cao="2 mM", tag="", scheme=None):
    text = (EXAMPLE / "l5pc.toml").read_text()
    assert 'mode = "bsp-fixed"' in text and 'cao = "2 mM"' in text
    text = text.replace('mode = "bsp-fixed"', f'mode = "{mode}"' + (
        "\natol = 1e-6" if "variable" in mode else "") + (f'\nscheme = "{scheme}"' if scheme else ""))
    text = text.replace('cao = "2 mM"', f'cao = "{cao}"')
    text = text.replace('morphology = "l5pc.swc"', f'morphology = "{EXAMPLE / "l5pc.swc"}"')
    text = text.replace('mechanisms = ["mod"]', f'mechanisms = ["{EXAMPLE / "mod"}"]')
    model = tmp_path / f"{mode}{tag}.toml"
    model.write_text(text)
    out = tmp_path / f"out-{mode}{tag}"
    r = subprocess.run([RANVIER, "run", str(model), "-o", str(out), "--no-plot", "-q"],
                       capture_output=True, text=True, timeout=900)
    assert r.returncode == 0, r.stderr
    with open(out / "spikes.csv") as f:
        spikes = [float(row["time_ms"]) for row in csv.DictReader(f)]
    traces = {}
    with open(out / "traces.csv") as f:
        for row in csv.DictReader(f):
            traces.setdefault((row["probe"], row["location"]), []).append(
                (float(row["time_ms"]), float(row["value"])))
    return spikes, traces, out


def reference(method):
    with open(REFERENCE / f"l5pc_{method}.csv") as f:
        rows = list(csv.DictReader(f))
    with open(REFERENCE / f"l5pc_{method}_spikes.json") as f:
        spikes = json.load(f)["spikes_ms"]
    assert len(rows) == 3000 and len(spikes) == 7  # committed, complete, and the cell fires
    return rows, spikes


def max_errors(traces, rows):
    """Largest |Ranvier - NEURON| per reference column, samples matched by time."""
    errors = {}
    for column in rows[0]:
        if column == "t_ms":
            continue
        name, location = column.split("@")
        got = traces["v" if name == "v_mV" else "cai", location]
        assert len(got) >= len(rows)
        assert all(abs(t - float(r["t_ms"])) < 1e-9 for (t, _), r in zip(got, rows))
        errors[column] = max(abs(x - float(r[column])) for (_, x), r in zip(got, rows))
    return errors


def test_fixed_step_matches_neuron(tmp_path):
    rows, ref_spikes = reference("be")
    spikes, traces, out = ranvier(tmp_path, "bsp-fixed")
    errors = max_errors(traces, rows)
    print("l5pc, backward Euler dt 0.025 ms:", {k: f"{v:.3g}" for k, v in errors.items()})
    for column, err in errors.items():
        assert err < (5e-13 if column.startswith("cai") else 5e-8), column
    # cai moves (the pool works): from 1e-4 mM up by spikes' calcium.
    cai = traces["cai", "soma(0.5)"]
    assert max(x for _, x in cai) > 2e-4
    assert len(spikes) == len(ref_spikes)
    assert max(abs(a - b) for a, b in zip(spikes, ref_spikes)) < 1e-6  # the same steps

    # async-fixed: the same numbers.
    _, _, out_async = ranvier(tmp_path, "async-fixed")
    assert (out_async / "traces.csv").read_bytes() == (out / "traces.csv").read_bytes()
    assert (out_async / "spikes.csv").read_bytes() == (out / "spikes.csv").read_bytes()

    # The comparison can fail: cao 0.1 % off moves v well above the tolerance.
    _, off, _ = ranvier(tmp_path, "bsp-fixed", cao="2.002 mM", tag="-cao")
    assert max(max_errors(off, rows).values()) > 1e-4


def test_crank_nicolson_matches_neuron(tmp_path):
    """secondorder = 2: the ion currents the pool reads are corrected to the
    half step (ica += dica/dv dv) after the solve, as NEURON does."""
    rows, ref_spikes = reference("cn")
    spikes, traces, _ = ranvier(tmp_path, "bsp-fixed", scheme="crank-nicolson", tag="-cn")
    errors = max_errors(traces, rows)
    print("l5pc, Crank-Nicolson dt 0.025 ms:", {k: f"{v:.3g}" for k, v in errors.items()})
    for column, err in errors.items():
        assert err < (5e-13 if column.startswith("cai") else 5e-8), column
    assert len(spikes) == len(ref_spikes)
    assert max(abs(a - b) for a, b in zip(spikes, ref_spikes)) < 1e-6


def test_cvode_matches_neuron(tmp_path):
    rows, ref_spikes = reference("cvode")
    spikes, traces, out = ranvier(tmp_path, "bsp-variable")
    assert len(spikes) == len(ref_spikes)
    err = max(abs(a - b) for a, b in zip(spikes, ref_spikes))
    cai_err = max_errors(traces, rows)["cai_mM@soma(0.5)"]
    print(f"l5pc, CVODE atol 1e-6: max spike time difference {err:.3g} ms, cai {cai_err:.3g} mM")
    assert err < 3e-3
    assert cai_err < 1e-8

    _, _, out_async = ranvier(tmp_path, "async-variable")
    assert (out_async / "traces.csv").read_bytes() == (out / "traces.csv").read_bytes()
    assert (out_async / "spikes.csv").read_bytes() == (out / "spikes.csv").read_bytes()


def test_ion_settings_are_checked(tmp_path):
    """An ion no mechanism of the cell uses, or a key that is not one of the
    ion's, is an error naming the model file's entry."""
    text = (EXAMPLE / "l5pc.toml").read_text()
    text = text.replace('morphology = "l5pc.swc"', f'morphology = "{EXAMPLE / "l5pc.swc"}"')
    text = text.replace('mechanisms = ["mod"]', f'mechanisms = ["{EXAMPLE / "mod"}"]')
    for old, new, message in [
            ('ion = "ca", cao = "2 mM", cai', 'ion = "mg", mgo = "2 mM", mgi', "no mechanism of the cell uses the ion 'mg' (ions used: "),
            ('cao = "2 mM"', 'nao = "2 mM"', "nao"),
            ('cao = "2 mM"', 'cao = "-2 mM"', "must be > 0 mM")]:
        assert old in text
        model = tmp_path / "bad.toml"
        model.write_text(text.replace(old, new))
        r = subprocess.run([RANVIER, "run", str(model), "-o", str(tmp_path / "out"), "--no-plot", "-q"],
                           capture_output=True, text=True, timeout=900)
        assert r.returncode != 0
        assert message in r.stderr, r.stderr
        assert "ions[2]" in r.stderr or "ions" in r.stderr
