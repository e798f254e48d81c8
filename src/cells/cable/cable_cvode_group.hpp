// A group of cable cells in the variable-step engines (bsp-variable,
// async-variable): one per-cell CVODE integrator (cable::cvode_cell, inside a
// cable::hybrid_cable_cell that may switch it to the fixed step) per cell, each on its own one-cell cable::cable_state built by the same
// lowering as the fixed-step cable_fixed_step_group.
// Connection events arrive at spike time + the exact delay (never rounded to
// a grid) at synapse site k = the cell's k-th synapse; spikes are CVODE's
// root-found threshold crossings; probes are sampled exactly by stopping the
// integrator at every sample time. See docs/numerics-variable-step.md.
#pragma once

#include "cable/hybrid_cable_cell.hpp"
#include "cells/cable/cable_probe_resolution.hpp"
#include "cells/cable/connection_arguments.hpp"
#include "cells/cell_event_counts.hpp"
#include "cells/connection_table.hpp"
#include "cells/variable_step_group.hpp"

#include <ranvier/recipe.hpp>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ranvier {

class cable_cvode_group final : public variable_step_group {
public:
    // All `gids` must be cable cells. Throws user_error naming the gid for
    // anything in a description, connection or probe that cannot be built.
    cable_cvode_group(const recipe& model, std::vector<gid_type> gids,
                      const cable::cvode_options& options,
                      const cable::hybrid_options& hybrid = {});

    void advance_to(time_type t_end, group_output& out) override;
    void deliver(std::span<const spike> spikes) override;
    std::span<const gid_type> gids() const override { return gids_; }
    time_type min_delay() const override { return table_->min_delay(); }
    bool receives_from(gid_type source) const override { return table_->receives_from(source); }
    std::span<const gid_type> source_gids() const override { return table_->sources(); }
    std::span<const double> source_min_delays() const override { return table_->source_min_delays(); }
    // Events at equal times act by origin (cable/event_origin.hpp).
    bool canonical_event_order() const override { return true; }
    group_counters counters() const override;
    integrator_statistics integrator_counters() const override;
    cell_work_counts cell_work() const override;

    // CVODE work summed over the group's cells.
    cable::cvode_statistics statistics() const;
    // Hybrid stepping counters summed over the group's cells.
    cable::hybrid_statistics hybrid_statistics() const;

private:
    // A sampled value of one cell: a node's v, or a state of a mechanism instance.
    struct probe_point {
        std::uint32_t index;          // probe index for this gid
        double interval;              // ms
        std::uint64_t next_k;         // next sample at next_k * interval
        cable_probe_target target;    // in the cell's cable_state
    };
    // Where an event onto a synapse site of the group goes: the cell, and
    // the (mechanism, instance) in its cvode_cell, resolved once.
    struct synapse_site {
        std::uint32_t cell; // index in the group
        cable::hybrid_cable_cell::event_target target;
    };

    void advance_cell(std::size_t i, time_type t_end, group_output& out);
    double sample(std::size_t i, const probe_point& p);

    std::vector<gid_type> gids_;
    std::vector<cable::hybrid_cable_cell> cells_;
    std::vector<std::uint32_t> site_offset_;           // per cell + 1: its first site
    std::vector<synapse_site> sites_;                  // per site, numbered through the group
    std::vector<std::vector<probe_point>> probes_;     // per cell
    std::vector<std::size_t> spikes_taken_;            // per cell: spikes already reported
    bool started_ = false; // has the point t = 0 been handled?

    // Connections by source (targets: sites), built once sites are known.
    std::optional<exact_delay_table> table_;
    connection_arguments arguments_; // NET_RECEIVE arguments per connection (some targets)
    std::uint64_t events_delivered_ = 0;
    mutable cell_event_counts cell_events_; // cell_work() brings it up to date
};

} // namespace ranvier
