"""Models for measuring the decomposition's cost weights (docs/scaling.md,
"The cost estimate"): each pair differs in one kind of work only, so the
difference of their instruction counts (callgrind) is that work alone.

  lif       1000 LIF cells, no input (they stay below threshold)
  conn      the same, plus 10 events/ms per cell through connections
            (100 poisson_source cells at 100 Hz, all_to_all, tiny weight)
  poisson   the same as lif, plus 10 events/ms per cell of Poisson input
            (Poisson inputs drive LIF cells only)
  cable     200 one-section hh cells (soma, nseg 1: 3 nodes), no input
  cable_pas the same with pas instead of hh
  cable_2   the same with hh and pas
  cable_syn cable plus an ExpSyn receiving 10 events/ms per cell through
            connections (as conn, weight tiny)

Usage: python3 make_models.py OUTDIR (run.py weights calls it)
"""
import pathlib
import sys

HEAD = """[simulation]
dt = "0.1 ms"
seed = 1
mode = "bsp-fixed"

[record]
spikes = false
"""

LIF = """
[[population]]
name = "E"
size = 1000
cell = "lif"
synapse = "delta"
tau_m = "20 ms"
C_m = "250 pF"
E_L = "0 mV"
V_th = "20 mV"
V_reset = "10 mV"
t_ref = "2 ms"
V_init = "5 mV"
"""

CONN = """
[[population]]
name = "drive"
size = 100
cell = "poisson_source"
rate = "100 Hz"

[[projection]]
source = "drive"
target = "E"
rule = "all_to_all"
weight = "0.0001 mV"
delay = "1 ms"
"""

POISSON = """
[[poisson]]
target = "E"
rate = "1000 Hz"
weight = "0.0001 mV"
"""

CABLE = """
[[population]]
name = "C"
size = 200
cell = "cable"
sections = [{ name = "soma", length = "20 um", diam = "20 um" }]
paint = [{ region = "soma", mechanism = "hh" }]
"""

CABLE_SYN = CABLE + """synapses = [{ location = "soma(0.5)", mechanism = "ExpSyn", tau = "2 ms", e = "0 mV" }]
""" + CONN.replace('target = "E"', 'target = "C"').replace('"0.0001 mV"', '"0.000001 uS"')

MODELS = {
    "lif": LIF,
    "conn": LIF + CONN,
    "poisson": LIF + POISSON,
    "cable": CABLE,
    "cable_pas": CABLE.replace('"hh"', '"pas"'),
    "cable_2": CABLE.replace('mechanism = "hh" }]', 'mechanism = "hh" }, { region = "soma", mechanism = "pas" }]'),
    "cable_syn": CABLE_SYN,
}

out = pathlib.Path(sys.argv[1])
out.mkdir(parents=True, exist_ok=True)
for name, body in MODELS.items():
    (out / f"{name}.toml").write_text(HEAD + body)
