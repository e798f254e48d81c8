: Low-voltage-activated (T-type) calcium channel of the layer-5
: pyramidal-like cell (Ranvier's text): m^2 h, Boltzmann steady states,
: Q10 2.3 from 21 degC.
NEURON {
    SUFFIX calva
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
    celsius (degC)
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
    LOCAL qt
    qt = 2.3^((celsius - 21)/10)
    minf = 1/(1 + exp(-(v + 40)/6))
    mtau = (5 + 20/(1 + exp((v + 35)/5)))/qt
    hinf = 1/(1 + exp((v + 90)/6.4))
    htau = (20 + 50/(1 + exp((v + 50)/7)))/qt
}
