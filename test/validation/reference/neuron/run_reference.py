"""Runs one reference cell in NEURON and writes its traces, spike times and node layout.

Run inside NEURON:  ./nrnpy.sh run_reference.py <cell>_cell.json <out_dir>
Writes to out_dir:
  <cell>_be.csv, <cell>_cn.csv   every step of the dt = 0.025 ms runs (secondorder 0 / 2)
  <cell>_fine.csv                fixed step dt/64, secondorder 2, every 64th step (0.025 ms grid)
  <cell>_cvode.csv               global CVODE atol = rtol = 1e-9, values at the 0.025 ms grid
  <cell>_spikes.json             spike times of every run plus the parameters used
  <cell>_geometry.csv            NEURON's nodes in NEURON's order (see README.md)
"""
import json
import math
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from nrn_session import hoc_interpreter, script_args  # noqa: E402
from cell_builder import build_cell  # noqa: E402

FINE_DIVISOR = 64          # fine fixed step is dt / FINE_DIVISOR
CVODE_TOL = 1e-9           # atol (mV and state units) and rtol of the CVODE reference


def probe_segments(cell, desc):
    return [cell.sections[p["section"]](p["x"]) for p in desc["probes"]]


def node_x(seg):
    """Position of the node that NEURON uses for seg (ends stay 0/1, else segment centre)."""
    sec, x = seg.sec, seg.x
    if x <= 0.0 or x >= 1.0:
        return x
    i = min(int(x * sec.nseg), sec.nseg - 1)
    return (i + 0.5) / sec.nseg


def setup_detector(h, cell, desc):
    sd = desc["spike_detector"]
    sec = cell.sections[sd["section"]]
    nc = h.NetCon(sec(sd["x"])._ref_v, None, sec=sec)
    nc.threshold = sd["threshold_mV"]
    times = h.Vector()
    nc.record(times)
    return nc, times


def interpolated_crossings(t, v, threshold):
    """Upward threshold crossings, linearly interpolated between recorded points."""
    out = []
    for i in range(1, len(t)):
        if v[i - 1] < threshold <= v[i]:
            out.append(t[i - 1] + (t[i] - t[i - 1]) * (threshold - v[i - 1]) / (v[i] - v[i - 1]))
    return out


def run_fixed(h, cell, desc, dt, secondorder, stride):
    """Fixed-step run; returns (t, [v per probe], NEURON spikes, interpolated spikes, wall)
    with the traces on every stride-th step."""
    h.cvode.active(0)
    h.secondorder = secondorder
    h.dt = dt
    h.steps_per_ms = 1.0 / dt
    tvec = h.Vector().record(h._ref_t)
    vvecs = [h.Vector().record(seg._ref_v) for seg in probe_segments(cell, desc)]
    nc, spikes = setup_detector(h, cell, desc)
    sd = desc["spike_detector"]
    vdet = h.Vector().record(cell.sections[sd["section"]](sd["x"])._ref_v)
    h.finitialize(desc["v_init_mV"])
    start = time.perf_counter()
    h.continuerun(desc["tstop_ms"])
    wall = time.perf_counter() - start
    crossings = interpolated_crossings(list(tvec), list(vdet), sd["threshold_mV"])
    t = list(tvec)[::stride]
    vs = [list(v)[::stride] for v in vvecs]
    return t, vs, list(spikes), crossings, wall


def run_cvode(h, cell, desc, grid_dt, condition_order):
    """Global CVODE run; returns values at the multiples of grid_dt, NEURON's spike times
    and wall time. condition_order 1 reports the end of the step in which v crossed the
    threshold, 2 interpolates linearly within that step."""
    h.secondorder = 0
    h.cvode.active(1)
    h.cvode.use_local_dt(0)
    h.cvode.condition_order(condition_order)
    h.cvode.atol(CVODE_TOL)
    h.cvode.rtol(CVODE_TOL)
    segs = probe_segments(cell, desc)
    nc, spikes = setup_detector(h, cell, desc)
    h.finitialize(desc["v_init_mV"])
    nout = int(round(desc["tstop_ms"] / grid_dt))
    t, vs = [0.0], [[seg.v] for seg in segs]
    start = time.perf_counter()
    for k in range(1, nout + 1):
        # cvode.solve(tout) returns the solution at tout from CVODE's own interpolant.
        h.cvode.solve(k * grid_dt)
        t.append(h.t)
        for v, seg in zip(vs, segs):
            v.append(seg.v)
    wall = time.perf_counter() - start
    h.cvode.condition_order(1)
    h.cvode.active(0)
    return t, vs, list(spikes), wall


def write_trace(path, desc, t, vs):
    header = ["t_ms"] + [p["column"] for p in desc["probes"]]
    with open(path, "w") as f:
        f.write(",".join(header) + "\n")
        for i, ti in enumerate(t):
            f.write("%.10g" % round(ti, 9))
            for v in vs:
                f.write(",%.8g" % v[i])
            f.write("\n")


def node_table(h, cell):
    """NEURON's nodes: (node, parent, section, x, area_um2, ri_Mohm) sorted by node index."""
    rows = {}
    for name in cell.order:
        sec = cell.sections[name]
        ref = h.SectionRef(sec=sec)
        if not ref.has_parent():
            root = sec(0)
            rows[root.node_index()] = (root.node_index(), -1, name, 0.0, root.area(), math.inf)
        pseg = sec.parentseg()
        parent = pseg.node_index() if pseg is not None else sec(0).node_index()
        for seg in sec:
            idx = seg.node_index()
            rows[idx] = (idx, parent, name, seg.x, seg.area(), seg.ri())
            parent = idx
        end = sec(1)
        rows[end.node_index()] = (end.node_index(), parent, name, 1.0, end.area(), end.ri())
    nodes = [rows[i] for i in sorted(rows)]
    if [r[0] for r in nodes] != list(range(len(nodes))):
        raise RuntimeError("NEURON node indices are not contiguous; layout assumption broken")
    return nodes


def check_ri(cell, nodes):
    """Checks seg.ri() against Ra * length / (pi d^2 / 4), summed over the half segments."""
    by_index = {r[0]: r for r in nodes}
    worst = 0.0
    for idx, parent, name, x, area, ri in nodes:
        if parent < 0:
            continue
        sec = cell.sections[name]
        half = sec.L / sec.nseg / 2.0
        # 1e-2 converts ohm cm * um / um2 to Mohm.
        r_half = 1e-2 * sec.Ra * half / (math.pi * sec.diam ** 2 / 4.0)
        same_section_parent = by_index[parent][2] == name and by_index[parent][3] > 0.0
        expected = 2 * r_half if (0.0 < x < 1.0 and same_section_parent) else r_half
        worst = max(worst, abs(ri - expected) / expected)
    return worst


def write_geometry(path, nodes):
    with open(path, "w") as f:
        f.write("node,parent,section,x,area_um2,ri_Mohm\n")
        for idx, parent, name, x, area, ri in nodes:
            ri_text = "inf" if math.isinf(ri) or ri >= 1e29 else "%.10g" % ri
            f.write("%d,%d,%s,%.10g,%.10g,%s\n" % (idx, parent, name, x, area, ri_text))


def main():
    args = script_args(__file__)
    desc_path, out_dir = args[0], args[1]
    with open(desc_path) as f:
        desc = json.load(f)
    name = desc["name"]
    h = hoc_interpreter()
    h.celsius = desc["celsius_degC"]
    h.usetable_hh = desc["usetable_hh"]
    cell = build_cell(h, desc)
    h.finitialize(desc["v_init_mV"])
    dt = desc["dt_ms"]

    nodes = node_table(h, cell)
    ri_err = check_ri(cell, nodes)
    if ri_err > 1e-9:
        raise RuntimeError(f"seg.ri() differs from Ra*l/(pi d^2/4) by {ri_err:.3g} (relative)")
    write_geometry(os.path.join(out_dir, f"{name}_geometry.csv"), nodes)

    runs, walls = {}, {}
    for key, secondorder in (("be", 0), ("cn", 2)):
        t, vs, spikes, crossings, wall = run_fixed(h, cell, desc, dt, secondorder, 1)
        write_trace(os.path.join(out_dir, f"{name}_{key}.csv"), desc, t, vs)
        runs[key], runs[key + "_interpolated"], walls[key] = spikes, crossings, wall
    t, vs, spikes, crossings, wall = run_fixed(h, cell, desc, dt / FINE_DIVISOR, 2, FINE_DIVISOR)
    write_trace(os.path.join(out_dir, f"{name}_fine.csv"), desc, t, vs)
    runs["fine"], runs["fine_interpolated"], walls["fine"] = spikes, crossings, wall
    _, _, spikes, wall = run_cvode(h, cell, desc, dt, 1)
    runs["cvode_step_end"], walls["cvode_step_end"] = spikes, wall
    t, vs, spikes, wall = run_cvode(h, cell, desc, dt, 2)
    write_trace(os.path.join(out_dir, f"{name}_cvode.csv"), desc, t, vs)
    runs["cvode"], walls["cvode"] = spikes, wall

    def max_diff(a, b):
        if len(runs[a]) != len(runs[b]):
            return None
        return max((abs(x - y) for x, y in zip(runs[a], runs[b])), default=0.0)

    keys = ("be", "cn", "fine", "cvode", "be_interpolated", "cn_interpolated",
            "fine_interpolated", "cvode_step_end")
    result = {key: [round(s, 10) for s in runs[key]] for key in keys}
    result.update({
        "cell": name,
        "runs": {
            "be": {"method": "fixed", "dt_ms": dt, "secondorder": 0},
            "cn": {"method": "fixed", "dt_ms": dt, "secondorder": 2},
            "fine": {"method": "fixed", "dt_ms": dt / FINE_DIVISOR, "secondorder": 2},
            "cvode": {"method": "global CVODE (cvode.active(1), use_local_dt(0))",
                      "atol": CVODE_TOL, "rtol": CVODE_TOL, "condition_order": 2},
            "cvode_step_end": {"method": "as cvode", "condition_order": 1},
        },
        "spike_time_rule": {
            "be, cn, fine": "NEURON NetCon: end time of the first step after which v >= threshold, "
                            "plus 1e-10 ms (NEURON's event epsilon); cvode.condition_order has no effect",
            "cvode": "NEURON NetCon with condition_order(2): crossing linearly interpolated "
                     "between the two CVODE step ends that bracket it",
            "cvode_step_end": "NEURON NetCon with the default condition_order(1): end time of "
                              "the CVODE step in which v crossed",
            "*_interpolated": "computed here, not by NEURON: linear interpolation of the "
                              "detector voltage between the steps that bracket an upward crossing",
        },
        "max_abs_spike_diff_ms": {
            "fine_vs_cvode": max_diff("fine", "cvode"),
            "fine_interpolated_vs_cvode": max_diff("fine_interpolated", "cvode"),
            "fine_interpolated_vs_cvode_step_end": max_diff("fine_interpolated", "cvode_step_end"),
        },
        "probe_node_x": {p["column"]: node_x(seg) for p, seg in
                         zip(desc["probes"], probe_segments(cell, desc))},
        "neuron_version": h.nrnversion(),
        "description": desc,
    })
    with open(os.path.join(out_dir, f"{name}_spikes.json"), "w") as f:
        json.dump(result, f, indent=1)
        f.write("\n")
    print(name, "spikes", {k: len(result[k]) for k in ("be", "cn", "fine", "cvode")},
          "max diffs", result["max_abs_spike_diff_ms"],
          "wall_s", {key: round(w, 3) for key, w in walls.items()})


main()
