: Calcium pool of the layer-5 pyramidal-like cell (Ranvier's text): the
: calcium current fills a shell under the membrane (a fraction gamma of it
: stays free, depth of the shell `depth`), which decays to minCai with
: time constant `decay`.
NEURON {
    SUFFIX cadyn
    USEION ca READ ica WRITE cai
    RANGE gamma, decay, depth, minCai
}
UNITS {
    (mV) = (millivolt)
    (mA) = (milliamp)
    FARADAY = (faraday) (coulombs)
    (molar) = (1/liter)
    (mM) = (millimolar)
    (um) = (micron)
}
PARAMETER {
    gamma = 0.05
    decay = 80 (ms)
    depth = 0.1 (um)
    minCai = 1e-4 (mM)
}
ASSIGNED {
    ica (mA/cm2)
}
STATE { cai (mM) }
BREAKPOINT {
    SOLVE states METHOD cnexp
}
DERIVATIVE states {
    cai' = -(10000)*(ica*gamma/(2*FARADAY*depth)) - (cai - minCai)/decay
}
INITIAL {
    cai = minCai
}
