: A slow adaptation current whose gate has a nonlinear equation, solved by
: derivimplicit (Ranvier's test mechanism, not a published model).
NEURON {
    SUFFIX kdi
    NONSPECIFIC_CURRENT i
    RANGE gbar, e
}
UNITS {
    (mA) = (milliamp)
    (mV) = (millivolt)
    (S) = (siemens)
}
PARAMETER {
    gbar = 0.002 (S/cm2)
    e = -80 (mV)
    tau = 20 (ms)
}
STATE { w }
ASSIGNED {
    v (mV)
    i (mA/cm2)
    winf
}
INITIAL { w = 0 }
BREAKPOINT {
    SOLVE states METHOD derivimplicit
    i = gbar*w*(v - e)
}
DERIVATIVE states {
    winf = 1/(1 + exp(-(v + 30)/5))
    w' = (winf - w)/tau - 0.5*w*w*(1 - winf)
}
