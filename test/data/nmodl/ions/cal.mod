COMMENT
A high-threshold calcium channel at the node's eca (which follows cai by
Nernst where a mechanism writes cai).
ENDCOMMENT

NEURON {
    SUFFIX cal
    USEION ca READ eca WRITE ica
    RANGE gbar
}

UNITS {
    (mV) = (millivolt)
    (mA) = (milliamp)
    (S) = (siemens)
}

PARAMETER { gbar = 0.0005 (S/cm2) }

ASSIGNED {
    v (mV)
    eca (mV)
    ica (mA/cm2)
    minf
    mtau (ms)
}

STATE { m }

INITIAL {
    rates(v)
    m = minf
}

BREAKPOINT {
    SOLVE state METHOD cnexp
    ica = gbar * m * m * (v - eca)
}

DERIVATIVE state {
    rates(v)
    m' = (minf - m) / mtau
}

PROCEDURE rates(v (mV)) {
    minf = 1 / (1 + exp(-(v + 20) / 5))
    mtau = 1 + 2 / (1 + exp((v + 40) / 10))
}
