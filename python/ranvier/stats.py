#!/usr/bin/python3
"""Spike-train statistics of a network run, from Ranvier's spikes.csv.

Used by the Brunel-regime validation (test/validation/test_brunel_regimes.py),
the Brian2 reference scripts and bench/brunel. numpy only.

Statistics (all over the window [t_start, t_stop) in ms):
  mean_rate_hz     spikes / (n_cells * window), Hz.
  cv_isi           mean over neurons with >= 3 spikes in the window of the
                   coefficient of variation of their inter-spike intervals;
                   ~1 for Poisson-like firing, ~0 for clock-like firing.
  fano_factor      variance / mean of the population spike count in 1 ms
                   bins. For N independent Poisson neurons it is ~1; it grows
                   as ~1 + (N-1) * (mean pairwise count correlation), so it
                   measures population synchrony without needing voltages
                   (Golomb's chi would need every membrane potential).
  rate_cv          std / mean of the population rate in 1 ms bins (the same
                   information on a scale that does not grow with N for
                   strongly synchronous states).
  osc_freq_hz      frequency of the largest peak of the power spectrum of the
                   population rate above 5 Hz (Welch average of Hann-windowed
                   256 ms segments of the 1 ms binned rate, half overlap;
                   resolution ~3.9 Hz).
  osc_rel_power    power at that peak divided by the mean power in
                   [5 Hz, 500 Hz]: ~1-5 for a flat (asynchronous) spectrum,
                   tens to hundreds for a global oscillation.
"""

import argparse
import json
import sys
import warnings

import numpy as np

BIN_MS = 1.0  # population-rate bin (ms); 1 kHz sampling covers the ~200 Hz SI-fast rhythm
MIN_FREQ_HZ = 5.0  # below this the spectrum is dominated by slow rate drifts
SEGMENT_BINS = 256  # Welch segment length (bins of BIN_MS)


def load_spikes(path):
    """Returns (gids int64, times_ms float64) from a `gid,time_ms` CSV."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # an empty file (header only) warns
        data = np.loadtxt(path, delimiter=",", skiprows=1, ndmin=2,
                          dtype=np.float64)
    if data.size == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0)
    return data[:, 0].astype(np.int64), data[:, 1]


def _window(gids, times, t_start, t_stop):
    keep = (times >= t_start) & (times < t_stop)
    return gids[keep], times[keep]


def mean_rate(spikes, n_cells, t_start, t_stop):
    """Mean firing rate (Hz) of n_cells over [t_start, t_stop) ms."""
    gids, times = _window(*spikes, t_start, t_stop)
    return gids.size / (n_cells * (t_stop - t_start) * 1e-3)


def mean_cv_isi(spikes, t_start, t_stop, min_spikes=3):
    """(mean CV of ISIs over neurons with >= min_spikes, number of such neurons).

    The mean is nan when no neuron qualifies."""
    gids, times = _window(*spikes, t_start, t_stop)
    if gids.size == 0:
        return float("nan"), 0
    order = np.lexsort((times, gids))  # by gid, then time
    gids, times = gids[order], times[order]
    isi = np.diff(times)
    same = gids[1:] == gids[:-1]  # consecutive spikes of one neuron
    isi, owner = isi[same], gids[1:][same]
    uniq, first, n_isi = np.unique(owner, return_index=True, return_counts=True)
    if uniq.size == 0:
        return float("nan"), 0
    s1 = np.add.reduceat(isi, first)
    s2 = np.add.reduceat(isi * isi, first)
    ok = n_isi >= min_spikes - 1
    if not ok.any():
        return float("nan"), 0
    mean = s1[ok] / n_isi[ok]
    var = np.maximum(s2[ok] / n_isi[ok] - mean * mean, 0.0)
    return float(np.mean(np.sqrt(var) / mean)), int(ok.sum())


def population_counts(spikes, t_start, t_stop, bin_ms=BIN_MS):
    """Population spike count per bin of bin_ms over [t_start, t_stop)."""
    _, times = _window(*spikes, t_start, t_stop)
    n_bins = int(round((t_stop - t_start) / bin_ms))
    idx = np.floor((times - t_start) / bin_ms).astype(np.int64)
    idx = idx[(idx >= 0) & (idx < n_bins)]
    return np.bincount(idx, minlength=n_bins).astype(np.float64)


def synchrony(spikes, t_start, t_stop, bin_ms=BIN_MS):
    """(Fano factor, CV) of the population count in bins of bin_ms."""
    counts = population_counts(spikes, t_start, t_stop, bin_ms)
    mean = counts.mean() if counts.size else 0.0
    if mean <= 0:
        return float("nan"), float("nan")
    return float(counts.var() / mean), float(counts.std() / mean)


def rate_spectrum(counts, bin_ms=BIN_MS, segment=SEGMENT_BINS):
    """Welch power spectrum of a binned signal: (freqs Hz, power, arbitrary units)."""
    x = counts - counts.mean()
    segment = min(segment, x.size)
    step = max(segment // 2, 1)
    window = np.hanning(segment)
    starts = range(0, x.size - segment + 1, step)
    power = np.mean([np.abs(np.fft.rfft(x[s:s + segment] * window)) ** 2
                     for s in starts], axis=0)
    freqs = np.fft.rfftfreq(segment, d=bin_ms * 1e-3)
    return freqs, power


def dominant_oscillation(spikes, t_start, t_stop, bin_ms=BIN_MS):
    """(peak frequency Hz above MIN_FREQ_HZ, peak power / mean power above it)."""
    counts = population_counts(spikes, t_start, t_stop, bin_ms)
    if counts.size < 16 or counts.sum() == 0:
        return float("nan"), float("nan")
    freqs, power = rate_spectrum(counts, bin_ms)
    band = freqs >= MIN_FREQ_HZ
    if not band.any() or power[band].mean() <= 0:
        return float("nan"), float("nan")
    i = np.argmax(power[band])
    return float(freqs[band][i]), float(power[band][i] / power[band].mean())


def summarize_spikes(spikes, n_cells, t_start, t_stop):
    """All statistics of already-loaded (gids, times) as a dict."""
    cv, n_cv = mean_cv_isi(spikes, t_start, t_stop)
    fano, rate_cv = synchrony(spikes, t_start, t_stop)
    freq, rel = dominant_oscillation(spikes, t_start, t_stop)
    in_window = _window(*spikes, t_start, t_stop)[0].size
    return {
        "n_cells": int(n_cells),
        "t_start_ms": float(t_start),
        "t_stop_ms": float(t_stop),
        "spikes_in_window": int(in_window),
        "mean_rate_hz": float(mean_rate(spikes, n_cells, t_start, t_stop)),
        "cv_isi": cv,
        "cv_isi_neurons": n_cv,
        "fano_factor": fano,
        "rate_cv": rate_cv,
        "osc_freq_hz": freq,
        "osc_rel_power": rel,
    }


def summarize(path, n_cells, t_start, t_stop):
    """All statistics of the spikes.csv at path as a dict."""
    return summarize_spikes(load_spikes(path), n_cells, t_start, t_stop)


def json_safe(value):
    """Copy of value with nan/inf floats replaced by None (strict JSON)."""
    if isinstance(value, dict):
        return {k: json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    if isinstance(value, float) and not np.isfinite(value):
        return None
    return value


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("spikes", help="spikes.csv (gid,time_ms)")
    parser.add_argument("--cells", type=int, required=True,
                        help="number of cells in the network")
    parser.add_argument("--t-start", type=float, default=0.0, help="ms")
    parser.add_argument("--t-stop", type=float, required=True, help="ms")
    args = parser.parse_args(argv)
    if args.t_stop <= args.t_start or args.cells <= 0:
        parser.error("need --t-stop > --t-start and --cells > 0")
    result = summarize(args.spikes, args.cells, args.t_start, args.t_stop)
    json.dump(json_safe(result), sys.stdout, indent=2)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
