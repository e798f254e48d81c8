// The cells of one ARTIFICIAL_CELL mechanism (include/ranvier/artificial_cell.hpp)
// in one group: the generated mechanism's instances, one per cell, as its
// structure-of-arrays, and one queue of the events that change them. Nothing
// happens between events, so the same object serves every mode
// (artificial_groups.hpp wraps it for the fixed-step and the variable-step
// engines): every event acts at its exact time, in the fixed step too, as
// in NEURON (its artificial cells' events are never rounded to the step).
//
// Order of events (the canonical order of src/cable/event_origin.hpp, so
// results do not depend on how spikes are split into deliveries): by time;
// at equal times connection events first, by the spike they come from
// (emission time, source gid) then table order, then self-events in the
// order sent (a net_move re-sends: the moved event takes a new place).
//
// net_move (NEURON's artcell_net_move): each instance has at most one
// movable self-event, the last one it sent with flag 1; receiving a flag-1
// self-event clears it (as nocmodl's `*_tqitem = 0`), and net_move without
// one is an error, as in NEURON ("No event with flag=1 for net_move").
// A moved event stays in the heap, cancelled, and a copy takes its place.
//
// Probes read a PARAMETER or RANGE ASSIGNED value (IntervalFire's m: the
// value NET_RECEIVE stored, as NEURON's Vector.record(&m)) every `interval`
// from t = 0, in every mode. A sample at ts shows the events before ts:
// NEURON records an artificial cell's variable only by Vector.record(&m, Dt)
// (the per-step record gets nothing), whose samples are events of its
// queue, in the fixed step too, acting after the events before them. An
// event at exactly ts acts after the sample here (the asynchronous engine
// may deliver an event at exactly an advance's end in the next advance, so
// "at or before" would depend on the decomposition); NEURON's order at
// such a tie is its queue's.
#pragma once

#include "cable/event_origin.hpp"
#include "cable/mechanisms/mechanism.hpp"
#include "cells/cell_group.hpp"
#include "cells/connection_table.hpp"
#include "time/time_grid.hpp"

#include <ranvier/recipe.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <unordered_set>
#include <vector>

namespace ranvier {

class artificial_cells {
public:
    // All `gids` must be artificial cells of one mechanism (may_share_group).
    // With a grid (the fixed-step modes), connection delays must be at
    // least one step (the engines' epochs are whole steps). Runs the
    // mechanism's INITIAL and NET_RECEIVE's INITIAL (t = 0). Throws
    // user_error naming the cell for what it cannot run.
    artificial_cells(const recipe& model, std::vector<gid_type> gids, std::optional<time_grid> grid);

    // Acts every event due before t_end (variable step: time < t_end, as
    // CVODE cells, so all events at one time act in one advance) or by
    // the end of step_end (fixed step: an event due in a step before it, as
    // the engines count a spike's step: time_grid::first_at_or_after),
    // appending the spikes (net_event, exact times) to out.
    void run_until_time(double t_end, group_output& out);
    void run_until_step(std::int64_t step_end, group_output& out);

    // Schedules the events of `spikes` onto the group's cells.
    void deliver(std::span<const spike> spikes);

    std::span<const gid_type> gids() const { return gids_; }
    const exact_delay_table& table() const { return table_; }
    // Shortest delays in whole steps, rounded down (fixed step only):
    // a spike at exact time t in step k acts at t + d, never in a step
    // before k + floor(d / dt), which is what the engines' horizons count.
    std::uint32_t min_delay_steps() const { return min_delay_steps_; }
    std::span<const std::uint32_t> source_min_delay_steps() const { return source_min_delay_steps_; }
    group_counters counters() const;

private:
    struct event {
        double time;             // ms
        cable::event_origin origin;
        std::uint64_t order;     // scheduling counter; self-events from self_event_order
        std::uint32_t instance;
        double flag;             // 0: a connection's event
        std::int64_t args;       // offset into args_ (the connection's arguments), -1: `weight` alone
        double weight;
    };
    struct acts_later {
        bool operator()(const event& a, const event& b) const { return cable::acts_after(a, b); }
    };
    template <class Due, class Before>
    void run(Due due, double last_sample, Before before_sample, group_output& out);
    double next_sample_time() const;
    void take_samples(double ts, group_output& out);
    void build_probes(const recipe& model);
    void act(const event& e, group_output& out);
    void take_requests(const event* cause, group_output& out);
    void push(const event& e);
    [[noreturn]] void fail(std::uint32_t instance, const std::string& what) const;

    std::vector<gid_type> gids_;
    std::optional<time_grid> grid_;
    std::unique_ptr<cable::mechanism> mechanism_;
    std::uint32_t nargs_ = 1;        // NET_RECEIVE's arguments per connection
    // Per table position: nargs_ values (double: NEURON's weights); filled
    // while table_ is built, so declared before it.
    std::vector<double> args_;
    exact_delay_table table_;
    std::uint32_t min_delay_steps_ = UINT32_MAX;
    std::vector<std::uint32_t> source_min_delay_steps_;

    std::vector<event> heap_;        // std heap under acts_later: front acts first
    std::unordered_set<std::uint64_t> cancelled_; // orders of moved self-events still in the heap
    std::uint64_t next_order_ = 0, next_self_ = cable::self_event_order;
    static constexpr std::uint64_t no_event = 0;  // (self-event orders are never 0)
    std::vector<std::uint64_t> movable_;          // per instance: order of its flag-1 self-event
    std::vector<event> movable_event_;            // per instance: that event
    std::uint64_t events_delivered_ = 0;

    struct probe_point {
        std::uint32_t instance, index; // cell; probe index of the cell's probes
        bool parameter;                // a PARAMETER (else an observable)
        std::uint32_t what;            // its index
        double interval;               // ms
        std::int64_t steps;            // fixed step: the interval in steps (samples at grid points)
        std::uint64_t next;            // next sample: the next-th
    };
    double sample_time(const probe_point& p) const {
        return grid_ ? grid_->time_of(static_cast<std::int64_t>(p.next) * p.steps)
                     : static_cast<double>(p.next) * p.interval;
    }
    std::vector<probe_point> probes_;
};

} // namespace ranvier
