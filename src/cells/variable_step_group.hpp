// A cell group integrated in continuous time (the variable-step modes): the
// group carries its own cells from event to event, treating every incoming
// event as a discontinuity, and stamps spikes at their exact (off-grid) time.
//
// Time points of an epoch: advance_to(t_end) handles every time in
// (t_previous, t_end] — events due then, threshold crossings, samples — and
// leaves the state at t_end. The very first call, advance_to(0), handles the
// single point t = 0 (a cell starting above threshold spikes at 0). An
// engine whose epochs are at most min_delay() long therefore never delivers
// an event into time that has already been integrated.
#pragma once

#include "cells/cell_group.hpp"

#include <ranvier/simulation.hpp>
#include <ranvier/types.hpp>

#include <span>

namespace ranvier {

class variable_step_group {
public:
    virtual ~variable_step_group() = default;

    // Integrates to t_end (ms, not earlier than the previous t_end), appending
    // spikes and probe samples to `out` (spikes in time order per cell).
    virtual void advance_to(time_type t_end, group_output& out) = 0;

    // Hands the group every spike of the last epoch (all cells, sorted by time
    // then gid); it schedules, for each connection onto its cells, an event at
    // spike time + the connection's exact delay (never rounded to a grid).
    // Events wait in per-target queues ordered by (time, source gid,
    // connection), so the order never depends on when a spike arrived.
    // (The asynchronous engine splits spikes into deliveries per source:
    // each delivery is sorted, the union of several need not be.)
    virtual void deliver(std::span<const spike> spikes) = 0;
    // Do its results not depend on how spikes are split into deliveries?
    // (fixed_step_group::canonical_event_order)
    virtual bool canonical_event_order() const = 0;

    virtual std::span<const gid_type> gids() const = 0;
    // Shortest delay of the connections onto the group (ms; time_infinity if
    // it has none): bounds the epoch length.
    virtual time_type min_delay() const = 0;
    virtual group_counters counters() const = 0;
    // Has the group a connection from cell `source`?
    virtual bool receives_from(gid_type source) const = 0;
    // The distinct cells it receives from, sorted (empty: none).
    virtual std::span<const gid_type> source_gids() const = 0;
    // Parallel to source_gids(): the shortest delay of the connections from
    // each onto the group (ms).
    virtual std::span<const double> source_min_delays() const = 0;
    // Integrator work so far (cable cells; event-driven LIF reports none).
    virtual integrator_statistics integrator_counters() const { return {}; }
    // Work per cell so far (cell_group.hpp).
    virtual cell_work_counts cell_work() const { return {}; }
};

} // namespace ranvier
