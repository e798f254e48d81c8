COMMENT
A synapse carrying calcium (NMDA-like): one exponential conductance g
opened by NetCon events, a magnesium block nonlinear in v, a fraction of
the current carried by calcium at the node's eca, inactivated by the
node's cai. Ranvier's test of USEION in a POINT_PROCESS
(test/validation/test_ion_mechanism_neuron.py).
ENDCOMMENT

NEURON {
    POINT_PROCESS CaSyn
    USEION ca READ eca, cai WRITE ica
    NONSPECIFIC_CURRENT i
    RANGE tau, e, frac, kca, mg, g, ica
}

UNITS {
    (nA) = (nanoamp)
    (mV) = (millivolt)
    (uS) = (microsiemens)
    (mM) = (milli/liter)
}

PARAMETER {
    tau = 8 (ms)
    e = 0 (mV)
    frac = 0.2 (1)
    kca = 0.0005 (mM)
    mg = 1 (mM)
}

ASSIGNED {
    v (mV)
    eca (mV)
    cai (mM)
    i (nA)
    ica (nA)
}

STATE { g (uS) }

INITIAL { g = 0 }

BREAKPOINT {
    LOCAL b
    SOLVE state METHOD cnexp
    b = 1 / (1 + exp(-0.062 * v) * mg / 3.57)
    i = (1 - frac) * g * b * (v - e)
    ica = frac * g * b * (v - eca) * kca / (kca + cai)
}

DERIVATIVE state { g' = -g / tau }

NET_RECEIVE(weight (uS)) { g = g + weight }
