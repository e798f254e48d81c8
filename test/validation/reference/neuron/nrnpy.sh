#!/usr/bin/env bash
# Runs a Python script inside NEURON 8.2 (Debian package) with Debian's Python 3.11.
# NRN_PYTHONHOME/NRN_PYLIB (what /usr/bin/nrnpyenv.sh /usr/bin/python3 prints) make nrniv
# embed /usr/bin/python3's library instead of whatever python3 is first on PATH (a pyenv
# build without numpy on this machine). stdin is closed so nrniv never waits for input.
# Usage: nrnpy.sh script.py [args...]
set -uo pipefail
export NRN_PYTHONHOME=/usr
export NRN_PYLIB=/usr/lib/x86_64-linux-gnu/libpython3.11.so.1
# nrniv prints two lines about a missing X display on stderr; drop just those.
nrniv -nobanner -python "$@" </dev/null 2> >(grep -v -e 'no DISPLAY' -e 'No graphics' >&2 || true)
