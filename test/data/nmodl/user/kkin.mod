: A two-state potassium channel written as a KINETIC scheme (Ranvier's test
: mechanism, not a published model): closed <-> open with voltage-dependent
: rates, conservation of the channel, steady state at INITIAL.
NEURON {
    SUFFIX kkin
    USEION k READ ek WRITE ik
    RANGE gbar
}
UNITS {
    (mA) = (milliamp)
    (mV) = (millivolt)
    (S) = (siemens)
}
PARAMETER {
    gbar = 0.005 (S/cm2)
    a0 = 0.2 (/ms)
    b0 = 0.1 (/ms)
    vh = -40 (mV)
}
ASSIGNED {
    v (mV)
    ek (mV)
    ik (mA/cm2)
    kf (/ms)
    kb (/ms)
}
STATE { c o }
INITIAL { SOLVE scheme STEADYSTATE sparse }
BREAKPOINT {
    SOLVE scheme METHOD sparse
    ik = gbar*o*(v - ek)
}
KINETIC scheme {
    rates(v)
    ~ c <-> o (kf, kb)
    CONSERVE c + o = 1
}
PROCEDURE rates(v (mV)) {
    kf = a0*exp((v - vh)/20)
    kb = b0*exp(-(v - vh)/20)
}
