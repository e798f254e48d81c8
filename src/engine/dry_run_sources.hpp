// Tells a dry run's pretend world which gids this rank's cells have
// connections from (dry_run_communicator::expect_sources), so it makes
// copies of only the other ranks' spikes that act here. A no-op for real
// communicators.
#pragma once

#include "comm/dry_run_communicator.hpp"

#include <span>
#include <memory>
#include <vector>

namespace ranvier {

template <class Group>
void tell_dry_run_sources(communicator& comm, const std::vector<std::unique_ptr<Group>>& groups) {
    auto* dry = dynamic_cast<dry_run_communicator*>(&comm);
    if (!dry) return;
    std::vector<std::span<const gid_type>> lists;
    for (const auto& g : groups) lists.push_back(g->source_gids());
    dry->expect_sources(lists);
}

} // namespace ranvier
