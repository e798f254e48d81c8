# Reference geometry from NEURON 8.2 for Ranvier's discretisation tests.
#
# Loads the SWC files next to this folder through NEURON's Import3d (the
# same path as the GUI's "Import3D" tool), builds a stylised L/diam cell,
# discretises each with two policies (d_lambda rule and a fixed nseg) and
# writes, per node: section name, x, area (um2), ri (MOhm, 1/NODERINV),
# parent node (section, x) and path distance from soma(0.5) (um).
#
# Run (Debian's NEURON has no importable `neuron` package; the embedded
# interpreter's `hoc` module is used instead):
#   cd test/data/morphologies/neuron_geometry
#   nrniv -nobanner -python make_geometry.py </dev/null
import os

import hoc

h = hoc.HocObject()
h.load_file("stdlib.hoc")
h.load_file("import3d.hoc")

HERE = os.path.dirname(os.path.abspath(__file__)) if "__file__" in globals() else os.getcwd()
MORPH = os.path.dirname(HERE)

# Discretisation policies; the C++ tests use the same numbers.
D_LAMBDA = dict(ra=150.0, cm=1.2, d_lambda=0.1, freq=100.0)
FIXED = dict(ra=100.0, cm=1.0, nseg=4)


def clear():
    for sec in list(h.allsec()):
        h.delete_section(sec=sec)


def node_ptr(sec, x):
    sec.push()
    p = h.this_node(x)
    h.pop_section()
    return p


def apply_policy(policy):
    for sec in h.allsec():
        sec.Ra = policy["ra"]
        sec.cm = policy["cm"]
    for sec in h.allsec():
        if "nseg" in policy:
            sec.nseg = policy["nseg"]
        else:
            lam = h.lambda_f(policy["freq"], sec=sec)
            sec.nseg = int((sec.L / (policy["d_lambda"] * lam) + 0.9) / 2) * 2 + 1


def soma_origin():
    for sec in h.allsec():
        if h.SectionRef(sec=sec).has_parent() == 0:
            return sec
    raise RuntimeError("no root")


def dump(path):
    secs = list(h.allsec())
    owner = {}  # node pointer -> (section name, x)
    for sec in secs:
        if not h.SectionRef(sec=sec).has_parent():
            owner[node_ptr(sec, 0.0)] = (sec.name(), 0.0)
        for seg in sec:
            owner[node_ptr(sec, seg.x)] = (sec.name(), seg.x)
        owner[node_ptr(sec, 1.0)] = (sec.name(), 1.0)
    rows = []
    for sec in secs:
        is_root = not h.SectionRef(sec=sec).has_parent()
        centres = [seg.x for seg in sec]
        if is_root:
            rows.append([sec.name(), 0.0, 0.0, 0.0, "", -1.0, 0.0, sec.nseg])
        prev = owner[node_ptr(sec, 0.0)]
        for x in centres:
            seg = sec(x)
            rows.append([sec.name(), x, seg.area(), seg.ri(), prev[0], prev[1], 0.0, sec.nseg])
            prev = (sec.name(), x)
        end = sec(1.0)
        rows.append([sec.name(), 1.0, 0.0, end.ri(), prev[0], prev[1], 0.0, sec.nseg])
    # h.distance(a, b) measures between the centres of the segments holding
    # a.x and b.x (x = 0 and 1 are exact): the origin is the centre of the
    # root segment holding x=0.5 (the soma centre when the soma has an odd
    # nseg) and a child attached inside a segment starts at that segment's
    # centre.
    root = soma_origin()
    by_name = {sec.name(): sec for sec in secs}
    for r in rows:
        r[6] = h.distance(root(0.5), by_name[r[0]](r[1]))
    with open(path, "w") as f:
        f.write("section,x,area_um2,ri_MOhm,parent_section,parent_x,distance_um,nseg\n")
        for r in rows:
            f.write("%s,%.17g,%.17g,%.17g,%s,%.17g,%.17g,%d\n" % tuple(r))


def dump_locations(path, probes):
    # Which node NEURON's node_exact() picks for (section, x).
    owner = {}
    for sec in h.allsec():
        if not h.SectionRef(sec=sec).has_parent():
            owner[node_ptr(sec, 0.0)] = (sec.name(), 0.0)
        for seg in sec:
            owner[node_ptr(sec, seg.x)] = (sec.name(), seg.x)
        owner[node_ptr(sec, 1.0)] = (sec.name(), 1.0)
    with open(path, "w") as f:
        f.write("section,x,node_section,node_x\n")
        for sec, x in probes:
            n = owner[node_ptr(sec, x)]
            f.write("%s,%.17g,%s,%.17g\n" % (sec.name(), x, n[0], n[1]))


def load_swc(name):
    clear()
    reader = h.Import3d_SWC_read()
    reader.input(os.path.join(MORPH, name + ".swc"))
    gui = h.Import3d_GUI(reader, 0)
    gui.instantiate(None)


def build_stylised():
    # Mirrors the C++ builder calls in test/unit/discretization_neuron_test.cpp.
    clear()
    h("create soma, dend[4], axon")
    h.soma.L = 20.0
    h.soma.diam = 20.0
    specs = [  # (section, L, diam, parent, parent x)
        (h.dend[0], 200.0, 2.0, h.soma, 1.0),
        (h.dend[1], 150.0, 1.0, h.dend[0], 0.3),
        (h.dend[2], 80.0, 0.5, h.dend[0], 0.0),
        (h.dend[3], 120.0, 1.5, h.soma, 0.0),
        (h.axon, 500.0, 1.0, h.soma, 0.5),
    ]
    for sec, length, diam, parent, px in specs:
        sec.L = length
        sec.diam = diam
        sec.connect(parent(px), 0)


def main():
    for name in ["single_point_soma", "three_point_soma", "contour_soma", "branched_taper"]:
        load_swc(name)
        apply_policy(D_LAMBDA)
        dump(os.path.join(HERE, name + "_dlambda.csv"))
        apply_policy(FIXED)
        dump(os.path.join(HERE, name + "_nseg4.csv"))
    build_stylised()
    apply_policy(D_LAMBDA)
    dump(os.path.join(HERE, "stylised_dlambda.csv"))
    apply_policy(FIXED)
    dump(os.path.join(HERE, "stylised_nseg4.csv"))
    d0 = h.dend[0]
    probes = [(d0, x) for x in [0.0, 0.1, 0.25, 0.3, 0.5, 0.74, 0.75, 0.9999, 1.0]]
    probes += [(h.soma, x) for x in [0.0, 0.5, 1.0]]
    dump_locations(os.path.join(HERE, "stylised_locations.csv"), probes)


main()
