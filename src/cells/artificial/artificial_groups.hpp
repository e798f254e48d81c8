// The groups of artificial cells for the two kinds of engine, both over one
// artificial_cells (which see): the fixed-step group acts every event due in
// its steps at the event's exact time and emits net_event spikes at their
// exact times, as NEURON's fixed step does for artificial cells; the
// variable-step group does the same for the events before its t_end (those
// at exactly t_end in the next advance, as CVODE cells). Cells receiving those
// spikes in the fixed-step modes (LIF, cable) take them as emitted at the
// end of their step, as every fixed-step spike.
#pragma once

#include "cells/artificial/artificial_cells.hpp"
#include "cells/cell_group.hpp"
#include "cells/variable_step_group.hpp"

namespace ranvier {

class artificial_fixed_step_group final : public fixed_step_group {
public:
    artificial_fixed_step_group(const recipe& model, std::vector<gid_type> gids, double dt)
        : cells_(model, std::move(gids), time_grid(dt)) {}

    void prepare(std::int64_t) override {}
    void advance(std::int64_t, std::int64_t step_end, group_output& out) override {
        cells_.run_until_step(step_end, out);
    }
    void deliver(std::span<const spike> spikes) override { cells_.deliver(spikes); }
    bool canonical_event_order() const override { return true; }
    std::span<const gid_type> gids() const override { return cells_.gids(); }
    std::uint32_t min_delay_steps() const override { return cells_.min_delay_steps(); }
    group_counters counters() const override { return cells_.counters(); }
    bool receives_from(gid_type source) const override { return cells_.table().receives_from(source); }
    std::span<const gid_type> source_gids() const override { return cells_.table().sources(); }
    std::span<const std::uint32_t> source_min_delay_steps() const override {
        return cells_.source_min_delay_steps();
    }

private:
    artificial_cells cells_;
};

class artificial_variable_step_group final : public variable_step_group {
public:
    artificial_variable_step_group(const recipe& model, std::vector<gid_type> gids)
        : cells_(model, std::move(gids), std::nullopt) {}

    void advance_to(time_type t_end, group_output& out) override { cells_.run_until_time(t_end, out); }
    void deliver(std::span<const spike> spikes) override { cells_.deliver(spikes); }
    bool canonical_event_order() const override { return true; }
    std::span<const gid_type> gids() const override { return cells_.gids(); }
    time_type min_delay() const override { return cells_.table().min_delay(); }
    group_counters counters() const override { return cells_.counters(); }
    bool receives_from(gid_type source) const override { return cells_.table().receives_from(source); }
    std::span<const gid_type> source_gids() const override { return cells_.table().sources(); }
    std::span<const double> source_min_delays() const override { return cells_.table().source_min_delays(); }

private:
    artificial_cells cells_;
};

} // namespace ranvier
