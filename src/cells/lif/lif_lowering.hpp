// What the fixed-step and the event-driven LIF groups share when they turn
// the recipe's description of their cells into flat state.
#pragma once

#include <ranvier/lif_cell.hpp>
#include <ranvier/recipe.hpp>

#include <span>

namespace ranvier::lif {

// The synapse kind of a group's cells (groups hold one kind, see
// cells/group_compatibility.hpp); delta for an empty group.
lif_synapse group_synapse_kind(const recipe& model, std::span<const gid_type> gids);

} // namespace ranvier::lif
