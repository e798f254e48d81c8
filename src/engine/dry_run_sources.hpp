// Tells a dry run's pretend world which gids this rank's cells have
// connections from (dry_run_communicator::expect_sources), so it makes
// copies of only the other ranks' spikes that act here. A no-op for real
// communicators.
#pragma once

#include "comm/dry_run_communicator.hpp"

#include <algorithm>
#include <memory>
#include <vector>

namespace ranvier {

template <class Group>
void tell_dry_run_sources(communicator& comm, const std::vector<std::unique_ptr<Group>>& groups) {
    auto* dry = dynamic_cast<dry_run_communicator*>(&comm);
    if (!dry) return;
    std::vector<gid_type> sources;
    for (const auto& g : groups) {
        const auto s = g->source_gids();
        sources.insert(sources.end(), s.begin(), s.end());
    }
    std::sort(sources.begin(), sources.end());
    sources.erase(std::unique(sources.begin(), sources.end()), sources.end());
    dry->expect_sources(sources);
}

} // namespace ranvier
