"""Gives NEURON's `h` to scripts run as `nrniv -nobanner -python script.py [args]`.

Debian's neuron 8.2 package ships the interpreter (nrniv) and libnrnpython3.so but no
`neuron` Python package, so `from neuron import h` fails; the embedded `hoc` module is
always there under `nrniv -python` and gives the same HocObject.
"""
import ctypes
import os
import sys
import tempfile


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


def captured_cvode_statistics(h):
    """What cvode.statistics() prints (C stdout), captured through a temporary file."""
    libc = ctypes.CDLL(None)
    sys.stdout.flush()
    libc.fflush(None)
    saved = os.dup(1)
    with tempfile.TemporaryFile(mode="w+") as tmp:
        os.dup2(tmp.fileno(), 1)
        try:
            h.cvode.statistics()
            libc.fflush(None)
        finally:
            os.dup2(saved, 1)
            os.close(saved)
        tmp.seek(0)
        return tmp.read()
