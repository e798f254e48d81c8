"""f_flux and b_flux in KINETIC blocks: NEURON's names for the forward and
backward flux of the reaction before them. NMODL's KineticBlockVisitor
substitutes them (cabpump's `ica_pmp = ... (f_flux - b_flux)` after
`~ pumpca <-> pump + cao`), as nocmodl does, except after a flux reaction
`~ x << (expr)`: nocmodl then gives f_flux = 0 and b_flux = expr, NMODL 0
for both. So b_flux after a `<<` (before another reaction) is refused with
its line; the rest is NMODL's substitution."""

import re

from source_lines import code_lines


def check(text, fail):
    last = None  # the kind of the last reaction met in the current KINETIC block
    for number, code in code_lines(text):
        for m in re.finditer(r"\bKINETIC\b|<<|<->|\bb_flux\b", code):
            token = m.group(0)
            if token == "KINETIC":
                last = None
            elif token in ("<<", "<->"):
                last = token
            elif last == "<<":
                fail("b_flux after a flux reaction (~ x << (expr)): NEURON gives the flux there and "
                     "NMODL's KineticBlockVisitor 0; not supported (read it before the << reaction "
                     "or compute the expression itself)", number)
