#!/usr/bin/python3
"""Draws docs/figures/cvode_atol_convergence.png: error of Ranvier's per-cell CVODE against its
absolute tolerance, from the tables the validation tests write into the build tree.

  ctest --test-dir build -R "CableCvodeReference|CablePassiveAnalytic"
  /usr/bin/python3 docs/figures/plot_cvode_atol.py [build/test/validation_results]

Left: largest spike-time error of hh_single and branched against NEURON's CVODE at atol 1e-9
(test/validation/cable_cvode_reference.cpp), with NEURON's fixed-step (dt 0.025 ms) errors as
horizontal lines. Right: largest time error of the passive cable against its spatially discrete
solution (test/validation/cable_passive_analytic.cpp), with the spatial error of nseg 45 as a line.
"""
import json
import pathlib
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

HERE = pathlib.Path(__file__).resolve().parent
results = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else HERE.parents[1] / "build" / "test" / "validation_results")


def load(name):
    return json.loads((results / f"cvode_atol_{name}.json").read_text())


fig, (ax_spike, ax_cable) = plt.subplots(1, 2, figsize=(10, 4))
for name, colour in (("hh_single", "C0"), ("branched", "C1")):
    d = load(name)
    ax_spike.loglog(d["atol"], d["max_spike_error_ms"], "o-", color=colour, label=f"{name}: CVODE")
    ax_spike.axhline(d["fixed_be_error_ms"], color=colour, ls="--", lw=1, label=f"{name}: fixed BE, dt 0.025")
    ax_spike.axhline(d["fixed_cn_error_ms"], color=colour, ls=":", lw=1, label=f"{name}: fixed CN, dt 0.025")
ax_spike.set_xlabel("atol (mV, state units)")
ax_spike.set_ylabel("largest spike-time error (ms)")
ax_spike.set_title("HH cells vs NEURON CVODE at atol 1e-9")
ax_spike.legend(fontsize=7)
ax_spike.invert_xaxis()

d = load("passive_cable")
ax_cable.loglog(d["atol"], d["max_time_error_mV"], "o-", color="C2", label="CVODE time error")
ax_cable.loglog(d["atol"], d["atol"], color="grey", lw=1, label="error = atol")
ax_cable.axhline(d["spatial_error_mV"], color="C2", ls="--", lw=1, label="spatial error, nseg 45")
ax_cable.set_xlabel("atol (mV)")
ax_cable.set_ylabel("largest |v - v_ref| (mV)")
ax_cable.set_title("passive cable, 0..5 ms")
ax_cable.legend(fontsize=7)
ax_cable.invert_xaxis()

fig.tight_layout()
out = HERE / "cvode_atol_convergence.png"
fig.savefig(out, dpi=110)
print(f"wrote {out}")
