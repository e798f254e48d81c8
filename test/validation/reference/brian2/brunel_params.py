"""Parameters of the Brunel (2000) network in its four regimes, full size and
scaled down, and the Ranvier model file (TOML) for each.

The one place these numbers live: the Brian2 reference (brunel_brian2.py),
the validation test (test/validation/test_brunel_regimes.py) and the
benchmark (bench/brunel/run.py) all import it, so they cannot drift apart.
"""

# (g, eta) of Brunel's four regimes, delta synapses (Brunel 2000, Fig. 8).
REGIMES = {
    "SR": (3.0, 2.0),        # synchronous regular
    "SI-fast": (6.0, 4.0),   # synchronous irregular, fast (~200 Hz) rhythm
    "AI": (5.0, 2.0),        # asynchronous irregular
    "SI-slow": (4.5, 0.9),   # synchronous irregular, slow rhythm
}

FULL = {"N_E": 10000, "N_I": 2500, "eps": 0.1, "J_mV": 0.1}

# Scaled-down network for the test suite: 5x fewer neurons and 5x fewer
# inputs per neuron (C_E = 200, C_I = 50). J is scaled by C_E_full / C_E
# (0.1 -> 0.5 mV) so that the mean recurrent input J C_E tau_m nu (1 - g/4)
# and the threshold rate nu_thr = theta / (J C_E tau_m) = 10 Hz, hence the
# external rate nu_ext = eta nu_thr, are those of the full network; the
# fluctuations grow by sqrt(5). The alternative, J * sqrt(C_E_full / C_E),
# keeps the fluctuations but not the mean, and moved SR from 333 Hz to
# 214 Hz and SI-fast from 59 to 100 Hz (README.md has the comparison).
SCALED = {"N_E": 2000, "N_I": 500, "eps": 0.1, "J_mV": 0.1 * 1000 / 200}

COMMON = {
    "D_ms": 1.5,        # transmission delay (ms)
    "theta_mV": 20.0,   # threshold (mV)
    "V_r_mV": 10.0,     # reset (mV)
    "tau_m_ms": 20.0,   # membrane time constant (ms)
    "tau_rp_ms": 2.0,   # refractory period (ms)
    "dt_ms": 0.1,       # time step (ms)
    "t_stop_ms": 1000.0,
    "t_start_stats_ms": 200.0,  # stats window start: skip the initial transient
}


def network_params(regime, size="scaled", J_mV=None):
    """All parameters of one network as a flat dict (units in the key names)."""
    g, eta = REGIMES[regime]
    base = dict(SCALED if size == "scaled" else FULL)
    if J_mV is not None:
        base["J_mV"] = J_mV
    p = dict(COMMON)
    p.update(base)
    p.update({"regime": regime, "size": size, "g": g, "eta": eta})
    p["C_E"] = int(round(p["eps"] * p["N_E"]))
    p["C_I"] = int(round(p["eps"] * p["N_I"]))
    # external Poisson drive: C_E independent sources at eta * nu_thr each
    nu_thr_hz = p["theta_mV"] / (p["J_mV"] * p["C_E"] * p["tau_m_ms"] * 1e-3)
    p["nu_ext_hz"] = eta * nu_thr_hz
    p["n_cells"] = p["N_E"] + p["N_I"]
    return p


def _n(x):
    """Shortest exact decimal of x, without a trailing '.0' ("20", "0.5")."""
    text = repr(float(x))
    return text[:-2] if text.endswith(".0") else text


def _population(name, size, p):
    return f"""
[[population]]
name = "{name}"
size = {size}
cell = "lif"
synapse = "delta"
tau_m = "{_n(p['tau_m_ms'])} ms"
C_m = "250 pF"
E_L = "0 mV"
V_th = "{_n(p['theta_mV'])} mV"
V_reset = "{_n(p['V_r_mV'])} mV"
t_ref = "{_n(p['tau_rp_ms'])} ms"
V_init = {{ distribution = "uniform", low = "0 mV", high = "{_n(p['theta_mV'])} mV" }}
"""


def model_toml(p, seed, record_voltage=False):
    """Ranvier model file text (format of examples/brunel.toml) for params p."""
    J = p["J_mV"]
    text = f"""# Brunel network, regime {p['regime']} (g = {p['g']}, eta = {p['eta']}),
# {p['size']} size; written by test/validation/reference/brian2/brunel_params.py
[simulation]
t_stop = "{_n(p['t_stop_ms'])} ms"
dt = "{_n(p['dt_ms'])} ms"
seed = {int(seed)}
mode = "bsp-fixed"
"""
    text += _population("E", p["N_E"], p) + _population("I", p["N_I"], p)
    text += f"""
[[projection]]
source = "E"
target = ["E", "I"]
rule = "fixed_indegree"
indegree = {p['C_E']}
weight = "{_n(J)} mV"
delay = "{_n(p['D_ms'])} ms"

[[projection]]
source = "I"
target = ["E", "I"]
rule = "fixed_indegree"
indegree = {p['C_I']}
weight = "{_n(-p['g'] * J)} mV"
delay = "{_n(p['D_ms'])} ms"

[[poisson]]
target = ["E", "I"]
rate = "{_n(p['nu_ext_hz'])} Hz"
count = {p['C_E']}
weight = "{_n(J)} mV"

[record]
spikes = true
"""
    if record_voltage:
        text += f'voltage = {{ gids = [0, 1, {p["N_E"]}], interval = "0.1 ms" }}\n'
    return text
