: Fast delayed-rectifier potassium channel (Kv3.1-like) of the layer-5
: pyramidal-like cell (Ranvier's text): one activation gate.
NEURON {
    SUFFIX kv31
    USEION k READ ek WRITE ik
    RANGE gbar
}
UNITS {
    (S) = (siemens)
    (mV) = (millivolt)
    (mA) = (milliamp)
}
PARAMETER {
    gbar = 0.00001 (S/cm2)
}
ASSIGNED {
    v (mV)
    ek (mV)
    ik (mA/cm2)
    minf
    mtau (ms)
}
STATE { m }
BREAKPOINT {
    SOLVE states METHOD cnexp
    ik = gbar*m*(v - ek)
}
DERIVATIVE states {
    rates(v)
    m' = (minf - m)/mtau
}
INITIAL {
    rates(v)
    m = minf
}
PROCEDURE rates(v (mV)) {
    minf = 1/(1 + exp((18.7 - v)/9.7))
    mtau = 4/(1 + exp(-(v + 46.56)/44.14))
}
