"""ranvier.Simulation: the compiled simulation, built from a Model or a Network,
with a progress bar on run()."""

import sys
import time

from ._ranvier import Simulation as _CompiledSimulation


class ProgressBar:
    """A one-line progress bar on a text stream (a terminal or a notebook's
    stderr, both of which honour a carriage return)."""

    def __init__(self, stream=None, width=30):
        self.stream = stream if stream is not None else sys.stderr
        self.width = width
        self.start = time.perf_counter()
        self.shown = False

    def __call__(self, t, t_stop):
        fraction = min(1.0, t / t_stop) if t_stop > 0 else 1.0
        filled = int(round(fraction * self.width))
        elapsed = time.perf_counter() - self.start
        left = f", ~{elapsed * (1 - fraction) / fraction:.0f} s left" if 0 < fraction < 1 else ""
        self.stream.write(f"\r[{'#' * filled}{'.' * (self.width - filled)}] {100 * fraction:5.1f}% "
                          f"{t:.1f}/{t_stop:g} ms ({elapsed:.1f} s{left})   ")
        self.stream.flush()
        self.shown = True

    def close(self):
        if self.shown:
            self.stream.write("\n")
            self.stream.flush()


def _interactive():
    """A terminal or a notebook: where a progress bar is seen."""
    if "ipykernel" in sys.modules:
        return True
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False


class Simulation(_CompiledSimulation):
    """A built network. Simulation(model) takes a ranvier.Model (a model file) or a
    ranvier.Network (built in Python), copies it and builds it.

    Simulation(model, dry_run=N, dry_run_rank=K) builds and runs only rank K's share
    of an N-process run, the other ranks modelled as copies of it (docs/scaling.md,
    the command line's --dry-run); statistics["dry_run"] then says what the rank
    would send and receive, and statistics["per_process"] its memory."""

    def __init__(self, model, dry_run=None, dry_run_rank=0):
        if hasattr(model, "model") and callable(model.model):  # a Network
            model = model.model()
        super().__init__(model, dry_run, dry_run_rank)

    def run(self, t_stop=None, progress=None):
        """Advances to the absolute time t_stop (ms; default model.t_stop) and returns the
        spikes and traces produced by this call (see the compiled run). progress: None
        (a bar on stderr in a terminal or notebook, nothing otherwise), True, False, or a
        callable (t_ms, t_stop_ms) called at most every 0.1 s; Ctrl-C still stops the run."""
        bar = None
        if progress is None:
            progress = _interactive()
        if progress is True:
            bar = ProgressBar()
            callback = bar
        elif progress is False:
            callback = None
        elif callable(progress):
            callback = progress
        else:
            raise TypeError(f"progress must be None, True, False or a callable (t, t_stop), got {progress!r}")
        try:
            return super().run(t_stop, callback)
        finally:
            if bar is not None:
                bar.close()
