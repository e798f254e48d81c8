"""Builds a NEURON cell from a Ranvier reference cell description (<cell>_cell.json).

The JSON is the single source of truth for the reference cells: the same file tells
others how to rebuild the cell, and this module builds exactly that in NEURON.
Units are in the key names (um, ohm_cm, uF_per_cm2, S_per_cm2, mV, ms, nA, uS).
"""

# NEURON names for the parameters each mechanism takes from the JSON.
# ena/ek are ion reversal potentials in NEURON (na_ion/k_ion), not hh parameters,
# but the description keeps them with hh because hh is their only user here.
_HH_RANGE = {"gnabar_S_per_cm2": "gnabar_hh", "gkbar_S_per_cm2": "gkbar_hh",
             "gl_S_per_cm2": "gl_hh", "el_mV": "el_hh"}
_HH_ION = {"ena_mV": "ena", "ek_mV": "ek"}
_PAS_RANGE = {"g_S_per_cm2": "g_pas", "e_mV": "e_pas"}


class BuiltCell:
    """NEURON objects of one built cell; keeps references so NEURON does not free them."""

    def __init__(self):
        self.sections = {}      # name -> Section
        self.order = []         # section names in description order
        self.iclamps = []
        self.synapses = []      # (description, point process)
        self.netcons = []       # (NetCon without source, event list) per synapse
        self.handlers = []


def _set_mechanisms(sec, mechanisms):
    for mech, params in mechanisms.items():
        sec.insert(mech)
        if mech == "hh":
            names = dict(_HH_RANGE, **_HH_ION)
        elif mech == "pas":
            names = _PAS_RANGE
        else:
            raise ValueError(f"unsupported mechanism {mech!r}: expected hh or pas")
        for key, value in params.items():
            if key not in names:
                raise ValueError(f"unknown {mech} parameter {key!r}: expected one of {sorted(names)}")
            for seg in sec:
                setattr(seg, names[key], value)


def build_cell(h, desc):
    """Creates sections, stimuli and synapses of `desc` (the parsed JSON) in NEURON."""
    cell = BuiltCell()
    for sd in desc["sections"]:
        sec = h.Section(name=sd["name"])
        sec.L = sd["L_um"]
        sec.diam = sd["diam_um"]
        sec.nseg = sd["nseg"]
        sec.Ra = sd["Ra_ohm_cm"]
        sec.cm = sd["cm_uF_per_cm2"]
        if sd["parent"] is not None:
            # The child's 0 end attaches to the parent at parent_x.
            sec.connect(cell.sections[sd["parent"]](sd["parent_x"]), 0)
        _set_mechanisms(sec, sd["mechanisms"])
        cell.sections[sd["name"]] = sec
        cell.order.append(sd["name"])

    for cd in desc.get("iclamps", []):
        ic = h.IClamp(cell.sections[cd["section"]](cd["x"]))
        ic.delay = cd["del_ms"]
        ic.dur = cd["dur_ms"]
        ic.amp = cd["amp_nA"]
        cell.iclamps.append(ic)

    for sd in desc.get("synapses", []):
        seg = cell.sections[sd["section"]](sd["x"])
        if sd["type"] == "ExpSyn":
            syn = h.ExpSyn(seg)
            syn.tau = sd["tau_ms"]
        elif sd["type"] == "Exp2Syn":
            syn = h.Exp2Syn(seg)
            syn.tau1 = sd["tau1_ms"]
            syn.tau2 = sd["tau2_ms"]
        else:
            raise ValueError(f"unsupported synapse type {sd['type']!r}: expected ExpSyn or Exp2Syn")
        syn.e = sd["e_mV"]
        # A NetCon with no source delivers the events we queue at each finitialize.
        # NEURON reads the weight when an event is delivered, so one weight per synapse.
        nc = h.NetCon(None, syn)
        nc.delay = 0
        nc.weight[0] = sd["weight_uS"]
        cell.synapses.append((sd, syn))
        cell.netcons.append((nc, sd["event_times_ms"]))

    def queue_events():
        for nc, times in cell.netcons:
            for t in times:
                nc.event(t)

    if cell.netcons:
        # Type 1 handlers run after INITIAL blocks, once finitialize has emptied the event queue.
        cell.handlers.append(h.FInitializeHandler(1, queue_events))
    return cell
