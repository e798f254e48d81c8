: A delayed-rectifier potassium channel (Ranvier's test mechanism, not a
: published model): one gate n with Boltzmann steady state and a bell-shaped
: time constant, i = gbar n^4 (v - ek).
NEURON {
    SUFFIX kdr
    USEION k READ ek WRITE ik
    RANGE gbar, vhalf
}
UNITS {
    (mA) = (milliamp)
    (mV) = (millivolt)
    (S) = (siemens)
}
PARAMETER {
    gbar = 0.01 (S/cm2)
    vhalf = -40 (mV)
    slope = 9 (mV)
}
STATE { n }
ASSIGNED {
    v (mV)
    ek (mV)
    ik (mA/cm2)
    ninf
    ntau (ms)
}
BREAKPOINT {
    SOLVE states METHOD cnexp
    ik = gbar*n^4*(v - ek)
}
INITIAL {
    rates(v)
    n = ninf
}
DERIVATIVE states {
    rates(v)
    n' = (ninf - n)/ntau
}
PROCEDURE rates(v (mV)) {
    ninf = 1/(1 + exp(-(v - vhalf)/slope))
    ntau = 0.5 + 4*exp(-((v + 45)/20)^2)
}
