COMMENT
A leak whose BREAKPOINT also sets cai, an ASSIGNED value, from v (a
voltage-dependent calcium level): with a current, NEURON computes cai in
nrn_cur at every current evaluation and stores it into the ion at its end.
ENDCOMMENT

NEURON {
    SUFFIX cavd
    USEION ca WRITE cai
    NONSPECIFIC_CURRENT il
    RANGE gl, el, cainf, cadelta, vhalf
}

UNITS {
    (mV) = (millivolt)
    (mA) = (milliamp)
    (S) = (siemens)
    (mM) = (milli/liter)
}

PARAMETER {
    gl = 5e-5 (S/cm2)
    el = -65 (mV)
    cainf = 5e-5 (mM)
    cadelta = 0.004 (mM)
    vhalf = -50 (mV)
}

ASSIGNED {
    v (mV)
    il (mA/cm2)
    cai (mM)
}

BREAKPOINT {
    il = gl * (v - el)
    cai = cainf + cadelta / (1 + exp(-(v - vhalf) / 4))
}
