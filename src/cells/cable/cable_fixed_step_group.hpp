// A group of cable cells in the fixed-step engines: lowers each gid's
// cable_cell (discretise, paint, place, detect) into one cable::cable_state
// for all of them, advanced by one cable::fixed_step_cable_stepper, and
// adapts it to the fixed_step_group interface: spikes from the detectors,
// connection events onto synapse sites, probes at locations.
#pragma once

#include "cable/fixed_step_cable_stepper.hpp"
#include "cells/cable/cable_probe_resolution.hpp"
#include "cells/cable/connection_arguments.hpp"
#include "cells/cell_event_counts.hpp"
#include "cells/cell_group.hpp"
#include "cells/connection_table.hpp"
#include "time/time_grid.hpp"

#include <ranvier/recipe.hpp>

#include <cstdint>
#include <optional>
#include <vector>

namespace ranvier {

class cable_fixed_step_group final : public fixed_step_group {
public:
    // All `gids` must be cable cells. dt in ms. Throws user_error naming the
    // gid for anything in a description that cannot be built.
    cable_fixed_step_group(const recipe& model, std::vector<gid_type> gids, double dt,
                     cable::time_scheme scheme = cable::time_scheme::backward_euler);

    void prepare(std::int64_t epoch_steps) override;
    void advance(std::int64_t step_begin, std::int64_t step_end, group_output& out) override;
    void deliver(std::span<const spike> spikes) override;
    std::span<const gid_type> gids() const override { return gids_; }
    std::uint32_t min_delay_steps() const override { return table_->min_delay(); }
    bool receives_from(gid_type source) const override { return !table_->from(source).empty(); }
    std::span<const gid_type> source_gids() const override { return table_->sources(); }
    std::span<const std::uint32_t> source_min_delay_steps() const override { return table_->source_min_delays(); }
    // Events at equal times act by origin (cable/event_origin.hpp).
    bool canonical_event_order() const override { return true; }
    group_counters counters() const override;
    cell_work_counts cell_work() const override;

private:
    // A sampled value: a voltage node, or a state of a mechanism instance.
    struct probe_point {
        std::uint32_t cell;
        std::uint32_t index; // probe index for this gid
        std::int64_t interval_steps;
        cable_probe_target target; // in stepper_.state()
    };
    // Samples of the probes due at time k * dt (k = 0: the initial state, as NEURON records t = 0).
    void record_samples(std::int64_t k, group_output& out);

    std::vector<gid_type> gids_;
    time_grid grid_; // steps of dt
    cable::fixed_step_cable_stepper stepper_;
    std::vector<std::uint32_t> site_offset_;   // per cell: its first synapse number
    std::vector<std::int32_t> synapse_target_; // per synapse number: point-process target
    std::optional<connection_table> table_;    // built once sites are known
    connection_arguments arguments_;           // NET_RECEIVE arguments per connection (some targets)
    std::vector<probe_point> probes_;
    std::uint64_t events_delivered_ = 0;
    mutable cell_event_counts cell_events_; // cell_work() brings it up to date
};

} // namespace ranvier
