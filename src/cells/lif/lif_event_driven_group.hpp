// A group of current-based LIF neurons of one synapse kind integrated event
// by event in continuous time (the bsp-variable mode): the state is carried
// exactly from one event to the next with the closed-form solution, and the
// first threshold crossing in between is found to ~1e-13 ms, so spikes have
// off-grid times (like NEST's iaf_psc_*_ps models). Semantics otherwise as
// lif_fixed_step_group; see docs/numerics-lif.md, "Variable mode".
#pragma once

#include "cells/cell_event_counts.hpp"
#include "cells/lif/lif_lowering.hpp"
#include "cells/connection_table.hpp"
#include "cells/variable_step_group.hpp"
#include "random/counter_rng.hpp"

#include <ranvier/lif_cell.hpp>
#include <ranvier/recipe.hpp>

#include <array>
#include <algorithm>
#include <cstdint>
#include <vector>

namespace ranvier {

class lif_event_driven_group final : public variable_step_group {
public:
    // All `gids` must be LIF cells of one synapse kind (may_share_group).
    // Throws user_error for bad connections, inputs or probes (naming the cell).
    lif_event_driven_group(const recipe& model, std::vector<gid_type> gids, std::uint64_t seed);

    void advance_to(time_type t_end, group_output& out) override;
    void deliver(std::span<const spike> spikes) override;
    std::span<const gid_type> gids() const override { return gids_; }
    time_type min_delay() const override { return table_.min_delay(); }
    bool receives_from(gid_type source) const override { return table_.receives_from(source); }
    std::span<const gid_type> source_gids() const override { return table_.sources(); }
    std::span<const double> source_min_delays() const override { return table_.source_min_delays(); }
    // Events act in the order (time, source, key) whatever deliveries they
    // came in (order_queue sorts and merges every new tail).
    bool canonical_event_order() const override { return true; }
    group_counters counters() const override;
    cell_work_counts cell_work() const override;

    // An event waiting for its target: ordered by (time, source, key), key
    // being the connection's place among the group's connections from that
    // source (which orders a target's connections from one source as the
    // recipe lists them).
    struct event {
        time_type time;   // ms, arrival
        gid_type source;
        std::uint32_t key;
        double weight;    // mV (delta) or pA (exp, alpha)
    };

private:
    void sample_point(std::size_t i, time_type t, group_output& out); // probes due at or before t
    void process_point(std::size_t i, time_type t, group_output& out);
    void integrate(std::size_t i, time_type a, time_type b, group_output& out);
    void propagate(std::size_t i, double h, bool membrane);
    double crossing(std::size_t i, double h) const; // s in (0, h], or -1
    double voltage_after(std::size_t i, double s) const; // mV from E_L, not refractory
    double next_point(std::size_t i) const;
    void order_queue(std::size_t i);

    std::vector<gid_type> gids_;
    lif_synapse kind_;
    std::size_t n_;
    bool started_ = false;  // has the point t = 0 been handled?
    time_type t_ = 0;       // ms, time all cells have reached

    // State, per cell.
    std::vector<double> y_;                 // mV, V - E_L
    std::vector<double> ref_until_;         // ms, refractory through this time
    std::array<std::vector<double>, 2> I_;  // pA, synaptic current [ex, in]
    std::array<std::vector<double>, 2> dI_; // pA/ms, alpha derivative state
    std::vector<double> I_ext_;             // pA, injected current now

    // Parameters, per cell.
    std::vector<double> E_L_, theta_, reset_; // mV (theta, reset from E_L)
    std::vector<double> tau_m_, C_m_, t_ref_; // ms, pF, ms
    std::vector<double> I_e_;                 // pA
    std::array<std::vector<double>, 2> tau_s_; // ms

    // Connections by source (targets: cell indices in the group).
    exact_delay_table table_;
    // Per cell: events waiting, sorted by (time, source, key) up to
    // sorted_[i]; deliver() appends (usually already in order) and
    // advance_to() sorts and merges the new tail before consuming events.
    std::vector<std::vector<event>> queue_;
    std::vector<std::uint32_t> sorted_;
    std::vector<std::uint32_t> head_; // next event to consume during advance_to
    std::uint64_t events_delivered_ = 0;
    mutable cell_event_counts cell_events_; // cell_work() brings it up to date

    // Poisson inputs as continuous-time processes: per cell a range of
    // streams, each with its next arrival time.
    struct poisson_stream {
        counter_rng rng;
        double rate;      // 1/ms
        double weight;
        double next;      // ms, next arrival (infinity when done)
        double stop;      // ms
    };
    std::vector<poisson_stream> poisson_;
    std::vector<std::uint32_t> poisson_begin_; // per cell + 1

    struct current_change {
        double time;    // ms
        double delta;   // pA
    };
    std::vector<current_change> changes_;       // per cell ranges, sorted by time
    std::vector<std::uint32_t> changes_begin_;  // per cell + 1
    std::vector<std::uint32_t> next_change_;    // per cell

    struct probe_point {
        std::uint32_t index;    // probe index for this gid
        double interval;        // ms
        std::uint64_t next_k;   // next sample at next_k * interval
        lif::lif_variable variable;
    };
    std::vector<probe_point> probes_;
    std::vector<std::uint32_t> probes_begin_;   // per cell + 1
};

} // namespace ranvier
