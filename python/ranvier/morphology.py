"""Exploring a cable cell's morphology: its sections and the locations on it.

    m = ranvier.load_swc("cell.swc", discretization={"d_lambda": 0.1})
    print(m)                         # one line per section: name, tag, parent, L, diam, nseg, distance
    m.section("soma")                # soma[0] (NEURON's Import3d name of an SWC soma)
    m.locations("dend & distance(100, 200)")   # ["dend[3](0.25)", ...]: segment centres
    m.location_at("dend[0]", 50)     # "dend[0](0.25)": 50 um along the section
    pop.morphology()                 # the same for a cable population of a Network

Sections and nodes come from the discretisation the simulation uses
(include/ranvier/cable_cell_layout.hpp), so nseg, areas and distances are
what the simulation will have.
"""

import numpy as np

from . import _ranvier


class Section:
    """One section: name, tag (SWC type), parent (name or None), parent_x, length
    (um), diam (um; mean for 3-d sections), area (um2), nseg, distance0/distance1
    (um from the soma centre at x=0 and x=1), points ((n, 4) array x, y, z, diam)."""

    _FIELDS = ("name", "tag", "parent", "parent_x", "length", "diam", "area", "nseg",
               "distance0", "distance1", "points")

    def __init__(self, index, info):
        self.index = index
        for key in self._FIELDS:
            setattr(self, key, info[key])

    def __repr__(self):
        return (f"<Section {self.name}: tag {self.tag}, parent {self.parent}({self.parent_x:g}), "
                f"L {self.length:g} um, diam {self.diam:.4g} um, nseg {self.nseg}>")


_TAG_NAMES = {1: "soma", 2: "axon", 3: "dend", 4: "apic"}


class Morphology:
    """The sections and nodes of the cell of one cable population."""

    def __init__(self, source, population):
        self._source = source        # a ModelBuilder or a Model
        self.population = population
        layout = _ranvier.cell_layout(source, population)
        self.sections = [Section(k, s) for k, s in enumerate(layout["sections"])]
        self.nodes = layout["nodes"]  # numpy: section, x, area, distance (every node)
        self._by_name = {s.name: s for s in self.sections}

    def __len__(self):
        return len(self.sections)

    def __iter__(self):
        return iter(self.sections)

    def section(self, name):
        """A section by name ("dend[3]"), index, or a bare stem where it is unambiguous:
        "soma" is soma[0], the section an SWC soma becomes (NEURON's Import3d name)."""
        if isinstance(name, (int, np.integer)):
            return self.sections[int(name)]
        if name in self._by_name:
            return self._by_name[name]
        node = _ranvier.location_node(self._source, self.population, f"{name}(0.5)")
        return self.sections[int(self.nodes["section"][node])]

    @property
    def soma_note(self):
        """What the soma became (a sentence), e.g. for an SWC file."""
        somas = [s for s in self.sections if s.tag == 1]
        if not somas:
            return "the cell has no soma section (tag 1): distances start at the root's x=0"
        names = ", ".join(s.name for s in somas)
        alias = " ('soma' names soma[0])" if "soma" not in self._by_name and "soma[0]" in self._by_name else ""
        return f"the soma is {names}{alias}"

    def node_location(self, node):
        """The location text of a node: "dend[3](0.25)"."""
        return f"{self.sections[int(self.nodes['section'][node])].name}({float(self.nodes['x'][node]):.6g})"

    def locations(self, region="all"):
        """Location texts ("dend[3](0.25)") of the segment centres in `region` (the model
        file's region syntax: "soma", "dend | apic", "distance(100, 200)", "tag(7)")."""
        return [self.node_location(n) for n in _ranvier.region_nodes(self._source, self.population, region)]

    def location_at(self, section, distance_um):
        """The location `distance_um` along `section` from its x=0 end: "dend[0](0.25)"."""
        s = self.section(section)
        if not 0 <= distance_um <= s.length:
            raise ValueError(f"{s.name} is {s.length:g} um long: give a distance in [0, {s.length:g}] um")
        return f"{s.name}({distance_um / s.length:.6g})"

    def locations_at_distance(self, distance_um, region="all"):
        """The points at path distance `distance_um` from the soma centre, one per
        section crossing it (NEURON's distance()), as location texts."""
        out = []
        for s in self.sections:
            lo, hi = s.distance0, s.distance1
            if lo <= distance_um <= hi and hi > lo:
                out.append(f"{s.name}({(distance_um - lo) / (hi - lo):.6g})")
        if region != "all":
            keep = set(self.locations(region))
            out = [loc for loc in out if self._node_text(loc) in keep]
        return out

    def _node_text(self, location):
        return self.node_location(_ranvier.location_node(self._source, self.population, location))

    def node_of(self, location):
        """The node index (into `nodes`) a location falls on."""
        return int(_ranvier.location_node(self._source, self.population, location))

    def values_at(self, result, sim, gid, time, variable="v"):
        """An array over `nodes` of `variable` sampled at `time` (ms, the nearest
        sample) by the probes of cell `gid` in `result` (a Result of `sim`); NaN
        where no probe samples a node. Probe every node with
        Network.probe_nodes. For plot.morphology(m, values=...)."""
        values = np.full(self.nodes["x"].size, np.nan)
        traces = getattr(result, "traces", result)
        mine = np.asarray(traces["gid"]) == gid
        if not mine.any():
            return values
        times = np.asarray(traces["time"])[mine]
        nearest = times[np.argmin(np.abs(times - time))]
        at = mine.copy()
        at[mine] = times == nearest
        probes = sim.probes(gid)
        for k, value in zip(np.asarray(traces["probe"])[at].tolist(), np.asarray(traces["value"])[at].tolist()):
            if probes[k]["variable"] == variable and probes[k]["location"]:
                values[self.node_of(probes[k]["location"])] = value
        return values

    def table(self):
        """The sections as text, one line each."""
        rows = [f"{'#':>4} {'name':<14} {'tag':<5} {'parent':<16} {'L (um)':>9} {'diam (um)':>9} "
                f"{'nseg':>5} {'dist0..1 (um)':>17}"]
        for s in self.sections:
            parent = f"{s.parent}({s.parent_x:g})" if s.parent is not None else "-"
            rows.append(f"{s.index:>4} {s.name:<14} {_TAG_NAMES.get(s.tag, s.tag)!s:<5} {parent:<16} "
                        f"{s.length:>9.4g} {s.diam:>9.4g} {s.nseg:>5} "
                        f"{s.distance0:>8.1f}..{s.distance1:<8.1f}")
        return "\n".join(rows)

    def __str__(self):
        return f"{self.table()}\n({len(self.sections)} sections, {self.nodes['x'].size} nodes; {self.soma_note})"

    def __repr__(self):
        return f"<ranvier.Morphology of {self.population!r}: {len(self.sections)} sections>"


def load_swc(path, discretization=None, **population_keys):
    """The morphology of an SWC file as Ranvier reads it (NEURON's Import3d rules,
    docs/morphology.md), discretised with `discretization` (the model file's table,
    e.g. {"d_lambda": 0.1} or {"nseg": 3}); other keys as for a cable population."""
    from .network import Network
    net = Network()
    keys = dict(population_keys)
    if discretization is not None:
        keys["discretization"] = discretization
    pop = net.population("cell", 1, cell="cable", morphology=path, **keys)
    return pop.morphology()


class SectionRef(str):
    """A section of a Sections builder: its name (a str, so it serves as a parent or in
    a region), and `sec(x)` gives the location text "name(x)" as NEURON's `sec(x)`."""

    def __call__(self, x=0.5):
        if not 0 <= x <= 1:
            raise ValueError(f"{self}(x): x must be in [0, 1], got {x!r}")
        return f"{self}({x:g})"


class Sections:
    """A morphology built section by section, NEURON's way, usable in a population
    (`Network.population(..., cell="cable", sections=cell)` or `morphology=cell`):

        cell = ranvier.Sections()
        soma = cell.add_section("soma", length="20 um", diam="20 um")
        dend = cell.add_section("dend[0]", parent=soma, length="200 um", diam="2 um", nseg=9)
        cell.add_section("dend[1]", parent=dend, parent_x=0.5, length=100 * um, diam=1 * um)
        cell.morphology()          # explore it (ranvier.Morphology) before using it
        net.population("pyr", 10, cell="cable", sections=cell,
                       stimuli=[{"location": soma(0.5), "mechanism": "IClamp", ...}])

    `parent` is an earlier section (its name or what add_section returned), attached at
    `parent_x` of it (default 1, NEURON's connect); `tag` the SWC type (1 soma, 2 axon,
    3 dend, 4 apic; or those names; default 1 for the first section, 3 otherwise);
    `nseg` the section's segments (the population's `discretization.nseg_of`). Lengths
    and diameters are quantities ("20 um", 20 * um), checked with the model file's
    messages: lengths and diameters at the call, the rest (parents, lengths > 0) where the
    population is added (or by morphology())."""

    _TAGS = {"soma": 1, "axon": 2, "dend": 3, "apic": 4}

    def __init__(self):
        self._sections = []
        self._nseg = {}

    def add_section(self, name, length, diam, parent=None, parent_x=None, tag=None, nseg=None):
        """Adds a section; returns it (a SectionRef: its name, and sec(x) a location)."""
        from . import units
        for key, value in (("length", length), ("diam", diam)):  # checked now, as the model file checks them
            text = units.as_model_value(value)
            _ranvier.check_length(text if isinstance(text, str) else repr(text),
                                  f"add_section({str(name)!r})", f"sections.{key}")
        entry = {"name": str(name), "length": length, "diam": diam}
        if parent is not None:
            entry["parent"] = parent if isinstance(parent, int) else str(parent)  # a name or an index
        if parent_x is not None:
            entry["parent_x"] = parent_x
        if tag is not None:
            entry["tag"] = self._TAGS.get(tag, tag) if isinstance(tag, str) else tag
        if nseg is not None:
            if int(nseg) != nseg or nseg < 1:
                raise ValueError(f"section {name!r}: nseg must be a whole number >= 1, got {nseg!r}")
            self._nseg[str(name)] = int(nseg)
        self._sections.append(entry)
        return SectionRef(name)

    def add(self, name, length, diam, parent=None, parent_x=None, tag=None, nseg=None):
        """The same as add_section."""
        return self.add_section(name, length, diam, parent, parent_x, tag, nseg)

    @property
    def nseg_of(self):
        """{section name: nseg} of the sections given an nseg."""
        return dict(self._nseg)

    def section(self, name):
        """The SectionRef of a section added before."""
        if not any(s["name"] == name for s in self._sections):
            raise KeyError(f"no section {name!r} (sections: {', '.join(s['name'] for s in self._sections)})")
        return SectionRef(name)

    def morphology(self, discretization=None):
        """The cell as Ranvier discretises it (a ranvier.Morphology: sections, nodes,
        locations, plot.morphology), with the population's `discretization` table."""
        from .network import Network
        net = Network()
        keys = {} if discretization is None else {"discretization": discretization}
        return net.population("cell", 1, cell="cable", sections=self, **keys).morphology()

    def __iter__(self):
        return iter(self._sections)

    def __len__(self):
        return len(self._sections)

    def __repr__(self):
        return f"<ranvier.Sections: {', '.join(s['name'] for s in self._sections)}>"
