: Small-conductance calcium-activated potassium channel (SK) of the
: layer-5 pyramidal-like cell (Ranvier's text): activation by internal
: calcium (Hill coefficient 4.8, half activation 0.43 uM), voltage
: independent.
NEURON {
    SUFFIX sk
    USEION k READ ek WRITE ik
    USEION ca READ cai
    RANGE gbar
}
UNITS {
    (S) = (siemens)
    (mV) = (millivolt)
    (mA) = (milliamp)
    (mM) = (milli/liter)
}
PARAMETER {
    gbar = 0.00001 (S/cm2)
    ztau = 1 (ms)
}
ASSIGNED {
    v (mV)
    ek (mV)
    cai (mM)
    ik (mA/cm2)
    zinf
}
STATE { z }
BREAKPOINT {
    SOLVE states METHOD cnexp
    ik = gbar*z*(v - ek)
}
DERIVATIVE states {
    rates(cai)
    z' = (zinf - z)/ztau
}
INITIAL {
    rates(cai)
    z = zinf
}
PROCEDURE rates(ca (mM)) {
    zinf = 1/(1 + (0.00043/ca)^4.8)
}
