// Building the cell groups of a model for the fixed-step and the
// variable-step engines: the model is split by partition_cells and each
// piece becomes the group implementation of its cell kind, built in parallel.
// Shared by the bulk-synchronous and the asynchronous engines. Only the gids
// of `range` (this process's, decomposition.hpp) are built.
#pragma once

#include "cells/cell_group.hpp"
#include "engine/decomposition.hpp"
#include "engine/task_pool.hpp"
#include "cells/variable_step_group.hpp"

#include <ranvier/recipe.hpp>
#include <ranvier/simulation.hpp>

#include <memory>
#include <vector>

namespace ranvier {

std::vector<std::unique_ptr<fixed_step_group>> make_fixed_step_groups(
    const recipe& model, const simulation_options& options, task_pool& pool, gid_range range);

std::vector<std::unique_ptr<variable_step_group>> make_variable_step_groups(
    const recipe& model, const simulation_options& options, task_pool& pool, gid_range range);

} // namespace ranvier
