COMMENT
A calcium pool: cai a STATE driven by the node's total ica (of density
mechanisms and point processes alike) and decaying to cainf.
ENDCOMMENT

NEURON {
    SUFFIX capool
    USEION ca READ ica WRITE cai
    RANGE depth, taur, cainf
}

UNITS {
    (mV) = (millivolt)
    (mA) = (milliamp)
    (mM) = (milli/liter)
    (um) = (micron)
    FARADAY = (faraday) (coulombs)
}

PARAMETER {
    depth = 0.1 (um)
    taur = 20 (ms)
    cainf = 5e-5 (mM)
}

ASSIGNED { ica (mA/cm2) }

STATE { cai (mM) }

INITIAL { cai = cainf }

BREAKPOINT { SOLVE state METHOD cnexp }

DERIVATIVE state {
    cai' = -10000 * ica / (2 * FARADAY * depth) + (cainf - cai) / taur
}
