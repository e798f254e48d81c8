// Evaluating a region (include/ranvier/morphology_region.hpp) over the
// nodes of a discretised cell.
#pragma once

#include "cable/cv_tree.hpp"

#include <ranvier/morphology_region.hpp>

#include <cstdint>
#include <vector>

namespace ranvier::cable {

// Sorted indices of the nodes of `tree` in `r`.
std::vector<std::int32_t> region_nodes(const region& r, const cv_tree& tree);

} // namespace ranvier::cable
