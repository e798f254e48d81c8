// A group of current-based LIF neurons of one synapse kind, advanced on the
// fixed time grid with exact integration (NEST iaf_psc_{delta,exp,alpha}
// semantics; see include/ranvier/lif_cell.hpp and docs/numerics-lif.md).
#pragma once

#include "cells/lif/lif_lowering.hpp"
#include "cells/lif/poisson_counts.hpp"
#include "cells/cell_event_counts.hpp"
#include "cells/cell_group.hpp"
#include "cells/connection_table.hpp"
#include "random/counter_rng.hpp"
#include "time/time_grid.hpp"

#include <ranvier/lif_cell.hpp>
#include <ranvier/recipe.hpp>

#include <array>
#include <cstdint>
#include <vector>

namespace ranvier {

class lif_fixed_step_group final : public fixed_step_group {
public:
    // All `gids` must be LIF cells of one synapse kind (may_share_group).
    lif_fixed_step_group(const recipe& model, std::vector<gid_type> gids, double dt, std::uint64_t seed);

    void prepare(std::int64_t epoch_steps) override;
    void advance(std::int64_t step_begin, std::int64_t step_end, group_output& out) override;
    void deliver(std::span<const spike> spikes) override;
    std::span<const gid_type> gids() const override { return gids_; }
    group_counters counters() const override;
    cell_work_counts cell_work() const override;

    std::uint32_t min_delay_steps() const override { return table_.min_delay(); }
    bool receives_from(gid_type source) const override { return !table_.from(source).empty(); }
    std::span<const gid_type> source_gids() const override { return table_.sources(); }
    std::span<const std::uint32_t> source_min_delay_steps() const override { return table_.source_min_delays(); }
    // Events are summed straight into ring slots in the order delivered:
    // floating-point sums depend on that order, and sorting them would cost
    // the hot path. The asynchronous engine keeps this group's deliveries in
    // global (time, gid) order instead (with its shortest delay for every
    // source).
    bool canonical_event_order() const override { return false; }

private:
    template <lif_synapse Kind>
    void advance_kind(std::int64_t step_begin, std::int64_t step_end, group_output& out);
    void add_poisson_input(std::int64_t step_begin, std::int64_t step_end);
    void apply_current_changes(std::int64_t step);
    // Samples of the probes due at time k * dt (k = 0: the initial state, as NEURON records t = 0).
    void record_samples(std::int64_t k, group_output& out) const;
    double* ring_slot(int channel, std::int64_t step) {
        return ring_[channel].data() + static_cast<std::size_t>(step % ring_len_) * n_;
    }

    std::vector<gid_type> gids_;
    lif_synapse kind_;
    time_grid grid_;             // steps of dt
    std::size_t n_;              // cells

    // State, per cell.
    std::vector<double> y_;                 // mV, V - E_L
    std::vector<std::int32_t> refractory_;  // steps of refractoriness left
    std::array<std::vector<double>, 2> I_;  // pA, synaptic current [ex, in] (exp, alpha)
    std::array<std::vector<double>, 2> dI_; // pA/ms, its derivative state (alpha)
    std::vector<double> I_ext_;             // pA, injected current this step

    // Parameters and propagators, per cell (computed once).
    std::vector<double> E_L_;      // mV
    std::vector<double> theta_;    // mV, V_th - E_L
    std::vector<double> reset_;    // mV, V_reset - E_L
    std::vector<std::int32_t> ref_steps_;
    std::vector<double> I_e_;      // pA
    std::vector<double> P22_, P20_;
    std::array<std::vector<double>, 2> P11_, P21_, P31_, P32_, jump_;

    // Incoming events: ring buffers of summed weights, [channel][slot * n + cell].
    // Delta synapses use channel 0 only; exp/alpha split by the weight's sign.
    connection_table table_;
    std::array<std::vector<double>, 2> ring_;
    std::int64_t ring_len_ = 1;
    std::uint64_t events_delivered_ = 0;
    std::uint64_t steps_ = 0;               // steps integrated (every cell takes each)
    mutable cell_event_counts cell_events_; // cell_work() brings it up to date
    struct pending_delivery {
        std::span<const synapse_entry> entries;
        std::int64_t emit_step;
    };
    std::vector<pending_delivery> pending_; // reused by deliver()

    // Poisson inputs, sorted by target. Stream number k of a step is the
    // step's number in the input's counter-based stream, so no RNG state is
    // kept and epochs can be cut anywhere.
    struct poisson_stream {
        std::uint32_t target;
        std::uint32_t table;      // index into tables_
        double weight;
        std::int64_t first_step, end_step; // active for steps in [first, end)
        gid_type gid;
        std::uint32_t index;      // input number on this gid: the stream key
    };
    std::uint64_t seed_;
    std::vector<poisson_stream> poisson_;
    std::vector<lif::poisson_count_table> tables_;

    // Injected currents: changes of I_ext_ sorted by step.
    struct current_change {
        std::int64_t step;
        std::uint32_t target;
        double delta; // pA
    };
    std::vector<current_change> current_changes_;
    std::size_t next_change_ = 0;

    // Voltage probes.
    struct probe_point {
        std::uint32_t cell;
        std::uint32_t index;         // probe index for this gid
        std::int64_t interval_steps;
        lif::lif_variable variable;
    };
    std::vector<probe_point> probes_;
};

} // namespace ranvier
