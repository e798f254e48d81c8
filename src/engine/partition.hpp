// Splitting the gids into cell groups: runs of consecutive gids that may
// share a group (cells/group_compatibility.hpp: same kind and the same
// group-wide numerics), cut into pieces of at most `group_size`. The split
// affects only speed, never results.
#pragma once

#include "engine/decomposition.hpp"

#include <ranvier/recipe.hpp>

#include <vector>

namespace ranvier {

struct group_spec {
    cell_kind kind;
    std::vector<gid_type> gids;
};

// The gids of `range` only (this process's cells in a distributed run); the
// second form takes every gid.
std::vector<group_spec> partition_cells(const recipe& model, std::size_t group_size, gid_range range);
std::vector<group_spec> partition_cells(const recipe& model, std::size_t group_size);

// The default group size: enough groups for load balance over `threads`,
// small enough to keep a group's state in cache.
std::size_t default_group_size(gid_type num_cells, unsigned threads);

} // namespace ranvier
