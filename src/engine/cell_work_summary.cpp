#include "engine/cell_work_summary.hpp"

#include <ranvier/errors.hpp>

#include <string>

namespace ranvier {

void add_cell_counts(cell_count_summary& summary, std::span<const std::uint64_t> counts,
                     std::span<const gid_type> gids) {
    if (counts.empty()) return;
    if (counts.size() != gids.size())
        throw internal_error("cell_work: " + std::to_string(counts.size()) + " counts for a group of " +
                             std::to_string(gids.size()) + " cells");
    for (std::size_t i = 0; i < counts.size(); ++i) summary.add(counts[i], gids[i]);
}

} // namespace ranvier
