"""Building a model in Python: ranvier.Network.

    import numpy as np, ranvier
    from ranvier.units import ms, mV
    net = ranvier.Network(t_stop="200 ms", dt="0.1 ms", seed=1)
    E = net.population("E", 800, tau_m="20 ms", V_th="20 mV", V_reset="10 mV", E_L="0 mV")
    I = net.population("I", 200, tau_m=20 * ms, V_th=20 * mV, V_reset=10 * mV, E_L=0 * mV)
    net.projection(E, [E, I], rule="fixed_indegree", indegree=80, weight="0.1 mV", delay="1.5 ms")
    net.connect(I, E, sources=src, targets=tgt, weight=w * mV, delay="1.5 ms")  # numpy arrays
    net.poisson([E, I], rate="20 Hz", count=100, weight="0.1 mV")
    net.current(E[:10], kind="dc", amplitude="50 pA")      # chosen cells only
    S = net.spike_source("S", t * ms, cells=idx, size=50)   # per-cell spike times from numpy
    net.probe(E[[0, 1]], "v", interval="1 ms")
    result = ranvier.Simulation(net).run()
    net.to_toml()                                           # the same model as a model file

Every method takes the keys of the model file's table of the same name
(docs/model-file.md) as keyword arguments, with the same names, units and
defaults, and is checked at the call by the model file's own readers: a bad
value raises ranvier.ModelError with the model file's message, naming the
call and the key (`population('E'): 'population.tau_m': expected a time ...`).
"""

import os

import numpy as np

from . import units as _units
from ._ranvier import ModelBuilder as _ModelBuilder


class Population:
    """A population of a Network: name, size, first_gid, cell; `pop[i]`,
    `pop[a:b]`, `pop[[i, j]]` choose cells (indices within the population)."""

    def __init__(self, network, name, size, first_gid, cell):
        self.network = network
        self.name = name
        self.size = size
        self.first_gid = first_gid
        self.cell = cell

    @property
    def gids(self):
        return np.arange(self.first_gid, self.first_gid + self.size, dtype=np.int64)

    def __len__(self):
        return self.size

    def morphology(self):
        """The sections and locations of a cable population's cell (ranvier.Morphology)."""
        from .morphology import Morphology
        return Morphology(self.network._builder, self.name)

    def __getitem__(self, index):
        chosen = np.arange(self.size)[index]
        return Cells(self, np.atleast_1d(chosen))

    def __repr__(self):
        return (f"<ranvier.Population {self.name!r}: {self.size} {self.cell} cells, "
                f"gids {self.first_gid}..{self.first_gid + self.size - 1}>")


class Cells:
    """Chosen cells of one population (indices within it)."""

    def __init__(self, population, indices):
        self.population = population
        self.indices = np.asarray(indices, dtype=np.int64)

    @property
    def gids(self):
        return self.population.first_gid + self.indices

    def __len__(self):
        return int(self.indices.size)

    def __repr__(self):
        return f"<ranvier.Cells of {self.population.name!r}: {self.indices.tolist()}>"


def _names(target):
    """A population reference (Population, Cells, name, or a list of them) as
    the model file's `source`/`target` value, and the chosen cells (indices
    into the concatenated populations) or None."""
    items = target if isinstance(target, (list, tuple)) else [target]
    names, cells, offset = [], [], 0
    chosen = False
    for item in items:
        if isinstance(item, Cells):
            names.append(item.population.name)
            cells.extend((offset + item.indices).tolist())
            offset += item.population.size
            chosen = True
        elif isinstance(item, Population):
            names.append(item.name)
            cells.extend(range(offset, offset + item.size))
            offset += item.size
        elif isinstance(item, str):
            names.append(item)
        else:
            raise TypeError(f"expected a population (a Population, its name, or chosen cells such as "
                            f"pop[0:10]), got {item!r}")
    if chosen and any(isinstance(item, str) for item in items):
        raise TypeError("when cells are chosen (pop[...]), give the other populations as Population "
                        "objects, not names, so their indices can be counted")
    value = names[0] if len(names) == 1 else names
    return value, (cells if chosen else None)


def _table(**keys):
    return _units.as_model_value({k: v for k, v in keys.items() if v is not None})


class Network:
    """A model built in Python. Keyword arguments are the model file's
    [simulation] keys (t_stop, dt, seed, mode, scheme, threads, group_size,
    atol, rtol, atol_scale, event_window). `mechanisms`: directories of .mod
    files whose mechanisms cable populations may use (the model file's
    `mechanisms = [...]`, docs/nmodl.md)."""

    def __init__(self, mechanisms=None, **simulation):
        self._builder = _ModelBuilder("<python>")
        self._populations = {}
        self._record = {}
        self._probes = []
        if mechanisms:
            self.mechanisms(mechanisms)
        if simulation:
            self.simulation(**simulation)

    # -- the model file's tables --------------------------------------------------

    def mechanisms(self, dirs):
        """mechanisms = [...]: directories of .mod files (translated and compiled on
        first use, cached by content); give them before the first population."""
        dirs = [dirs] if isinstance(dirs, (str, bytes)) or hasattr(dirs, "__fspath__") else dirs
        self._builder.set_mechanisms([str(d) for d in dirs], "mechanisms")

    def simulation(self, **keys):
        """[simulation]: replaces the previous keys (missing ones take their defaults)."""
        self._builder.set_simulation(_table(**keys), "simulation")

    def population(self, name, size, cell="lif", **keys):
        """[[population]]: LIF (`cell="lif"`, the default), `"cable"`, `"poisson_source"`,
        `"spike_source"` or `"artificial"` (an NMODL ARTIFICIAL_CELL: `mechanism=` and its
        parameters), with the model file's keys. Returns a Population."""
        if cell == "spike_source" and isinstance(keys.get("spikes"), dict) and set(keys) == {"spikes"}:
            return self.spike_source(name, keys["spikes"], size=size)  # {cell index: times}
        for path_key in ("morphology", "spikes"):  # relative to the working directory
            if isinstance(keys.get(path_key), os.PathLike):
                keys[path_key] = os.fspath(keys[path_key])
        from .morphology import Sections
        if isinstance(keys.get("morphology"), Sections):  # built section by section
            if "sections" in keys:
                raise TypeError(f"population({name!r}): give morphology or sections, not both")
            keys["sections"] = keys.pop("morphology")
        if isinstance(keys.get("sections"), Sections):
            built = keys["sections"]
            keys["sections"] = list(built)
            if built.nseg_of:  # per-section nseg: the discretization's nseg_of (given keys win)
                disc = dict(keys.get("discretization") or {})
                disc["nseg_of"] = {**built.nseg_of, **dict(disc.get("nseg_of") or {})}
                keys["discretization"] = disc
        elif "sections" in keys and not isinstance(keys["sections"], (list, tuple)):
            keys["sections"] = list(keys["sections"])
        self._builder.add_population(_table(name=name, size=size, cell=cell, **keys),
                                     f"population({name!r})")
        info = self._builder.populations[-1]
        pop = Population(self, info["name"], info["size"], info["first_gid"], info["cell"])
        self._populations[pop.name] = pop
        return pop

    def spike_source(self, name, times, cells=None, size=None):
        """A population of spike sources (cell = "spike_source") with its own spike times per
        cell, from numpy arrays without building strings:

            net.spike_source("stim", {0: np.array([5.0, 20.0]) * ms, 3: [7.5] * ms})
            net.spike_source("stim", times=t * ms, cells=idx, size=100)   # spike k at t[k] on cell idx[k]

        `times`: a dict {cell index: times} or, with `cells`, one array of all spike times;
        times are `array * ranvier.units.ms` or (array, "ms"). Cell indices are within the
        population (gid = first_gid + index). `size` defaults to the largest index + 1.
        Checked with the model file's messages; to_toml() writes the times inline."""
        if isinstance(times, dict):
            if cells is not None:
                raise TypeError("spike_source: give times as a dict {cell: times}, or times with cells= "
                                "(one array each), not both")
            parts, index_parts, unit = [], [], None
            for cell, value in times.items():
                array = _units.array_and_unit(value, f"spike_source({name!r}): times[{cell!r}]", "ms")
                if array is None:
                    if isinstance(value, _units.Quantity):  # one time
                        array = (np.atleast_1d(np.asarray(value.value, dtype=np.float64)), value.unit)
                    else:
                        raise TypeError(f"spike_source({name!r}): times[{cell!r}] needs a unit: write "
                                        f"`array * ranvier.units.ms` or (array, \"ms\")")
                if unit is not None and array[1] != unit:
                    raise ValueError(f"spike_source({name!r}): every cell's times must be in one unit; "
                                     f"got {unit!r} and {array[1]!r}")
                unit = array[1]
                parts.append(np.ravel(array[0]))
                index_parts.append(np.full(parts[-1].size, int(cell), dtype=np.int64))
            flat = np.concatenate(parts) if parts else np.empty(0)
            index = np.concatenate(index_parts) if index_parts else np.empty(0, dtype=np.int64)
            unit = unit or "ms"
        else:
            if cells is None:
                raise TypeError(f"spike_source({name!r}): give times as a dict {{cell: times}}, or one "
                                f"array of times with cells= (the cell index of each spike)")
            array = _units.array_and_unit(times, f"spike_source({name!r}): times", "ms")
            if array is None:
                raise TypeError(f"spike_source({name!r}): times needs a unit: write `array * "
                                f"ranvier.units.ms` or (array, \"ms\")")
            flat, unit = np.ravel(array[0]), array[1]
            index = np.ravel(np.asarray(cells))
            if index.dtype.kind not in "iu":
                raise TypeError(f"spike_source({name!r}): cells must be integer indices, got {index.dtype}")
        if size is None:
            size = int(index.max()) + 1 if index.size else 1
        self._builder.add_spike_source(_table(name=name, size=size, cell="spike_source"),
                                       np.ascontiguousarray(index, dtype=np.int64),
                                       np.ascontiguousarray(flat, dtype=np.float64), str(unit),
                                       f"spike_source({name!r})")
        info = self._builder.populations[-1]
        pop = Population(self, info["name"], info["size"], info["first_gid"], info["cell"])
        self._populations[pop.name] = pop
        return pop

    def projection(self, source, target, rule, **keys):
        """[[projection]] with a connection rule (fixed_indegree, fixed_outdegree,
        pairwise_bernoulli, one_to_one, all_to_all, explicit with pairs=[[i, j], ...])."""
        src, src_cells = _names(source)
        tgt, tgt_cells = _names(target)
        if src_cells is not None or tgt_cells is not None:
            raise TypeError("projection() connects whole populations; for chosen cells use "
                            "connect() with arrays of indices")
        self._builder.add_projection(_table(source=src, target=tgt, rule=rule, **keys),
                                     f"projection({_label(src)} -> {_label(tgt)})")

    def connect(self, source, target, sources, targets, weight, delay, **keys):
        """Explicit connections from arrays: sources[k] -> targets[k] (indices into the
        concatenated source and target populations, as the model file's pairs), each with
        its own weight and delay when they are arrays (`w * ranvier.units.mV` or
        (w, "mV")), or the same quantity (or distribution) for all. Other keys: synapse,
        allow_autapses, allow_multapses. 10^7 connections take seconds and about the
        arrays' memory."""
        src, src_cells = _names(source)
        tgt, tgt_cells = _names(target)
        if src_cells is not None or tgt_cells is not None:
            raise TypeError("connect() takes whole populations (sources and targets are indices "
                            "into them); give pop, not pop[...]")
        table = dict(source=src, target=tgt, **keys)
        weights = _units.array_and_unit(weight, "weight")
        delays = _units.array_and_unit(delay, "delay", "ms")
        if weights is None:
            table["weight"] = weight
        if delays is None:
            table["delay"] = delay
        self._builder.add_explicit_projection(
            _table(**table),
            np.ascontiguousarray(sources, dtype=np.int64), np.ascontiguousarray(targets, dtype=np.int64),
            None if weights is None else weights[0], None if delays is None else delays[0],
            "" if weights is None else weights[1], "" if delays is None else delays[1],
            f"connect({_label(src)} -> {_label(tgt)})")

    def poisson(self, target, rate, weight, **keys):
        """[[poisson]]: independent Poisson trains onto every cell of `target`, or onto
        chosen cells (`pop[0:10]`)."""
        tgt, cells = _names(target)
        self._builder.add_poisson(_table(target=tgt, cells=cells, rate=rate, weight=weight, **keys),
                                  f"poisson({_label(tgt)})")

    def current(self, target, kind="dc", **keys):
        """[[current]]: kind "dc" (amplitude, start, stop) or "step" (times, amplitudes)
        onto every cell of `target` or onto chosen cells."""
        tgt, cells = _names(target)
        self._builder.add_current(_table(target=tgt, cells=cells, kind=kind, **keys),
                                  f"current({_label(tgt)})")

    def record(self, spikes=None, voltage=None):
        """[record] spikes (True, False, or the populations whose spikes are kept) and
        voltage ({gids, interval}); probes: probe()."""
        if spikes is not None:
            if not isinstance(spikes, bool):
                spikes, _ = _names(spikes)
            self._record["spikes"] = spikes
        if voltage is not None:
            self._record["voltage"] = voltage
        self._set_record()

    def probe(self, cells, variable="v", location=None, interval=None):
        """A [record] probe: `variable` ("v", "hh.m", ...) at `location` ("soma(0.5)")
        of the cells: a Population, chosen cells (pop[[0, 3]]) or a list of gids."""
        entry = {"variable": variable, "location": location, "interval": interval}
        if isinstance(cells, Population):
            entry["population"] = cells.name
        elif isinstance(cells, Cells):
            entry["population"] = cells.population.name
            entry["cells"] = cells.indices.tolist()
        else:
            entry["gids"] = np.atleast_1d(np.asarray(cells, dtype=np.int64)).tolist()
        self._probes.append(_table(**entry))
        try:
            self._set_record(f"probe({variable!r})")
        except Exception:
            self._probes.pop()
            raise

    def probe_nodes(self, cells, variable="v", interval=None, region="all"):
        """A probe of `variable` at every segment centre of `region` of a cable
        population's cells (for a voltage map: Morphology.values_at and
        plot.morphology)."""
        population = cells.population if isinstance(cells, Cells) else cells
        for location in population.morphology().locations(region):
            self.probe(cells, variable, location=location, interval=interval)

    def _set_record(self, where="record"):
        table = dict(self._record)
        if self._probes:
            table["probes"] = self._probes
        self._builder.set_record(_table(**table), where)

    # -- what was built ----------------------------------------------------------

    @property
    def populations(self):
        return list(self._populations.values())

    def __getitem__(self, name):
        return self._populations[name]

    @property
    def num_cells(self):
        return self._builder.num_cells

    def model(self):
        """The model as a ranvier.Model (checked against its run options)."""
        return self._builder.to_model()

    def to_toml(self):
        """The model as model-file text; ranvier.parse_model(net.to_toml()) is the same model."""
        return self._builder.to_toml()

    def save(self, path):
        """Writes to_toml() to `path`."""
        with open(path, "w", encoding="utf-8") as f:
            f.write(self.to_toml())

    def __repr__(self):
        return f"<ranvier.Network: {self.num_cells} cells in {len(self._populations)} populations>"


def _label(names):
    return names if isinstance(names, str) else "[" + ", ".join(names) + "]"
