: Synapse with a single-exponential conductance (Ranvier's text of NEURON's
: ExpSyn semantics): each event adds its weight to g, g decays with tau,
: i = g (v - e) in nA.
NEURON {
    POINT_PROCESS ExpSyn
    RANGE tau, e, i
    NONSPECIFIC_CURRENT i
}
UNITS {
    (nA) = (nanoamp)
    (mV) = (millivolt)
    (uS) = (microsiemens)
}
PARAMETER {
    tau = 0.1 (ms)
    e = 0 (mV)
}
ASSIGNED {
    v (mV)
    i (nA)
}
STATE { g (uS) }
INITIAL { g = 0 }
BREAKPOINT {
    SOLVE state METHOD cnexp
    i = g*(v - e)
}
DERIVATIVE state { g' = -g/tau }
NET_RECEIVE(weight (uS)) { g = g + weight }
