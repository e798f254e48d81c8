#!/usr/bin/python3
"""Figures of a Ranvier run: spike raster with population rate, and probe traces.

  plot.py raster spikes.csv out.png [--cells N] [--max-cells 500] [--title T]
  plot.py traces traces.csv out.png [--title T]

matplotlib with the Agg backend (no display needed); files are read with
numpy so 10^6 spikes plot in a few seconds.
"""

import argparse
import os
import pathlib
import sys
import warnings

import numpy as np

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
from ranvier import stats  # noqa: E402

RATE_BIN_MS = 1.0  # population-rate bin (ms)
CANNOT_WRITE = 5  # exit code when a file cannot be read or written (OSError)


def _note(ax, text):
    ax.text(0.5, 0.5, text, transform=ax.transAxes, ha="center", va="center",
            color="0.4")


def _save(fig, out_path):
    """Writes the figure under a temporary name, then renames it: a failed or interrupted
    drawing (a full disk, Ctrl-C) leaves no partial file at out_path."""
    out_path = pathlib.Path(out_path)
    tmp = out_path.with_name(out_path.name + ".tmp")
    try:
        fig.savefig(tmp, dpi=120, format=out_path.suffix.lstrip(".") or "png")
        os.replace(tmp, out_path)
    finally:
        plt.close(fig)
        tmp.unlink(missing_ok=True)


def raster(spikes_path, out_path, n_cells=None, max_cells=500, title=None,
           seed=0):
    """Raster of at most max_cells gids (evenly spaced subsample) above the
    population rate of all cells (Hz per cell)."""
    gids, times = stats.load_spikes(spikes_path)
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
        t_end = float(times.max()) + RATE_BIN_MS
        edges = np.arange(0.0, t_end + RATE_BIN_MS, RATE_BIN_MS)
        counts, _ = np.histogram(times, bins=edges)
        rate = counts / (max(n_cells, 1) * RATE_BIN_MS * 1e-3)
        ax_p.plot(edges[:-1], rate, lw=0.6, c="C0")
        ax_p.set_xlim(0.0, t_end)
    ax_p.set_xlabel("time (ms)")
    ax_p.set_ylabel(f"rate (Hz, {RATE_BIN_MS:g} ms bins)")
    title = title or f"{pathlib.Path(spikes_path).name}: {gids.size} spikes"
    ax_r.set_title(title)
    fig.tight_layout()
    _save(fig, out_path)


def traces(traces_path, out_path, title=None):
    """One panel per probe name: value against time, one line per gid."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # header-only file
        data = np.genfromtxt(traces_path, delimiter=",", names=True,
                             dtype=None, encoding="utf-8")
    data = np.atleast_1d(data)
    probes = sorted(set(data["probe"].tolist())) if data.size else []
    fig, axes = plt.subplots(max(len(probes), 1), 1, sharex=True,
                             figsize=(10, 2.5 * max(len(probes), 1)),
                             squeeze=False)
    axes = axes[:, 0]
    if not probes:
        _note(axes[0], "no samples")
    for ax, probe in zip(axes, probes):
        rows = data[data["probe"] == probe]
        for gid in np.unique(rows["gid"]):
            mine = rows[rows["gid"] == gid]
            order = np.argsort(mine["time_ms"], kind="stable")
            ax.plot(mine["time_ms"][order], mine["value"][order], lw=0.7,
                    label=f"gid {gid}")
        ax.set_ylabel(probe)
        ax.legend(loc="upper right", fontsize="small")
    axes[-1].set_xlabel("time (ms)")
    axes[0].set_title(title or pathlib.Path(traces_path).name)
    fig.tight_layout()
    _save(fig, out_path)


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
    try:
        if args.kind == "raster":
            raster(args.spikes, args.out, args.cells, args.max_cells, args.title)
        else:
            traces(args.traces, args.out, args.title)
    except OSError as error:  # e.g. a full disk: say so in one line (exit 5, see plots.cpp)
        print(f"plot.py: {error.filename or args.out}: {error.strerror or error}",
              file=sys.stderr)
        return CANNOT_WRITE
    return 0


if __name__ == "__main__":
    sys.exit(main())
