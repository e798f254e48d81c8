"""The network of IntervalFire artificial cells (NEURON's demo
invlfire.mod, copied unchanged to test/data/nmodl/artificial/) that both
simulators run: artificial_cells.py builds it in NEURON 8.2, and
test/validation/test_artificial_neuron.py writes it as a Ranvier model file.
Described once here so the two cannot drift apart.

Gids as in Ranvier's model file (populations in this order):
  0, 1      spike sources (times below): 0 excitatory, 1 inhibitory
  2 .. 6    IntervalFire cells F0 .. F4, each its own (tau, invl)
Connections (source, target, weight, delay ms) cover both NET_RECEIVE
paths: flag 0 (inputs: m jumps by w, net_move of the pending self-event)
and flag 1 (the self-event: a spike at the natural interval); weights above
1 - m push m over 1 (an immediate spike, then net_move to a full interval),
negative weights postpone the self-event. Weights are binary fractions and
source times multiples of 0.25 ms (Ranvier's fixed step stamps a source's
spike at the end of its step, k dt, which is then the same time up to
roundoff). Delays are irregular (1.03, 2.07, ... ms) so that no two events
reach a cell at exactly the same time: an input pushing m over 1 fires at
its arrival time, and with round delays chains of such spikes tie exactly,
where the result depends on the simulators' orders of simultaneous events
(Ranvier's is documented, NEURON's is its queue's).
"""

T_STOP = 100.0  # ms
DT = 0.025      # ms, the fixed step of both simulators

SOURCES = [
    [2.0, 5.5, 11.0, 17.25, 23.0, 31.5, 40.0, 52.75, 61.0, 77.5, 88.0],
    [3.25, 8.0, 14.0, 27.0, 36.0, 47.5, 66.25, 81.0],
]

# (tau ms, invl ms) of F0 .. F4
CELLS = [(5.0, 10.0), (4.0, 7.0), (8.0, 12.5), (3.0, 6.0), (6.0, 9.0)]

# (source gid, target gid, weight, delay ms)
CONNECTIONS = [
    (0, 2, 0.75, 1.03),
    (0, 3, 1.25, 2.07),   # over 1 on its own: immediate spikes
    (0, 5, 0.5, 0.51),
    (1, 2, -0.5, 1.53),
    (1, 4, -0.75, 1.11),
    (1, 6, -0.25, 2.57),
    (2, 4, 0.375, 3.13),
    (3, 2, 0.25, 2.03),
    (4, 5, -0.5, 1.29),
    (5, 6, 0.625, 1.77),
    (6, 3, 0.5, 2.21),
    (5, 2, 1.5, 4.07),    # over 1
    (3, 5, -0.375, 0.97),
]

FIRST_CELL = len(SOURCES)

# IntervalFire's m recorded in both (indices into CELLS), every SAMPLE ms.
PROBED = [0, 3]
SAMPLE = 0.25
