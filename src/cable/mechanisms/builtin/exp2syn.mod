: Synapse with a double-exponential conductance g = B - A (Ranvier's text of
: NEURON's Exp2Syn semantics): A decays with tau1, B with tau2 > tau1; an
: event adds weight*factor to both, factor making the peak of g equal to the
: weight; tau1 is kept within [1e-9, 0.9999] tau2.
NEURON {
    POINT_PROCESS Exp2Syn
    RANGE tau1, tau2, e, i
    NONSPECIFIC_CURRENT i
    RANGE g
}
UNITS {
    (nA) = (nanoamp)
    (mV) = (millivolt)
    (uS) = (microsiemens)
}
PARAMETER {
    tau1 = 0.1 (ms)
    tau2 = 10 (ms)
    e = 0 (mV)
}
ASSIGNED {
    v (mV)
    i (nA)
    g (uS)
    factor
}
STATE {
    A (uS)
    B (uS)
}
INITIAL {
    LOCAL tpeak
    if (tau1/tau2 > 0.9999) {
        tau1 = 0.9999*tau2
    }
    if (tau1/tau2 < 1e-9) {
        tau1 = tau2*1e-9
    }
    A = 0
    B = 0
    : time of the peak of exp(-t/tau2) - exp(-t/tau1), and 1/peak
    tpeak = (tau1*tau2)/(tau2 - tau1) * log(tau2/tau1)
    factor = -exp(-tpeak/tau1) + exp(-tpeak/tau2)
    factor = 1/factor
}
BREAKPOINT {
    SOLVE state METHOD cnexp
    g = B - A
    i = g*(v - e)
}
DERIVATIVE state {
    A' = -A/tau1
    B' = -B/tau2
}
NET_RECEIVE(weight (uS)) {
    A = A + weight*factor
    B = B + weight*factor
}
