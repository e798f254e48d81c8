"""Exploring morphologies from Python (ranvier.load_swc, Population.morphology):
sections with NEURON's names, nseg and areas (checked against NEURON's own
discretisation of the same files), the SWC soma's name and the soma(0.5)
alias, regions and distances, and the listing in error messages.

Needs PYTHONPATH=<source>/python:<build>/python (ctest sets it)."""

import collections
import csv
import os
import pathlib
import textwrap

import numpy as np
import pytest

SOURCE = pathlib.Path(os.environ.get("RANVIER_SOURCE_DIR",
                                     pathlib.Path(__file__).resolve().parents[2]))
MORPH = SOURCE / "test" / "data" / "morphologies"

if os.environ.get("RANVIER_PYTHON_MODULE_BUILT", "ON").upper() in ("OFF", "0", "FALSE"):
    pytest.skip("the build was configured without the Python module", allow_module_level=True)

import ranvier  # noqa: E402

# make_geometry.py's d_lambda policy (the reference files were made with it)
D_LAMBDA = {"d_lambda": 0.1, "Ra": "150 ohm*cm", "cm": "1.2 uF/cm2", "frequency": "100 Hz"}


def neuron_sections(name):
    """Per section: nseg and total area from NEURON (test/data/morphologies/neuron_geometry)."""
    nseg, area = {}, collections.defaultdict(float)
    with open(MORPH / "neuron_geometry" / f"{name}_dlambda.csv") as f:
        for row in csv.DictReader(f):
            nseg[row["section"]] = int(row["nseg"])
            area[row["section"]] += float(row["area_um2"])
    return nseg, area


@pytest.mark.parametrize("name", ["branched_taper", "contour_soma", "single_point_soma"])
def test_sections_match_neuron(name):
    m = ranvier.load_swc(str(MORPH / f"{name}.swc"), discretization=D_LAMBDA)
    nseg, area = neuron_sections(name)
    assert sorted(s.name for s in m) == sorted(nseg)  # NEURON's names
    for s in m:
        assert s.nseg == nseg[s.name], s.name
        # areas: NEURON's values to its printed precision (17 digits); 1e-9 relative
        # allows for the order of summation of segment areas
        assert s.area == pytest.approx(area[s.name], rel=1e-9), s.name
    assert m.nodes["x"].size == sum(s.nseg for s in m) + len(m) + 1  # centres, x=1 ends, root x=0
    for s in m:
        if s.parent is not None:
            assert m.section(s.parent).index < s.index


def test_swc_soma_is_soma_0_and_soma_names_it():
    m = ranvier.load_swc(str(MORPH / "single_point_soma.swc"))
    assert m.sections[0].name == "soma[0]"
    assert m.section("soma").name == "soma[0]"
    assert m.section("axon").name == "axon[0]"  # the only axon section
    assert "the soma is soma[0] ('soma' names soma[0])" in str(m)
    assert m.locations("soma") == ["soma[0](0.5)"]
    assert m.node_of("soma(0.5)") == m.node_of("soma[0](0.5)")
    with pytest.raises(ranvier.ModelError, match=r"'dend' names 4 sections \(dend\[0\] .. dend\[3\]\)"):
        m.section("dend")


def test_model_file_accepts_soma_half_on_an_swc_cell(tmp_path):
    swc = MORPH / "branched_taper.swc"  # two soma sections: soma[0], soma[1]
    text = textwrap.dedent(f"""
        [simulation]
        t_stop = "20 ms"
        dt = "0.025 ms"
        [[population]]
        name = "c"
        size = 1
        cell = "cable"
        morphology = "{swc}"
        paint = [{{ region = "soma", mechanism = "hh" }}]
        stimuli = [{{ location = "soma(0.5)", mechanism = "IClamp", del = "1 ms", dur = "2 ms", amp = "1 nA" }}]
        detector = {{ location = "soma(0.5)", threshold = "0 mV" }}
        """)
    with_alias = ranvier.Simulation(ranvier.parse_model(text)).run()
    explicit = ranvier.Simulation(ranvier.parse_model(text.replace("soma(0.5)", "soma[0](0.5)"))).run()
    assert len(with_alias.spikes) >= 1
    assert np.array_equal(with_alias.spikes.time, explicit.spikes.time)
    with pytest.raises(ranvier.ModelError) as error:
        ranvier.parse_model(text.replace('location = "soma(0.5)", mechanism = "IClamp"',
                                         'location = "dendrite(0.5)", mechanism = "IClamp"'))
    # the whole morphology is listed, grouped by name
    assert ("the morphology has no section 'dendrite' (sections: soma[0..1], dend[0..4], apic[0..2], "
            "dend_7[0]; or an index 0..10)") in str(error.value)


def test_regions_distances_and_locations():
    net = ranvier.Network()
    # an odd soma nseg puts a node at the soma centre, NEURON's distance origin
    pop = net.population("p", 1, cell="cable", discretization={"nseg": 4, "nseg_of": {"soma": 1}}, sections=[
        {"name": "soma", "length": "20 um", "diam": "20 um"},
        {"name": "trunk", "parent": "soma", "length": "200 um", "diam": "2 um"},
        {"name": "tuft", "parent": "trunk", "length": "100 um", "diam": "1 um"}])
    m = pop.morphology()
    assert [(s.name, s.parent, s.nseg) for s in m] == [("soma", None, 1), ("trunk", "soma", 4),
                                                      ("tuft", "trunk", 4)]
    trunk = m.section("trunk")
    assert (trunk.distance0, trunk.distance1) == pytest.approx((10.0, 210.0))  # from the soma centre
    assert trunk.area == pytest.approx(np.pi * 2 * 200)
    # trunk centres at 25, 75, 125, 175 um along it: distances 35, 85, 135, 185
    assert m.locations("distance(80, 140) & section(1)") == ["trunk(0.375)", "trunk(0.625)"]
    assert m.location_at("trunk", 50) == "trunk(0.25)"
    assert m.locations_at_distance(260) == ["tuft(0.5)"]
    with pytest.raises(ValueError, match="200 um long"):
        m.location_at("trunk", 250)
    with pytest.raises(ranvier.ModelError, match="unknown region name 'dendrites'"):
        m.locations("dendrites")


def test_sections_built_one_by_one():
    cell = ranvier.Sections()
    soma = cell.add("soma", length="20 um", diam="20 um", tag=1)
    trunk = cell.add("trunk", parent=soma, length="200 um", diam="2 um")
    cell.add("tuft", parent=trunk, parent_x=1, length="100 um", diam="1 um", tag=4)
    net = ranvier.Network()
    m = net.population("p", 1, cell="cable", sections=cell).morphology()
    assert [(s.name, s.parent, s.tag, s.length) for s in m] == [
        ("soma", None, 1, 20.0), ("trunk", "soma", 3, 200.0), ("tuft", "trunk", 4, 100.0)]
    bad = ranvier.Sections()
    bad.add("soma", length="20 um", diam="20 um")
    bad.add("dend", parent="axon", length="10 um", diam="1 um")
    with pytest.raises(ranvier.ModelError, match="no earlier section is named 'axon' \\(earlier: soma\\)"):
        net.population("q", 1, cell="cable", sections=bad)
