COMMENT
Ranvier's test point process for the order of simultaneous events
(docs/nmodl.md, Events): each event appends a digit to `code` (1 for a
connection's event, 2 for a self-event); an event with w > 0 sends a
self-event 2 ms later. A self-event due at the same time as a connection's
event acts after it: code ...12, not ...21.
ENDCOMMENT

NEURON {
    POINT_PROCESS Recorder
    RANGE code, i
    NONSPECIFIC_CURRENT i
}

ASSIGNED { v (mV) i (nA) code }

INITIAL { code = 0 }

BREAKPOINT { i = 0 }

NET_RECEIVE(w) {
    code = code*10 + flag + 1
    if (flag == 0 && w > 0) {
        net_send(2, 1)
    }
}
