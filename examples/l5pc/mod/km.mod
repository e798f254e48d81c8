: Muscarinic (M-type) potassium channel of the layer-5 pyramidal-like cell
: (Ranvier's text): slow, non-inactivating; Q10 2.3 from 21 degC.
NEURON {
    SUFFIX km
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
    celsius (degC)
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
    LOCAL qt, a, b
    qt = 2.3^((celsius - 21)/10)
    a = 3.3e-3*exp(0.1*(v + 35))
    b = 3.3e-3*exp(-0.1*(v + 35))
    minf = a/(a + b)
    mtau = 1/((a + b)*qt)
}
