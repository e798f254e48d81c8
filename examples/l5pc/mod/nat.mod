: Transient sodium channel of the layer-5 pyramidal-like cell (Ranvier's
: text). Rates after the Colbert-Pan form used for cortical pyramidal
: cells; m^3 h gating; rates measured at 21 degC, Q10 2.3.
NEURON {
    SUFFIX nat
    USEION na READ ena WRITE ina
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
    ena (mV)
    ina (mA/cm2)
    minf
    mtau (ms)
    hinf
    htau (ms)
}
STATE { m h }
BREAKPOINT {
    SOLVE states METHOD cnexp
    ina = gbar*m*m*m*h*(v - ena)
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
    LOCAL qt, a, b
    qt = 2.3^((celsius - 21)/10)
    a = 0.182*efun(-(v + 38), 6)
    b = 0.124*efun(v + 38, 6)
    minf = a/(a + b)
    mtau = 1/((a + b)*qt)
    a = 0.015*efun(v + 66, 6)
    b = 0.015*efun(-(v + 66), 6)
    hinf = a/(a + b)
    htau = 1/((a + b)*qt)
}
: x/(exp(x/k) - 1) with its limit k at x = 0.
FUNCTION efun(x (mV), k (mV)) (mV) {
    if (fabs(x/k) < 1e-6) {
        efun = k*(1 - x/k/2)
    } else {
        efun = x/(exp(x/k) - 1)
    }
}
