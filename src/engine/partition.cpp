#include "engine/partition.hpp"
#include "cells/connection_table.hpp"
#include "cells/group_compatibility.hpp"

#include <algorithm>
#include <optional>

namespace ranvier {

std::vector<group_spec> partition_cells(const recipe& model, std::size_t group_size, gid_range range) {
    group_size = std::clamp<std::size_t>(group_size, 1, max_group_targets);
    std::vector<group_spec> groups;
    std::optional<cell_description> previous;
    for (gid_type gid = range.begin; gid < range.end; ++gid) {
        cell_description description = model.cell(gid);
        const bool extend = previous && may_share_group(*previous, description) &&
                            groups.back().gids.size() < group_size;
        if (!extend) groups.push_back({model.kind(gid), {}});
        groups.back().gids.push_back(gid);
        previous = std::move(description);
    }
    return groups;
}

std::vector<group_spec> partition_cells(const recipe& model, std::size_t group_size) {
    return partition_cells(model, group_size, gid_range{0, model.num_cells()});
}

std::size_t default_group_size(gid_type num_cells, unsigned threads) {
    const std::size_t wanted_groups = 8 * std::max(1u, threads);
    return std::max<std::size_t>(64, (num_cells + wanted_groups - 1) / wanted_groups);
}

} // namespace ranvier
