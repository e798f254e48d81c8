#include "cells/source/spike_source_groups.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace ranvier {

spike_source_fixed_step_group::spike_source_fixed_step_group(const recipe& model, std::vector<gid_type> gids,
                                                             double dt, std::uint64_t seed)
    : gids_(std::move(gids)), dt_(dt), schedule_(model, gids_, seed) {}

std::int64_t spike_source_fixed_step_group::emission_step(time_type t, double dt) {
    // The grid point at or after t ends the step; the tolerance is the one
    // the LIF groups use for input times (first_step_at_or_after).
    const double end = std::ceil(t / dt - 1e-9);
    if (!(end < 0x1p62)) return std::numeric_limits<std::int64_t>::max() / 2; // beyond any run
    return std::max<std::int64_t>(0, static_cast<std::int64_t>(end) - 1);
}

void spike_source_fixed_step_group::advance(std::int64_t, std::int64_t step_end, group_output& out) {
    const std::size_t first = out.spikes.size();
    while (schedule_.next_time() < time_infinity) {
        const std::int64_t k = emission_step(schedule_.next_time(), dt_);
        if (k >= step_end) break;
        out.spikes.push_back({gids_[schedule_.next_cell()], static_cast<double>(k + 1) * dt_});
        schedule_.pop();
    }
    // Spikes of one step come out by exact time; the group's order is (stamp, gid).
    std::sort(out.spikes.begin() + static_cast<std::ptrdiff_t>(first), out.spikes.end(), spike_before);
}

spike_source_variable_step_group::spike_source_variable_step_group(const recipe& model,
                                                                   std::vector<gid_type> gids,
                                                                   std::uint64_t seed)
    : gids_(std::move(gids)), schedule_(model, gids_, seed) {}

void spike_source_variable_step_group::advance_to(time_type t_end, group_output& out) {
    // The schedule pops in (time, cell) order and cells are in gid order.
    while (schedule_.next_time() <= t_end) {
        out.spikes.push_back({gids_[schedule_.next_cell()], schedule_.next_time()});
        schedule_.pop();
    }
}

} // namespace ranvier
