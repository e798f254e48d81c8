"""ARTIFICIAL_CELL for src/nmodl/translate.py (docs/nmodl.md, "Artificial
cells"): a mechanism that is a cell of its own, with no membrane, changed
only by its events (NEURON's IntFire*, IntervalFire). Kept apart from
translate.py: read_mechanism only calls prepare() before parsing.

An artificial cell is generated as a point process without BREAKPOINT (the
rest of the generator is shared) and declared `artificial_cell` in its type:
Ranvier runs its instances in a cell group of their own
(src/cells/artificial/), never on a cable cell. What needs a membrane or an
integrator is refused here with its line: BREAKPOINT, SOLVE, DERIVATIVE,
KINETIC, STATE, USEION, currents, and `v` (NEURON has no v there either).
"""

import re

from source_lines import code_lines

# Constructs an artificial cell cannot have: (regex on code, message).
_REFUSED = [
    (r"\bBREAKPOINT\b", "BREAKPOINT: an ARTIFICIAL_CELL has no membrane, so no currents "
                        "(its state changes only in NET_RECEIVE; use analytic solutions in time)"),
    (r"\bSOLVE\b", "SOLVE: an ARTIFICIAL_CELL is not integrated (its state changes only in NET_RECEIVE)"),
    (r"\bDERIVATIVE\b", "DERIVATIVE: an ARTIFICIAL_CELL is not integrated (no SOLVE)"),
    (r"\bKINETIC\b", "KINETIC: an ARTIFICIAL_CELL is not integrated (no SOLVE)"),
    (r"\bSTATE\b", "STATE: an ARTIFICIAL_CELL is not integrated (keep its variables ASSIGNED and "
                   "update them in NET_RECEIVE)"),
    (r"\bUSEION\b", "USEION: an ARTIFICIAL_CELL has no membrane and no ions"),
    (r"\bNONSPECIFIC_CURRENT\b", "NONSPECIFIC_CURRENT: an ARTIFICIAL_CELL has no membrane"),
    (r"\bELECTRODE_CURRENT\b", "ELECTRODE_CURRENT: an ARTIFICIAL_CELL has no membrane"),
    (r"\bv\b", "v: an ARTIFICIAL_CELL has no membrane potential"),
]


def declares_artificial_cell(text):
    """The line of `ARTIFICIAL_CELL name` outside comments, or 0."""
    for number, code in code_lines(text):
        if re.search(r"\bARTIFICIAL_CELL\b", code):
            return number
    return 0


def prepare(text, fail):
    """(text to parse, is an artificial cell). For an artificial cell, checks
    what it may not contain (fail(message, line)) and returns the text with
    ARTIFICIAL_CELL read as POINT_PROCESS and an empty BREAKPOINT added at the
    end (line numbers unchanged), which the shared generator expects."""
    if not declares_artificial_cell(text):
        return text, False
    for number, code in code_lines(text):
        for pattern, message in _REFUSED:
            if re.search(pattern, code):
                fail(message, number)
    parsed = re.sub(r"\bARTIFICIAL_CELL\b", "POINT_PROCESS", text, count=1)
    return parsed + "\nBREAKPOINT { }\n", True


def check_net_move(text, artificial, fail):
    """net_move is supported in an ARTIFICIAL_CELL's NET_RECEIVE only (its
    self-events live in the artificial cell group, which moves them)."""
    if artificial:
        return
    for number, code in code_lines(text):
        if re.search(r"\bnet_move\b", code):
            fail("net_move: supported in an ARTIFICIAL_CELL only (a POINT_PROCESS's self-events cannot "
                 "be moved yet: docs/nmodl.md, Artificial cells)", number)
