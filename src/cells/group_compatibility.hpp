// Which cells may share a cell group. A group holds cells of one kind whose
// group-wide numerics agree: LIF cells of one synapse kind (the group's inner
// loop is specialised on it); cable cells of one temperature and initial
// potential (mechanism globals and the resting state are per group); any
// spike sources. The
// engine cuts gids into groups with this predicate and knows nothing of it.
#pragma once

#include <ranvier/recipe.hpp>

namespace ranvier {

bool may_share_group(const cell_description& a, const cell_description& b);

} // namespace ranvier
