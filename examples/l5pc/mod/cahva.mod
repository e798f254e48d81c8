: High-voltage-activated calcium channel of the layer-5 pyramidal-like
: cell (Ranvier's text): m^2 h, reversal potential eca from the calcium
: concentrations (Nernst, as NEURON computes it when cadyn writes cai).
NEURON {
    SUFFIX cahva
    USEION ca READ eca WRITE ica
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
    eca (mV)
    ica (mA/cm2)
    minf
    mtau (ms)
    hinf
    htau (ms)
}
STATE { m h }
BREAKPOINT {
    SOLVE states METHOD cnexp
    ica = gbar*m*m*h*(v - eca)
}
DERIVATIVE states {
    rates(v)
    m' = (minf - m)/mtau
    h' = (hinf - h)/htau
}
INITIAL {
    rates(v)
    m = minf
    h = hinf
}
PROCEDURE rates(v (mV)) {
    LOCAL a, b
    a = 0.055*efun(-(v + 27), 3.8)
    b = 0.94*exp(-(v + 75)/17)
    minf = a/(a + b)
    mtau = 1/(a + b)
    a = 0.000457*exp(-(v + 13)/50)
    b = 0.0065/(exp(-(v + 15)/28) + 1)
    hinf = a/(a + b)
    htau = 1/(a + b)
}
: x/(exp(x/k) - 1) with its limit k at x = 0.
FUNCTION efun(x (mV), k (mV)) (mV) {
    if (fabs(x/k) < 1e-6) {
        efun = k*(1 - x/k/2)
    } else {
        efun = x/(exp(x/k) - 1)
    }
}
