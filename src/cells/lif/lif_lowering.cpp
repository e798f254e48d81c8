#include "cells/lif/lif_lowering.hpp"

#include <ranvier/errors.hpp>

#include <string>
#include <variant>

namespace ranvier::lif {

lif_synapse group_synapse_kind(const recipe& model, std::span<const gid_type> gids) {
    if (gids.empty()) return lif_synapse::delta;
    const auto description = model.cell(gids.front());
    const auto* cell = std::get_if<lif_cell>(&description);
    if (!cell) throw internal_error("LIF group built on cell " + std::to_string(gids.front()) +
                                    ", which is not a LIF cell");
    return cell->synapse;
}

} // namespace ranvier::lif
