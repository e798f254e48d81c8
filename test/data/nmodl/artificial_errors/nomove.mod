: Test mechanism (test_artificial_neuron.py): net_move with no pending
: self-event of flag 1 is an error, as in NEURON ("No event with flag=1 for
: net_move"); its INITIAL sends a flag-2 event, which net_move cannot move.
NEURON {
    ARTIFICIAL_CELL NoMove
}
INITIAL { net_send(50, 2) }
NET_RECEIVE(w) {
    if (flag == 0) {
        net_move(t + 1)
    }
}
