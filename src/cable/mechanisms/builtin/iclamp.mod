: Current clamp (Ranvier's text of NEURON's IClamp semantics): amp (nA)
: injected for del <= t < del + dur; an electrode current, so positive amp
: depolarises.
NEURON {
    POINT_PROCESS IClamp
    RANGE del, dur, amp, i
    ELECTRODE_CURRENT i
}
UNITS { (nA) = (nanoamp) }
PARAMETER {
    del (ms)
    dur (ms)
    amp (nA)
}
ASSIGNED { i (nA) }
INITIAL { i = 0 }
BREAKPOINT {
    at_time(del)
    at_time(del + dur)
    if (t < del + dur && t >= del) {
        i = amp
    } else {
        i = 0
    }
}
