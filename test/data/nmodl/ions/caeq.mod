COMMENT
Calcium in instantaneous equilibrium with the node's calcium current: cai
an ASSIGNED value (not a STATE) computed by a PROCEDURE from ica, as NEURON
allows (USEION ca READ ica WRITE cai with cai in ASSIGNED): a sigmoid of
ica between cainf (outward) and cainf + cadelta (large inward currents).
ENDCOMMENT

NEURON {
    SUFFIX caeq
    USEION ca READ ica WRITE cai
    RANGE cainf, cadelta, ihalf
}

UNITS {
    (mA) = (milliamp)
    (mM) = (milli/liter)
}

PARAMETER {
    cainf = 5e-5 (mM)
    cadelta = 0.005 (mM)
    ihalf = 0.002 (mA/cm2)
}

ASSIGNED {
    ica (mA/cm2)
    cai (mM)
}

INITIAL { equilibrium() }

BREAKPOINT { equilibrium() }

PROCEDURE equilibrium() { cai = cainf + cadelta / (1 + exp(ica / ihalf)) }
