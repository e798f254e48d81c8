"""The NMODL corpus models (docs/nmodl-corpus.md), described once for both
NEURON (corpus.py) and Ranvier (test/validation/test_nmodl_corpus_neuron.py).

Sources: NEURON's demo mechanisms (/usr/share/nrn/demo/release) and NMODL's
examples (/usr/lib/python3/dist-packages/nmodl/ext/example). The examples'
hh, pas, ExpSyn and Exp2Syn are copied under other names (SUFFIX hhx, pasx,
POINT_PROCESS ExpSynX, Exp2SynX; nothing else changed) because both
simulators have built-ins of those names. cadyn (examples/l5pc/mod) is not
part of the corpus: it is the calcium pool of the "calcium" model (the
corpus's own writer of cai, cabpump, has the model "cabpump"). Neither is tabedge
(test/data/nmodl/user): coarse TABLEs whose ends v passes, for the lookup's
edge cases.

Cells: "single" (soma L = diam = 20 um, nseg 1) and "branched" (the soma
with dend_a, L 200 um, diam 2 um, nseg 5, and dend_b, L 100 um, diam 1 um,
nseg 3, both on soma(1)); Ra 100 ohm cm, cm 1 uF/cm2, v_init -65 mV.
Every model: an IClamp at soma(0.5) (del 5 ms, dur 30 ms), 50 ms, the
soma's v and some states every 0.25 ms.
"""

RELEASE = "/usr/share/nrn/demo/release"
EXAMPLE = "/usr/lib/python3/dist-packages/nmodl/ext/example"

# file name in the build directory -> (source, [(text, replacement)])
MOD_FILES = {
    "nachan.mod": (RELEASE + "/nachan.mod", []),
    "khhchan.mod": (RELEASE + "/khhchan.mod", []),
    "mcna.mod": (RELEASE + "/mcna.mod", []),
    "cachan1.mod": (RELEASE + "/cachan1.mod", []),
    "camchan.mod": (RELEASE + "/camchan.mod", []),
    "capump.mod": (RELEASE + "/capump.mod", []),
    "nacaex.mod": (RELEASE + "/nacaex.mod", []),
    "release.mod": (RELEASE + "/release.mod", []),
    "cabpump.mod": (RELEASE + "/cabpump.mod", []),
    "ex_hh.mod": (EXAMPLE + "/hh.mod", [("SUFFIX hh", "SUFFIX hhx")]),
    "ex_passive.mod": (EXAMPLE + "/passive.mod", [("SUFFIX pas", "SUFFIX pasx")]),
    "ex_expsyn.mod": (EXAMPLE + "/expsyn.mod", [("POINT_PROCESS ExpSyn", "POINT_PROCESS ExpSynX")]),
    "ex_exp2syn.mod": (EXAMPLE + "/exp2syn.mod", [("POINT_PROCESS Exp2Syn", "POINT_PROCESS Exp2SynX")]),
    "cadyn.mod": ("examples/l5pc/mod/cadyn.mod", []),  # relative to the source tree
    "tabedge.mod": ("test/data/nmodl/user/tabedge.mod", []),
}


def mod_text(name, source_dir):
    path, edits = MOD_FILES[name]
    if not path.startswith("/"):
        path = f"{source_dir}/{path}"
    with open(path, encoding="utf-8") as f:
        text = f.read()
    for old, new in edits:
        assert old in text, (name, old)
        text = text.replace(old, new)
    return text


# Mechanism parameters: name -> (value, unit for the model file or None for a
# plain number in the .mod's unit).
HH_SOMA = [("HHna", {"gnabar": (0.12, "S/cm2")}), ("HHk", {"gkbar": (0.036, "S/cm2")}),
           ("pas", {"g": (3e-4, "S/cm2"), "e": (-54.3, "mV")})]

MODELS = {
    # nachan + khhchan: Hodgkin-Huxley from two TABLE'd channels.
    "hhchan": {
        "celsius": 6.3, "globals": {},
        "soma": HH_SOMA,
        "dend": [("HHna", {"gnabar": (0.03, "S/cm2")}), ("HHk", {"gkbar": (0.01, "S/cm2")}),
                 ("pas", {"g": (1e-4, "S/cm2"), "e": (-65.0, "mV")})],
        "iclamp": 0.3, "synapses": [], "events": [],
        "probes": [("v", None), ("HHna", "m"), ("HHk", "n")],
    },
    # mcna: a KINETIC sodium channel (sparse, STEADYSTATE) with a TABLE'd
    # PROCEDURE, with khhchan's potassium.
    "mcna": {
        "celsius": 6.3, "globals": {},
        "soma": [("MCna", {"gnabar": (0.12, "S/cm2")}), ("HHk", {"gkbar": (0.036, "S/cm2")}),
                 ("pas", {"g": (3e-4, "S/cm2"), "e": (-54.3, "mV")})],
        "dend": [("pas", {"g": (1e-4, "S/cm2"), "e": (-65.0, "mV")})],
        "iclamp": 0.3, "synapses": [], "events": [],
        "probes": [("v", None), ("MCna", "N"), ("MCna", "O")],
    },
    # Calcium: cachan1 (TABLE DEPEND celsius, rfac; rfac set to 2), camchan
    # (TABLE'd FUNCTIONs, GHK current), capump and nacaex (top-level LOCALs),
    # release (a KINETIC scheme reading cai, writing nothing), cadyn's cai;
    # spikes from nachan + khhchan at 16 degC (cachan1's temperature).
    "calcium": {
        "celsius": 16.0, "globals": {"cachan1": {"rfac": (2.0, None)}},
        "soma": HH_SOMA + [("cachan1", {"imax": (0.002, None)}), ("cachan", {"pcabar": (2e-6, None)}),
                           ("capump", {"vmax": (0.005, None)}), ("nacax", {"k": (1e-5, "S/cm2")}),
                           ("trel", {}), ("cadyn", {})],
        "dend": [("cachan", {"pcabar": (2e-6, None)}), ("cadyn", {}),
                 ("pas", {"g": (1e-4, "S/cm2"), "e": (-65.0, "mV")})],
        "iclamp": 0.3, "synapses": [], "events": [],
        "probes": [("v", None), ("ion", "cai"), ("cachan1", "S"), ("cachan", "oca"), ("trel", "Ach")],
    },
    # NMODL's examples: hh (no TABLE), passive, ExpSyn and Exp2Syn receiving
    # events (on the soma, and on dend_a in the branched cell).
    "examples": {
        "celsius": 6.3, "globals": {},
        "soma": [("hhx", {}), ("pasx", {"g": (1e-4, "S/cm2"), "e": (-65.0, "mV")})],
        "dend": [("pasx", {"g": (1e-4, "S/cm2"), "e": (-65.0, "mV")})],
        "iclamp": 0.1,
        "synapses": [("ExpSynX", {"tau": (2.0, "ms"), "e": (0.0, "mV")}),
                     ("Exp2SynX", {"tau1": (0.5, "ms"), "tau2": (3.0, "ms"), "e": (0.0, "mV")})],
        "events": [(0, 2.0, 0.01), (1, 15.0, 0.02), (0, 40.0, 0.03)],  # (synapse, ms, uS)
        "probes": [("v", None), ("hhx", "m"), ("ExpSynX", "g")],
    },
}

# cabpump (cadifpmp): calcium diffusing through 10 annuli with a pump
# (DEFINE, arrays, FROM loops, COMPARTMENT, a flux reaction, f_flux/b_flux,
# diam, cai = ca[0] in KINETIC), fed by camchan's calcium current on every
# section (spikes from nachan + khhchan). Probes: cai (= ca[0]), the
# third annulus's ca[3] and the pump. The diameters differ per section, so diam
# reaches each node's instance (20, 2, 1 um).
MODELS["cabpump"] = {
    "celsius": 6.3, "globals": {},
    "soma": HH_SOMA + [("cachan", {"pcabar": (2e-5, None)}), ("cadifpmp", {})],
    "dend": [("cachan", {"pcabar": (2e-5, None)}), ("cadifpmp", {}),
             ("pas", {"g": (1e-4, "S/cm2"), "e": (-65.0, "mV")})],
    "iclamp": 0.3, "synapses": [], "events": [],
    "probes": [("v", None), ("ion", "cai"), ("cadifpmp", "ca[3]"), ("cadifpmp", "pump")],
}

# TABLE edge cases (tabedge.mod): clamping below and above both tables,
# coarse interpolation, a DEPEND GLOBAL set by the model (shift 3 mV).
MODELS["tables"] = {
    "celsius": 6.3, "globals": {"tabedge": {"shift": (3.0, "mV")}},
    "soma": HH_SOMA + [("tabedge", {"gbar": (0.01, "S/cm2")})],
    "dend": [("tabedge", {"gbar": (0.002, "S/cm2")}), ("pas", {"g": (1e-4, "S/cm2"), "e": (-65.0, "mV")})],
    "iclamp": 0.3, "synapses": [], "events": [],
    "probes": [("v", None), ("tabedge", "n")],
}

CELLS = ("single", "branched")
SECTIONS = {
    "single": [("soma", None, 20.0, 20.0, 1)],
    "branched": [("soma", None, 20.0, 20.0, 1), ("dend_a", "soma", 200.0, 2.0, 5),
                 ("dend_b", "soma", 100.0, 1.0, 3)],
}
SYNAPSE_SECTION = {"single": "soma", "branched": "dend_a"}
T_STOP = 50.0
DT = 0.025
EVERY = 10  # steps between samples (0.25 ms)
CVODE_ATOL_NEURON = 1e-9
