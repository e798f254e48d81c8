// Splitting the gids into cell groups: runs of consecutive gids of the same
// kind (and, for LIF, the same synapse kind; for cable cells, the same
// temperature and initial potential), cut into pieces of at most
// `group_size`. The split affects only speed, never results.
#pragma once

#include <ranvier/lif_cell.hpp>
#include <ranvier/recipe.hpp>

#include <vector>

namespace ranvier {

struct group_spec {
    cell_kind kind;
    lif_synapse synapse = lif_synapse::delta; // for LIF groups
    // For cable groups: what the cable numerics share per group.
    double celsius = 0; // degC
    double v_init = 0;  // mV
    std::vector<gid_type> gids;
};

std::vector<group_spec> partition_cells(const recipe& model, std::size_t group_size);

// The default group size: enough groups for load balance over `threads`,
// small enough to keep a group's state in cache.
std::size_t default_group_size(gid_type num_cells, unsigned threads);

} // namespace ranvier
