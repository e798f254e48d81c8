: A potassium channel whose rates and conductance scale are TABLEs (Ranvier's
: text, for test/validation/test_nmodl_corpus_neuron.py): coarse tables
: (WITH 7 over 35 mV: dx = 5 mV; WITH 3 over 70 mV) whose ranges v leaves on
: both sides during a spike, so the clamping at the ends, the interpolation
: between far-apart points and the rebuild for a DEPEND GLOBAL changed by the
: model (shift) all show in v.
NEURON {
    SUFFIX tabedge
    USEION k READ ek WRITE ik
    RANGE gbar
    GLOBAL shift, ninf, ntau
}
UNITS {
    (mA) = (milliamp)
    (mV) = (millivolt)
}
PARAMETER {
    gbar = 0.01 (S/cm2)
    shift = 0 (mV)
}
STATE { n }
ASSIGNED {
    v (mV)
    ek (mV)
    ik (mA/cm2)
    ninf
    ntau (ms)
}
INITIAL {
    rates(v)
    n = ninf
}
BREAKPOINT {
    SOLVE states METHOD cnexp
    ik = gbar*n*n*(v - ek)*gscale(v)
}
DERIVATIVE states {
    rates(v)
    n' = (ninf - n)/ntau
}
PROCEDURE rates(v (mV)) {
    TABLE ninf, ntau DEPEND shift FROM -70 TO -35 WITH 7
    ninf = 1/(1 + exp(-(v - shift + 50)/4))
    ntau = 1 + 4*exp(-((v + 50)/10)^2)
}
FUNCTION gscale(v (mV)) {
    TABLE FROM -70 TO 0 WITH 3
    gscale = 1 + 0.5*tanh((v + 40)/15)
}
