// The groups of spike sources (include/ranvier/spike_source_cell.hpp), one per
// stepping. Both emit from one spike_source_schedule: an advance emits the
// spikes due before its end and nothing else happens, so a source costs
// nothing between its spikes. Sources take no connections: deliver() has
// nothing to do and no group waits for them to receive anything.
#pragma once

#include "cells/cell_group.hpp"
#include "cells/source/spike_source_schedule.hpp"
#include "cells/variable_step_group.hpp"

#include <ranvier/recipe.hpp>

#include <cstdint>
#include <vector>

namespace ranvier {

// Fixed step: a spike at time t is emitted in step k = max(0, ceil(t/dt) - 1)
// (t within a billionth of a step of a grid point counts as on it) and
// stamped (k+1)*dt, as the LIF and cable groups stamp theirs: t in
// ((k)*dt, (k+1)*dt] is stamped (k+1)*dt, never early and at most one step
// late; grid times are kept exactly; t = 0 is stamped dt.
class spike_source_fixed_step_group final : public fixed_step_group {
public:
    spike_source_fixed_step_group(const recipe& model, std::vector<gid_type> gids, double dt,
                                  std::uint64_t seed);

    // The step a spike at time t (ms) is emitted in.
    static std::int64_t emission_step(time_type t, double dt);

    void prepare(std::int64_t) override {}
    void advance(std::int64_t step_begin, std::int64_t step_end, group_output& out) override;
    void deliver(std::span<const spike>) override {}
    std::span<const gid_type> gids() const override { return gids_; }
    std::uint32_t min_delay_steps() const override { return UINT32_MAX; }
    group_counters counters() const override { return {}; }
    bool receives_from(gid_type) const override { return false; }
    std::span<const gid_type> source_gids() const override { return {}; }
    std::span<const std::uint32_t> source_min_delay_steps() const override { return {}; }
    bool canonical_event_order() const override { return true; } // receives nothing

private:
    std::vector<gid_type> gids_;
    double dt_;
    spike_source_schedule schedule_;
};

// Variable step: spikes at their exact times; advance_to(t_end) emits those in
// (previous t_end, t_end] (the first call, advance_to(0), those at t = 0).
class spike_source_variable_step_group final : public variable_step_group {
public:
    spike_source_variable_step_group(const recipe& model, std::vector<gid_type> gids, std::uint64_t seed);

    void advance_to(time_type t_end, group_output& out) override;
    void deliver(std::span<const spike>) override {}
    std::span<const gid_type> gids() const override { return gids_; }
    time_type min_delay() const override { return time_infinity; }
    group_counters counters() const override { return {}; }
    bool receives_from(gid_type) const override { return false; }
    std::span<const gid_type> source_gids() const override { return {}; }
    std::span<const double> source_min_delays() const override { return {}; }
    bool canonical_event_order() const override { return true; } // receives nothing

private:
    std::vector<gid_type> gids_;
    spike_source_schedule schedule_;
};

} // namespace ranvier
