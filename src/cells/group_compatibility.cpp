#include "cells/group_compatibility.hpp"

#include <ranvier/cable_cell.hpp>
#include <ranvier/lif_cell.hpp>

namespace ranvier {

bool may_share_group(const cell_description& a, const cell_description& b) {
    if (a.index() != b.index()) return false;
    if (const auto* la = std::get_if<lif_cell>(&a))
        return la->synapse == std::get<lif_cell>(b).synapse;
    if (const auto* ca = std::get_if<cable_cell>(&a)) {
        const auto& cb = std::get<cable_cell>(b);
        return ca->celsius == cb.celsius && ca->v_init == cb.v_init && ca->globals == cb.globals;
    }
    // Artificial cells: one mechanism object per group.
    if (const auto* aa = std::get_if<artificial_cell>(&a))
        return aa->mechanism == std::get<artificial_cell>(b).mechanism;
    // Spike sources have no group-wide numerics: any may share a group.
    if (std::holds_alternative<spike_source_cell>(a)) return true;
    return true;
}

} // namespace ranvier
