COMMENT
Ranvier's test synapse for NET_RECEIVE with several arguments, its INITIAL
block and net_send self-events (docs/nmodl.md, Events); compiled by NEURON's
nrnivmodl and by Ranvier for test/validation/test_net_receive_neuron.py.

Two conductances: g, a decaying one (g' = -g/tau) every event raises, and
gon, a square pulse each event opens for `dur` ms and its own self-event
(net_send(dur, 1)) closes again. Per connection (NET_RECEIVE's arguments):
w the weight (uS); scale (NetCon weight[1]) scales the square pulse; count
and amp are kept between the connection's events (facilitation per
connection). NET_RECEIVE's INITIAL block starts count at count0, so the
connection's k-th event has pulse amplitude w*scale*(1 + fac*(count0 + k)).
INITIAL sends one self-event with flag 2 at tspont (if > 0): a spontaneous
release of gspont into g.
ENDCOMMENT

NEURON {
    POINT_PROCESS GateSyn
    RANGE tau, e, dur, fac, count0, tspont, gspont, g, gon, i, nevents
    NONSPECIFIC_CURRENT i
}

UNITS {
    (nA) = (nanoamp)
    (mV) = (millivolt)
    (uS) = (microsiemens)
}

PARAMETER {
    tau = 3 (ms)
    e = 0 (mV)
    dur = 1.5 (ms)
    fac = 0.25
    count0 = 1
    tspont = 0 (ms)
    gspont = 0 (uS)
}

ASSIGNED {
    v (mV)
    i (nA)
    gon (uS)
    nevents
}

STATE { g (uS) }

INITIAL {
    g = 0
    gon = 0
    nevents = 0
    if (tspont > 0) {
        net_send(tspont, 2)
    }
}

BREAKPOINT {
    SOLVE state METHOD cnexp
    i = (g + gon)*(v - e)
}

DERIVATIVE state {
    g' = -g/tau
}

NET_RECEIVE(w (uS), scale, count, amp (uS)) {
    INITIAL {
        count = count0
        amp = 0
    }
    if (flag == 0) {
        count = count + 1
        nevents = nevents + 1
        g = g + w
        amp = w*scale*(1 + fac*count)
        gon = gon + amp
        net_send(dur, 1)
    } else if (flag == 1) {
        gon = gon - amp
    } else if (flag == 2) {
        g = g + gspont
    }
}
