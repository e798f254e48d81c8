#include "engine/partition.hpp"
#include "engine/connection_table.hpp"

#include <algorithm>

namespace ranvier {

std::vector<group_spec> partition_cells(const recipe& model, std::size_t group_size) {
    group_size = std::clamp<std::size_t>(group_size, 1, max_group_targets);
    std::vector<group_spec> groups;
    const gid_type n = model.num_cells();
    for (gid_type gid = 0; gid < n; ++gid) {
        const cell_kind kind = model.kind(gid);
        lif_synapse synapse = lif_synapse::delta;
        double celsius = 0, v_init = 0;
        if (kind == cell_kind::lif) synapse = std::get<lif_cell>(model.cell(gid)).synapse;
        if (kind == cell_kind::cable) {
            const auto description = model.cell(gid);
            const auto& c = std::get<cable_cell>(description);
            celsius = c.celsius;
            v_init = c.v_init;
        }
        const bool extend = !groups.empty() && groups.back().kind == kind &&
                            groups.back().synapse == synapse && groups.back().celsius == celsius &&
                            groups.back().v_init == v_init && groups.back().gids.size() < group_size;
        if (!extend) groups.push_back({kind, synapse, celsius, v_init, {}});
        groups.back().gids.push_back(gid);
    }
    return groups;
}

std::size_t default_group_size(gid_type num_cells, unsigned threads) {
    const std::size_t wanted_groups = 8 * std::max(1u, threads);
    return std::max<std::size_t>(64, (num_cells + wanted_groups - 1) / wanted_groups);
}

} // namespace ranvier
