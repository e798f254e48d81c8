// run_statistics::per_cell from the groups' counts per cell (cell_work()),
// the same for every engine.
#pragma once

#include "cells/cell_group.hpp"

#include <ranvier/simulation.hpp>

#include <memory>
#include <span>
#include <vector>

namespace ranvier {

// Adds one group's counts (empty: the group does not count them; else one
// per gid) to `summary`; throws internal_error for any other size.
void add_cell_counts(cell_count_summary& summary, std::span<const std::uint64_t> counts,
                     std::span<const gid_type> gids);

// The summary of every cell's work so far, over all `groups`.
template <class Group>
cell_work_statistics summarise_cell_work(const std::vector<std::unique_ptr<Group>>& groups) {
    cell_work_statistics s;
    for (const auto& g : groups) {
        const cell_work_counts c = g->cell_work();
        add_cell_counts(s.steps, c.steps, g->gids());
        add_cell_counts(s.restarts, c.restarts, g->gids());
        add_cell_counts(s.events_delivered, c.events, g->gids());
    }
    return s;
}

} // namespace ranvier
