"""Writes the reference cell descriptions <cell>_cell.json (run with /usr/bin/python3).

The numbers that define the reference cells live here and only here; run_reference.py
builds the cells from the JSON it writes. Stimulus amplitudes and synaptic weights were
chosen (see README.md) so that each cell fires several somatic spikes.
"""
import json
import math
import os
import sys

HH_DEFAULTS = {"gnabar_S_per_cm2": 0.12, "gkbar_S_per_cm2": 0.036, "gl_S_per_cm2": 0.0003,
               "el_mV": -54.3, "ena_mV": 50.0, "ek_mV": -77.0}
PAS = {"g_S_per_cm2": 1e-4, "e_mV": -65.0}

COMMON = {"celsius_degC": 6.3, "v_init_mV": -65.0, "dt_ms": 0.025, "usetable_hh": 0,
          "spike_detector": {"section": "soma", "x": 0.5, "threshold_mV": 0.0}}


def section(name, parent, parent_x, L, diam, nseg, mechanisms):
    return {"name": name, "parent": parent, "parent_x": parent_x, "L_um": L, "diam_um": diam,
            "nseg": nseg, "Ra_ohm_cm": 100.0, "cm_uF_per_cm2": 1.0, "mechanisms": mechanisms}


def hh_single():
    # L = diam = sqrt(1000/pi) gives a lateral area of exactly 1000 um2.
    side = math.sqrt(1000.0 / math.pi)
    return dict(COMMON, name="hh_single", tstop_ms=50.0,
                sections=[section("soma", None, None, side, side, 1, {"hh": dict(HH_DEFAULTS)})],
                # 0.05 nA (5 uA/cm2) gives a single spike; 0.15 nA fires four times in 40 ms.
                iclamps=[{"section": "soma", "x": 0.5, "del_ms": 5.0, "dur_ms": 40.0, "amp_nA": 0.15}],
                synapses=[],
                probes=[{"column": "v_soma_mV", "section": "soma", "x": 0.5}])


def branched():
    hh, pas = {"hh": dict(HH_DEFAULTS)}, {"pas": dict(PAS)}
    secs = [section("soma", None, None, 20.0, 20.0, 1, hh),
            section("axon", "soma", 0.0, 400.0, 1.0, 9, hh),
            section("dend0", "soma", 1.0, 200.0, 2.0, 5, pas),
            section("dend1", "dend0", 1.0, 150.0, 1.0, 5, pas),
            section("dend2", "dend0", 1.0, 150.0, 1.0, 5, pas),
            section("dend3", "dend0", 0.5, 100.0, 1.5, 3, hh)]
    # 0.5 nA gives two somatic spikes in the 20 ms pulse (ISI ~13 ms at 6.3 degC; 0.3 nA gives
    # two as well, >= 1.5 nA only one before depolarisation block). Each 0.2 uS event
    # at 25 and 35 ms evokes a somatic spike ~5 ms later; the one at 45 ms falls in the
    # refractory period and stays subthreshold at the soma.
    return dict(COMMON, name="branched", tstop_ms=60.0, sections=secs,
                iclamps=[{"section": "soma", "x": 0.5, "del_ms": 2.0, "dur_ms": 20.0, "amp_nA": 0.5}],
                synapses=[{"type": "ExpSyn", "section": "dend1", "x": 0.7, "tau_ms": 2.0, "e_mV": 0.0,
                           "weight_uS": 0.2, "event_times_ms": [25.0, 45.0]},
                          {"type": "Exp2Syn", "section": "dend2", "x": 0.3, "tau1_ms": 0.5, "tau2_ms": 5.0,
                           "e_mV": 0.0, "weight_uS": 0.2, "event_times_ms": [35.0]}],
                probes=[{"column": "v_soma_mV", "section": "soma", "x": 0.5},
                        {"column": "v_axon_mV", "section": "axon", "x": 0.95},
                        {"column": "v_dend1_mV", "section": "dend1", "x": 0.7},
                        {"column": "v_dend2_mV", "section": "dend2", "x": 0.3},
                        {"column": "v_dend3_mV", "section": "dend3", "x": 0.5}])


def passive_cable():
    # Spike detector kept for a uniform format; a passive cable never crosses 0 mV.
    return dict(COMMON, name="passive_cable", tstop_ms=50.0,
                sections=[section("cable", None, None, 1000.0, 2.0, 101, {"pas": dict(PAS)})],
                spike_detector={"section": "cable", "x": 0.0, "threshold_mV": 0.0},
                # x = 0 is the sealed end node (zero area); the step starts at del and lasts past tstop.
                iclamps=[{"section": "cable", "x": 0.0, "del_ms": 5.0, "dur_ms": 1000.0, "amp_nA": 0.1}],
                synapses=[],
                probes=[{"column": "v_x0_mV", "section": "cable", "x": 0.0},
                        {"column": "v_x0.5_mV", "section": "cable", "x": 0.5},
                        {"column": "v_x1_mV", "section": "cable", "x": 1.0}])


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
    for make in (hh_single, branched, passive_cable):
        desc = make()
        with open(os.path.join(out, desc["name"] + "_cell.json"), "w") as f:
            json.dump(desc, f, indent=1)
            f.write("\n")


if __name__ == "__main__":
    main()
