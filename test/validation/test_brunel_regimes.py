"""Ranvier's LIF network against Brian2 in the four Brunel (2000) regimes.

For each regime (SR, SI-fast, AI, SI-slow) of the scaled-down Brunel network
(test/validation/reference/brian2/brunel_params.py) this writes a model file,
runs `$RANVIER_BIN run model.toml --out DIR --threads 2`, computes the spike
statistics with python/ranvier/stats.py and compares them with the Brian2
reference (brunel_scaled_reference.json: mean and std over 5 seeds of the same
network with the same step semantics, made by brunel_brian2.py). Then it
checks that Ranvier's four runs are distinguishable regimes.

Ranvier and Brian2 draw different random connectivity, initial potentials
and Poisson input, so one Ranvier run is one more sample of the seed-to-seed
distribution that the reference measured: the tolerance is 4 reference
standard deviations (a 5-seed std can underestimate the true one by ~40%,
so 4 measured std is still >= ~2.4 true std), never below an absolute
floor per statistic (FLOORS) for statistics whose spread over 5 seeds can
come out very small by chance.
"""

import json
import math
import os
import pathlib
import subprocess
import sys

import pytest

SOURCE = pathlib.Path(os.environ.get("RANVIER_SOURCE_DIR",
                                     pathlib.Path(__file__).resolve().parents[2]))
REF_DIR = SOURCE / "test" / "validation" / "reference" / "brian2"
sys.path.insert(0, str(REF_DIR))
sys.path.insert(0, str(SOURCE / "python"))

import brunel_params  # noqa: E402
from ranvier import stats  # noqa: E402

RANVIER_BIN = os.environ.get("RANVIER_BIN", str(SOURCE / "build" / "ranvier"))
REFERENCE_FILE = REF_DIR / "brunel_scaled_reference.json"
# A missing committed reference fails every test here (it never skips them).
if not REFERENCE_FILE.is_file():
    raise FileNotFoundError(
        f"committed reference file {REFERENCE_FILE} is missing; it is made by "
        f"`/usr/bin/python3 brunel_brian2.py reference --size scaled` in {REF_DIR} (about 3.5 min)")
REFERENCE = json.loads(REFERENCE_FILE.read_text())
SEED = 20240  # not one of the reference's seeds (1..5)

# Absolute floors of the tolerance (why each value):
FLOORS = {
    # 5% of the rate or 1 Hz: two correct simulators differ by one network
    # realisation; over 0.8 s x 2500 cells the Poisson counting error alone
    # is < 0.5%, the rest is realisation spread that 5 seeds may miss.
    "mean_rate_hz": lambda ref: max(0.05 * ref, 1.0),
    # CV of ISIs averaged over 2500 neurons: 0.05 is ~10% of AI's ~0.5 and
    # still separates SR (~0.1) from the irregular regimes.
    "cv_isi": lambda ref: 0.05,
    # std/mean of the 1 ms population count: 0.05 is below the gap between
    # regimes but above the sampling error of 800 bins.
    "rate_cv": lambda ref: 0.05,
    # Spectral peak: two Welch bins (1000/256 Hz each).
    "osc_freq_hz": lambda ref: 2 * 1000.0 / stats.SEGMENT_BINS,
}
# The spectral peak is only meaningful where there is a clear rhythm: the
# reference's peak must stand this many times above the mean spectrum.
CLEAR_RHYTHM = 8.0

_results = {}


def run_ranvier(regime, tmp_path):
    """Runs one regime in Ranvier; returns (params, stats dict)."""
    p = brunel_params.network_params(regime, "scaled")
    model = tmp_path / "model.toml"
    model.write_text(brunel_params.model_toml(p, SEED))
    out = tmp_path / "out"
    if not os.access(RANVIER_BIN, os.X_OK):
        pytest.fail(f"ranvier binary not found at {RANVIER_BIN} (set RANVIER_BIN)")
    proc = subprocess.run([RANVIER_BIN, "run", str(model), "--out", str(out),
                           "--threads", "2"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    summary = json.loads((out / "summary.json").read_text())
    assert summary["cells"] == p["n_cells"]
    assert summary["synapses"] == p["n_cells"] * (p["C_E"] + p["C_I"])
    result = stats.summarize(out / "spikes.csv", p["n_cells"],
                             p["t_start_stats_ms"], p["t_stop_ms"])
    assert summary["spikes"] >= result["spikes_in_window"]
    return p, result


def tolerance(key, ref):
    floor = FLOORS[key](abs(ref["mean"]))
    std = ref["std"] if ref["std"] is not None and math.isfinite(ref["std"]) else 0.0
    return max(4.0 * std, floor)


@pytest.mark.parametrize("regime", list(brunel_params.REGIMES))
def test_regime_matches_brian2(regime, tmp_path):
    p, result = run_ranvier(regime, tmp_path)
    _results[regime] = result
    ref_regime = REFERENCE["regimes"][regime]
    # the reference must describe the network we simulated
    for key in ("N_E", "N_I", "C_E", "C_I", "J_mV", "g", "eta", "nu_ext_hz"):
        assert ref_regime["params"][key] == pytest.approx(p[key]), key
    ref = ref_regime["stats"]
    keys = ["mean_rate_hz", "cv_isi", "rate_cv"]
    if ref["osc_rel_power"]["mean"] >= CLEAR_RHYTHM:
        keys.append("osc_freq_hz")
    failures = []
    for key in keys:
        tol = tolerance(key, ref[key])
        diff = abs(result[key] - ref[key]["mean"])
        line = (f"{regime} {key}: ranvier {result[key]:.4g} brian2 "
                f"{ref[key]['mean']:.4g} +- {ref[key]['std']:.3g} (tol {tol:.3g})")
        print(line)
        if not diff <= tol:  # also fails on nan
            failures.append(line)
    assert not failures, "\n".join(failures)


def test_regimes_are_distinguishable(tmp_path):
    """The four runs must show the qualitative signatures of their regimes,
    each by a margin the reference also shows (see README.md there)."""
    for regime in brunel_params.REGIMES:
        if regime not in _results:  # run alone: simulate what is missing
            sub = tmp_path / regime
            sub.mkdir()
            _results[regime] = run_ranvier(regime, sub)[1]
    r = _results
    # SR: neurons fire almost clock-like near saturation, the others irregularly
    assert r["SR"]["cv_isi"] < 0.5 * min(r[k]["cv_isi"] for k in ("AI", "SI-fast", "SI-slow"))
    # SR fires fastest, SI-slow slowest
    assert r["SR"]["mean_rate_hz"] > max(r[k]["mean_rate_hz"] for k in ("AI", "SI-fast", "SI-slow"))
    assert r["SI-slow"]["mean_rate_hz"] < min(r[k]["mean_rate_hz"] for k in ("AI", "SI-fast", "SR"))
    # SI-slow: the population rate swings most, and at a slow rhythm
    assert r["SI-slow"]["rate_cv"] > 1.5 * r["AI"]["rate_cv"]
    assert r["SI-slow"]["osc_freq_hz"] < 0.5 * r["SI-fast"]["osc_freq_hz"]
    # SR: the population rate swings more than in AI (reference: 0.69 vs 0.51,
    # seed spread ~0.01)
    assert r["SR"]["rate_cv"] > r["AI"]["rate_cv"] + 0.1
    # SI-fast: the fast rhythm is faster than the slow one and clear
    assert r["SI-fast"]["osc_freq_hz"] > 100.0
