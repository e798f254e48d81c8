#!/usr/bin/python3
"""Figures of a Ranvier run: spike raster with population rate, probe traces,
and a cell's morphology coloured by a quantity.

From Python, with results or files (the user's matplotlib backend is left as
it is, so figures show in Jupyter; give out_path to write a file instead):

    from ranvier import plot
    plot.raster(result)                    # a Result, Spikes, (gids, times) or spikes.csv
    plot.traces(result, sim)               # a Result (+ its Simulation for probe names) or traces.csv
    plot.morphology(morph, values=v)       # a ranvier.Morphology; v per node, section or a function

From the command line (what `ranvier run` calls; the Agg backend, no display):

  plot.py raster spikes.csv out.png [--cells N] [--max-cells 500] [--title T]
  plot.py traces traces.csv out.png [--title T]

Files are read with numpy so 10^6 spikes plot in a few seconds.
"""

import argparse
import csv
import os
import pathlib
import sys

import numpy as np

if __package__ in (None, ""):  # run as a script: find the package beside it
    sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
from ranvier import stats  # noqa: E402


def _pyplot():
    # Imported when a figure is made, never at import time, and without
    # choosing a backend: a notebook's inline backend (or the user's) stays.
    import matplotlib.pyplot as plt
    return plt

RATE_BIN_MS = 1.0  # population-rate bin (ms)
CANNOT_WRITE = 5  # exit code when a file cannot be read or written (OSError)


def _note(ax, text):
    ax.text(0.5, 0.5, text, transform=ax.transAxes, ha="center", va="center",
            color="0.4")


def _save(fig, out_path):
    """Writes the figure under a temporary name, then renames it: a failed or interrupted
    drawing (a full disk, Ctrl-C) leaves no partial file at out_path."""
    plt = _pyplot()
    out_path = pathlib.Path(out_path)
    tmp = out_path.with_name(out_path.name + ".tmp")
    try:
        fig.savefig(tmp, dpi=120, format=out_path.suffix.lstrip(".") or "png")
        os.replace(tmp, out_path)
    finally:
        plt.close(fig)
        tmp.unlink(missing_ok=True)


def _finish(fig, out_path):
    """Saves and closes the figure if out_path is given; otherwise returns it open."""
    fig.tight_layout()
    if out_path is not None:
        _save(fig, out_path)
        return None
    return fig


def _spike_arrays(spikes):
    """(gids, times, name) from a spikes.csv path, a Result, a Spikes or (gids, times)."""
    if isinstance(spikes, (str, os.PathLike)):
        gids, times = stats.load_spikes(spikes)
        return gids, times, pathlib.Path(spikes).name
    spikes = getattr(spikes, "spikes", spikes)  # a Result
    if hasattr(spikes, "gid") and hasattr(spikes, "time"):
        return np.asarray(spikes.gid), np.asarray(spikes.time), "spikes"
    gids, times = spikes
    return np.asarray(gids), np.asarray(times), "spikes"


def raster(spikes, out_path=None, n_cells=None, max_cells=500, title=None, seed=0,
           rate_bin_ms=RATE_BIN_MS):
    """Raster of at most max_cells gids (evenly spaced subsample) above the
    population rate of all cells (Hz per cell). `spikes`: a spikes.csv path, a
    Result, a Spikes or (gids, times). Returns the figure unless out_path is given."""
    plt = _pyplot()
    gids, times, name = _spike_arrays(spikes)
    fig, (ax_r, ax_p) = plt.subplots(
        2, 1, sharex=True, figsize=(10, 6),
        gridspec_kw={"height_ratios": [3, 1]})
    if n_cells is None:
        n_cells = int(gids.max()) + 1 if gids.size else 0
    if gids.size == 0:
        _note(ax_r, "no spikes")
        _note(ax_p, "no spikes")
    else:
        shown = gids
        if n_cells > max_cells:
            # evenly spaced gids keep every population represented
            chosen = np.unique(np.linspace(0, n_cells - 1, max_cells).astype(np.int64))
            keep = np.isin(gids, chosen)
            rank = np.searchsorted(chosen, gids[keep])
            ax_r.set_ylabel(f"cell ({chosen.size} of {n_cells} gids)")
            ax_r.scatter(times[keep], rank, s=0.5, c="k", marker=".",
                         linewidths=0, rasterized=True)
        else:
            ax_r.set_ylabel("gid")
            ax_r.scatter(times, shown, s=0.5, c="k", marker=".",
                         linewidths=0, rasterized=True)
        t_end = float(times.max()) + rate_bin_ms
        edges = np.arange(0.0, t_end + rate_bin_ms, rate_bin_ms)
        counts, _ = np.histogram(times, bins=edges)
        rate = counts / (max(n_cells, 1) * rate_bin_ms * 1e-3)
        ax_p.plot(edges[:-1], rate, lw=0.6, c="C0")
        ax_p.set_xlim(0.0, t_end)
    ax_p.set_xlabel("time (ms)")
    ax_p.set_ylabel(f"rate (Hz, {rate_bin_ms:g} ms bins)")
    ax_r.set_title(title or f"{name}: {gids.size} spikes")
    return _finish(fig, out_path)


def _trace_columns(traces, sim):
    """(gid, label, time, value) arrays from a traces.csv path or a Result (or its
    traces dict). A label is the probe's variable and location ("v soma(0.5)")
    when known, so two probes of one variable on one cell are told apart."""
    if isinstance(traces, (str, os.PathLike)):
        # the csv module: locations may be quoted, and are empty for point neurons
        with open(traces, newline="", encoding="utf-8") as f:
            rows = list(csv.reader(f))
        header, rows = (rows[0], rows[1:]) if rows else ([], [])
        column = {name: k for k, name in enumerate(header)}
        gid = np.array([int(r[column["gid"]]) for r in rows], dtype=np.int64)
        time = np.array([float(r[column["time_ms"]]) for r in rows])
        value = np.array([float(r[column["value"]]) for r in rows])
        where = column.get("location")
        labels = np.array([r[column["probe"]] + (f" {r[where]}" if where is not None and r[where] else "")
                           for r in rows], dtype=str)
        return gid, labels, time, value, pathlib.Path(traces).name
    columns = getattr(traces, "traces", traces)
    gid = np.asarray(columns["gid"])
    probe = np.asarray(columns["probe"])
    labels = np.array([f"probe {p}" for p in probe.tolist()], dtype=object)
    if sim is not None:
        cache = {}
        for k, (g, p) in enumerate(zip(gid.tolist(), probe.tolist())):
            if g not in cache:
                cache[g] = sim.probes(g)
            info = cache[g][p]
            labels[k] = info["variable"] + (f" {info['location']}" if info["location"] else "")
    return gid, labels.astype(str), np.asarray(columns["time"]), np.asarray(columns["value"]), "traces"


# Units of the recordable variables of the built-in cells and mechanisms
# (docs/model-file.md, "probes"), for the axis labels; others show no unit.
_UNITS = {"v": "mV", "i_membrane_": "nA", "i_membrane": "mA/cm2", "I_syn_ex": "pA", "I_syn_in": "pA",
          "hh.ina": "mA/cm2", "hh.ik": "mA/cm2", "hh.il": "mA/cm2", "hh.gna": "S/cm2", "hh.gk": "S/cm2",
          "pas.i": "mA/cm2", "ExpSyn.i": "nA", "ExpSyn.g": "uS", "Exp2Syn.i": "nA", "Exp2Syn.g": "uS",
          "IClamp.i": "nA"}


def traces(traces, sim=None, out_path=None, title=None):
    """One panel per variable, one line per (cell, probe): value against time.
    `traces`: a traces.csv path, a Result or its traces dict; `sim` (the
    Simulation) names the probes of a Result by variable and location.
    Returns the figure unless out_path is given."""
    if isinstance(sim, (str, os.PathLike)) and out_path is None:  # traces(path, out_path)
        sim, out_path = None, sim
    plt = _pyplot()
    gid, labels, time, value, name = _trace_columns(traces, sim)
    variables = sorted(set(label.split(" ")[0] for label in labels.tolist()))
    fig, axes = plt.subplots(max(len(variables), 1), 1, sharex=True,
                             figsize=(10, 2.5 * max(len(variables), 1)),
                             squeeze=False)
    axes = axes[:, 0]
    if not variables:
        _note(axes[0], "no samples")
    variable_of = np.array([label.split(" ")[0] for label in labels.tolist()], dtype=str)
    for ax, variable in zip(axes, variables):
        rows = variable_of == variable
        for g, label in sorted(set(zip(gid[rows].tolist(), labels[rows].tolist()))):
            mine = rows & (gid == g) & (labels == label)
            order = np.argsort(time[mine], kind="stable")
            where = label[len(variable):].strip()
            ax.plot(time[mine][order], value[mine][order], lw=0.7,
                    label=f"gid {g}" + (f" {where}" if where else ""))
        ax.set_ylabel(f"{variable} ({_UNITS[variable]})" if variable in _UNITS else variable)
        if len(ax.lines) <= 12:  # beyond that a legend hides the traces
            ax.legend(loc="upper right", fontsize="small")
        else:
            ax.text(0.99, 0.97, f"{len(ax.lines)} traces", transform=ax.transAxes, ha="right",
                    va="top", fontsize="small", color="0.4")
    axes[-1].set_xlabel("time (ms)")
    axes[0].set_title(title or name)
    return _finish(fig, out_path)


def _section_paths(morph):
    """2-d polylines (x, y arrays over x in [0, 1] of each section) to draw a cell:
    the x-y projection of 3-d sections; sections given by length and diameter are
    laid out as a tree, children fanned out from where they attach."""
    paths = {}
    angles = {}
    children = {}
    for s in morph.sections:
        if s.parent is not None:
            children.setdefault(s.parent, []).append(s)
    for s in morph.sections:  # parents come first
        if s.points.shape[0] >= 2:
            p = s.points
            seg = np.hypot(np.diff(p[:, 0]), np.diff(p[:, 1]))
            arc = np.concatenate([[0.0], np.cumsum(np.sqrt(seg ** 2 + np.diff(p[:, 2]) ** 2))])
            paths[s.name] = (arc / arc[-1] if arc[-1] > 0 else np.linspace(0, 1, len(p)), p[:, 0], p[:, 1])
            continue
        if s.parent is None:
            start, angle = np.array([-s.length / 2, 0.0]), 0.0
        else:
            xs, px, py = paths[s.parent]
            start = np.array([np.interp(s.parent_x, xs, px), np.interp(s.parent_x, xs, py)])
            siblings = children[s.parent]
            k = siblings.index(s)
            base = angles.get(s.parent, 0.0)
            spread = np.pi / 3 if len(siblings) > 1 else 0.0
            angle = base + (spread * (k / (len(siblings) - 1) - 0.5) if len(siblings) > 1 else 0.0)
            if morph.sections[0].name == s.parent and s.parent_x < 0.5:
                angle += np.pi  # off the soma's 0 end: the other way
        angles[s.name] = angle
        end = start + s.length * np.array([np.cos(angle), np.sin(angle)])
        paths[s.name] = (np.array([0.0, 1.0]), np.array([start[0], end[0]]), np.array([start[1], end[1]]))
    return paths


def morphology(morph, values=None, ax=None, out_path=None, title=None, cmap="viridis",
               label=None, linewidth_scale=1.0):
    """The cell in 2-d (x-y), each segment coloured by `values`: an array over
    morph.nodes (e.g. v at one time from probes at every node, or a
    mechanism's density), a dict section name -> value, or None (black).
    Line widths follow the diameters. Returns the figure unless out_path is given."""
    plt = _pyplot()
    from matplotlib.collections import LineCollection
    own = ax is None
    if own:
        fig, ax = plt.subplots(figsize=(7, 6))
    else:
        fig = ax.figure
    nodes = morph.nodes
    paths = _section_paths(morph)
    segments, colours, widths = [], [], []
    for s in morph.sections:
        xs, px, py = paths[s.name]
        mine = np.flatnonzero((nodes["section"] == s.index) & (nodes["area"] > 0))
        edges = np.linspace(0.0, 1.0, s.nseg + 1)
        for k in range(s.nseg):
            grid = np.linspace(edges[k], edges[k + 1], 8)
            segments.append(np.column_stack([np.interp(grid, xs, px), np.interp(grid, xs, py)]))
            widths.append(max(0.5, min(8.0, s.diam * linewidth_scale)))
            if values is None:
                colours.append(np.nan)
            elif isinstance(values, dict):
                colours.append(values.get(s.name, np.nan))
            else:
                node = mine[k] if k < mine.size else None
                colours.append(np.asarray(values)[node] if node is not None else np.nan)
    lines = []
    for seg, w in zip(segments, widths):
        lines.extend([(seg[i], seg[i + 1]) for i in range(len(seg) - 1)])
    per_line = np.repeat(np.asarray(colours, dtype=float), 7)
    collection = LineCollection(lines, linewidths=np.repeat(widths, 7), cmap=cmap,
                                colors=None if values is not None else "k")
    if values is not None:
        collection.set_array(per_line)
        fig.colorbar(collection, ax=ax, label=label or "")
    ax.add_collection(collection)
    ax.autoscale()
    ax.set_aspect("equal")
    ax.set_xlabel("x (um)")
    ax.set_ylabel("y (um)")
    ax.set_title(title or f"{morph.population}: {len(morph.sections)} sections")
    return _finish(fig, out_path) if own else fig


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="kind", required=True)
    r = sub.add_parser("raster", help="spike raster and population rate")
    r.add_argument("spikes")
    r.add_argument("out")
    r.add_argument("--cells", type=int, default=None,
                   help="number of cells (default: largest gid + 1)")
    r.add_argument("--max-cells", type=int, default=500)
    r.add_argument("--title")
    t = sub.add_parser("traces", help="probe traces, one panel per probe")
    t.add_argument("traces")
    t.add_argument("out")
    t.add_argument("--title")
    args = parser.parse_args(argv)
    import matplotlib
    matplotlib.use("Agg")  # the command line draws files, with or without a display
    try:
        if args.kind == "raster":
            raster(args.spikes, out_path=args.out, n_cells=args.cells, max_cells=args.max_cells,
                   title=args.title)
        else:
            traces(args.traces, out_path=args.out, title=args.title)
    except OSError as error:  # e.g. a full disk: say so in one line (exit 5, see plots.cpp)
        print(f"plot.py: {error.filename or args.out}: {error.strerror or error}",
              file=sys.stderr)
        return CANNOT_WRITE
    return 0


if __name__ == "__main__":
    sys.exit(main())
