: Hyperpolarisation-activated cation current (Ih, HCN) of the layer-5
: pyramidal-like cell (Ranvier's text): a mixed Na/K current, modelled as
: a nonspecific current with its own reversal potential ehcn.
NEURON {
    SUFFIX ih
    NONSPECIFIC_CURRENT ihcn
    RANGE gbar, ehcn
}
UNITS {
    (S) = (siemens)
    (mV) = (millivolt)
    (mA) = (milliamp)
}
PARAMETER {
    gbar = 0.00001 (S/cm2)
    ehcn = -45 (mV)
}
ASSIGNED {
    v (mV)
    ihcn (mA/cm2)
    minf
    mtau (ms)
}
STATE { m }
BREAKPOINT {
    SOLVE states METHOD cnexp
    ihcn = gbar*m*(v - ehcn)
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
    LOCAL a, b
    a = 0.001*6.43*efun(v + 154.9, 11.9)
    b = 0.001*193*exp(v/33.1)
    minf = a/(a + b)
    mtau = 1/(a + b)
}
: x/(exp(x/k) - 1) with its limit k at x = 0.
FUNCTION efun(x (mV), k (mV)) (mV) {
    if (fabs(x/k) < 1e-6) {
        efun = k*(1 - x/k/2)
    } else {
        efun = x/(exp(x/k) - 1)
    }
}
