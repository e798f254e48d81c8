// Lowering one user-facing cable_cell into a cable_state_builder (numerics:
// one cell at a time; the cell groups and the model reader both use it): the
// discretisation policy, paintings, synapses, stimuli and detector, with
// every error reported as a user_error naming the cell ("cell 12: ...").
#pragma once

#include "cable/cable_state_builder.hpp"
#include "cable/cv_tree.hpp"

#include <ranvier/cable_cell.hpp>
#include <ranvier/recipe.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace ranvier {

struct lowered_cable_cell {
    std::size_t cell = 0; // index in the builder
    cable::cv_tree tree;
    std::vector<std::int32_t> synapse_targets; // point-process target per synapse site
};

// The compartments of `c` under its discretisation (nseg, d_lambda, nseg per
// section). The discretisation's user_error (key: the policy field, message
// naming the section) passes unchanged; `who` prefixes errors in c's own
// description (an unknown section in nseg_for_section).
cable::cv_tree discretize_cable_cell(const cable_cell& c, const std::string& who);

// The local node of `where` on a discretised cell. `who` prefixes errors.
std::int32_t node_of(const cable_cell& c, const cable::cv_tree& tree, const cable_location& where,
                     const std::string& who);

// Adds `c` to `builder` (one detector, added in cell order). `who` ("cell 12")
// prefixes every error message.
lowered_cable_cell lower_cable_cell(cable::cable_state_builder& builder, const cable_cell& c,
                                    const std::string& who);

// Cable cells take input through synapses and stimuli only: throws user_error
// (prefixed by `who`) if the recipe gives gid Poisson or current inputs.
void check_cable_inputs(const recipe& model, gid_type gid, const std::string& who);

// Checks one of a cell's own scheduled events against its `sites` synapses;
// throws user_error prefixed by `what` ("cell 3: event 0").
void check_scheduled_event(const cable_scheduled_event& e, std::uint32_t sites, const std::string& what);

} // namespace ranvier
