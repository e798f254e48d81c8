"""Ranvier from Python: load a model, set options, run, get numpy arrays.

    import ranvier
    model = ranvier.load_model("examples/brunel.toml")   # or ranvier.builtin_model("brunel")
    model.t_stop = 200.0                                  # ms
    model.options.mode = "async-fixed"; model.options.threads = 2
    sim = ranvier.Simulation(model)                       # builds the network
    result = sim.run(100.0)                               # ms (absolute time)
    result = sim.run(200.0)                               # continues from 100 ms
    result.spikes.gid, result.spikes.time                 # numpy, sorted by time then gid
    result.traces["time"], result.traces["value"]         # probes of [record]
    sim.statistics                                        # counters and wall times

Errors in models or options raise ranvier.ModelError (a ValueError) whose
message names file:line: 'key'. The compiled part is the extension module
`_ranvier`, built by CMake into <build>/python/ranvier/; the pure-Python
helpers ranvier.stats and ranvier.plot work without it.
"""

import pkgutil

# The extension is built outside the source tree (<build>/python/ranvier/):
# let this package span every `ranvier` directory on sys.path, so that
# PYTHONPATH=<source>/python:<build>/python finds both halves.
__path__ = pkgutil.extend_path(__path__, __name__)

_PUBLIC = ("ModelError", "Model", "Options", "Simulation", "Result", "Spikes",
           "load_model", "parse_model", "builtin_model", "MODES", "__version__",
           "Network", "Population", "Cells", "Morphology", "Sections", "load_swc")

try:
    from ._ranvier import (ModelError, Model, Options, Result, Spikes,  # noqa: F401
                           load_model, parse_model, builtin_model, MODES, __version__)
    from .network import Network, Population, Cells  # noqa: F401
    from .simulation import Simulation  # noqa: F401
    from .morphology import Morphology, Sections, load_swc  # noqa: F401
    from . import plot, stats, units  # noqa: F401  (plot imports matplotlib only when drawing)
except ImportError as _error:  # the extension is not built or not on sys.path
    _IMPORT_ERROR = _error

    def __getattr__(name):
        if name in _PUBLIC:
            raise ImportError(
                f"ranvier.{name} needs the compiled extension ranvier._ranvier, which could not "
                f"be imported ({_IMPORT_ERROR}). Build it with `cmake --build <build> --target "
                f"_ranvier` and put <build>/python on PYTHONPATH after <source>/python.")
        raise AttributeError(f"module 'ranvier' has no attribute '{name}'")
else:
    # Show the public names as ranvier.X rather than ranvier._ranvier.X.
    for _cls in (ModelError, Model, Options, Result, Spikes):
        _cls.__module__ = __name__
    del _cls

__all__ = list(_PUBLIC)
