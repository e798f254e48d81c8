"""Gives NEURON's `h` to scripts run as `nrniv -nobanner -python script.py [args]`.

Debian's neuron 8.2 package ships the interpreter (nrniv) and libnrnpython3.so but no
`neuron` Python package, so `from neuron import h` fails; the embedded `hoc` module is
always there under `nrniv -python` and gives the same HocObject.
"""
import os
import sys


def hoc_interpreter():
    """Returns NEURON's top-level HocObject with stdrun.hoc loaded."""
    try:
        from neuron import h  # a pip/wheel install, if someone has one
    except ImportError:
        import hoc
        h = hoc.HocObject()
    h.load_file("stdrun.hoc")
    return h


def script_args(script_file):
    """Arguments after the script path (nrniv keeps its own flags in sys.argv)."""
    script = os.path.abspath(script_file)
    for i, arg in enumerate(sys.argv):
        if arg.endswith(".py") and os.path.abspath(arg) == script:
            rest = sys.argv[i + 1:]
            return [a for a in rest if a != "--"]
    return sys.argv[1:]
