// A group of cable cells in the variable-step engines (bsp-variable,
// async-variable): one per-cell CVODE integrator (cable::cvode_cell) per
// cell, each on its own one-cell cable::cable_state built by the same
// lowering as the fixed-step cable_fixed_step_group.
// Connection events arrive at spike time + the exact delay (never rounded to
// a grid) at synapse site k = the cell's k-th synapse; spikes are CVODE's
// root-found threshold crossings; probes are sampled exactly by stopping the
// integrator at every sample time. See docs/numerics-variable-step.md.
#pragma once

#include "cable/cvode/cvode_cell.hpp"
#include "cells/cable/cable_probe_resolution.hpp"
#include "cells/variable_step_group.hpp"

#include <ranvier/recipe.hpp>

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

namespace ranvier {

class cable_cvode_group final : public variable_step_group {
public:
    // All `gids` must be cable cells. Throws user_error naming the gid for
    // anything in a description, connection or probe that cannot be built.
    cable_cvode_group(const recipe& model, std::vector<gid_type> gids,
                      const cable::cvode_options& options);

    void advance_to(time_type t_end, group_output& out) override;
    void deliver(std::span<const spike> spikes) override;
    std::span<const gid_type> gids() const override { return gids_; }
    time_type min_delay() const override { return min_delay_; }
    bool receives_from(gid_type source) const override {
        return std::binary_search(sources_.begin(), sources_.end(), source);
    }
    group_counters counters() const override;
    integrator_statistics integrator_counters() const override;

    // CVODE work summed over the group's cells.
    cable::cvode_statistics statistics() const;

private:
    // A sampled value of one cell: a node's v, or a state of a mechanism instance.
    struct probe_point {
        std::uint32_t index;          // probe index for this gid
        double interval;              // ms
        std::uint64_t next_k;         // next sample at next_k * interval
        cable_probe_target target;    // in the cell's cable_state
    };
    // Where an event onto synapse site k of a cell goes in its cvode_cell.
    struct synapse_site {
        std::string mechanism; // point process name, e.g. "ExpSyn"
        std::size_t instance;  // instance of that mechanism in the cell
    };
    // A connection onto the group, stored under its source.
    struct entry {
        std::uint32_t cell; // index in the group
        std::uint32_t site; // synapse site of that cell
        float weight;       // uS, single precision as in the fixed mode
        double delay;       // ms, exact
    };

    void advance_cell(std::size_t i, time_type t_end, group_output& out);
    double sample(std::size_t i, const probe_point& p);

    std::vector<gid_type> gids_;
    std::vector<cable::cvode_cell> cells_;
    std::vector<std::vector<synapse_site>> sites_;     // per cell
    std::vector<std::vector<probe_point>> probes_;     // per cell
    std::vector<std::size_t> spikes_taken_;            // per cell: spikes already reported
    bool started_ = false; // has the point t = 0 been handled?

    // Connections by source: sorted distinct sources, entry ranges.
    std::vector<gid_type> sources_;
    std::vector<std::uint64_t> offsets_;
    std::vector<entry> entries_;
    time_type min_delay_ = time_infinity;
    std::uint64_t events_delivered_ = 0;
};

} // namespace ranvier
