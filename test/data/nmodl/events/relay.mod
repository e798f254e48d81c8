COMMENT
Ranvier's test point process for net_event: every event it receives is
passed on as a spike of its cell `lag` ms later (a self-event with flag 1,
then net_event(t)). It carries no current (i = 0).
ENDCOMMENT

NEURON {
    POINT_PROCESS Relay
    RANGE lag, i
    NONSPECIFIC_CURRENT i
}

PARAMETER { lag = 2 (ms) }

ASSIGNED { v (mV) i (nA) }

BREAKPOINT { i = 0 }

NET_RECEIVE(w) {
    if (flag == 0) {
        net_send(lag, 1)
    } else {
        net_event(t)
    }
}
