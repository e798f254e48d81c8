#include "engine/group_factory.hpp"

#include "cells/artificial/artificial_groups.hpp"
#include "cells/cable/cable_fixed_step_group.hpp"
#include "cells/cable/cable_cvode_group.hpp"
#include "cells/lif/lif_event_driven_group.hpp"
#include "cells/lif/lif_fixed_step_group.hpp"
#include "cells/source/spike_source_groups.hpp"
#include "engine/partition.hpp"

namespace ranvier {

std::vector<std::unique_ptr<fixed_step_group>> make_fixed_step_groups(
    const recipe& model, const simulation_options& options, task_pool& pool, gid_range range) {
    const std::size_t group_size = options.group_size ? options.group_size
                                   : default_group_size(range.size(), pool.size());
    const auto specs = partition_cells(model, group_size, range);
    std::vector<std::unique_ptr<fixed_step_group>> groups(specs.size());
    pool.parallel_for(specs.size(), [&](std::size_t g) {
        switch (specs[g].kind) {
        case cell_kind::lif:
            groups[g] = std::make_unique<lif_fixed_step_group>(model, specs[g].gids,
                                                    options.dt, options.seed);
            break;
        case cell_kind::cable:
            groups[g] = std::make_unique<cable_fixed_step_group>(
                model, specs[g].gids, options.dt,
                options.scheme == cable_scheme::crank_nicolson ? cable::time_scheme::crank_nicolson
                                                               : cable::time_scheme::backward_euler);
            break;
        case cell_kind::spike_source:
            groups[g] = std::make_unique<spike_source_fixed_step_group>(model, specs[g].gids, options.dt,
                                                                        options.seed);
            break;
        case cell_kind::artificial:
            groups[g] = std::make_unique<artificial_fixed_step_group>(model, specs[g].gids, options.dt);
            break;
        }
    });
    return groups;
}

std::vector<std::unique_ptr<variable_step_group>> make_variable_step_groups(
    const recipe& model, const simulation_options& options, task_pool& pool, gid_range range) {
    const std::size_t group_size = options.group_size ? options.group_size
                                   : default_group_size(range.size(), pool.size());
    const auto specs = partition_cells(model, group_size, range);
    cable::cvode_options cvode;
    cvode.atol = options.atol;
    cvode.rtol = options.rtol;
    cvode.atol_scale = options.atol_scale;
    cvode.mechanisms = model.mechanisms();
    cvode.event_window = options.event_window;
    cable::hybrid_options hybrid;
    hybrid.enabled = options.hybrid;
    hybrid.dt = options.dt;
    hybrid.window = options.hybrid_window;
    hybrid.cvode_step_cost = options.hybrid_cvode_step_cost;
    std::vector<std::unique_ptr<variable_step_group>> groups(specs.size());
    pool.parallel_for(specs.size(), [&](std::size_t g) {
        if (specs[g].kind == cell_kind::cable)
            groups[g] = std::make_unique<cable_cvode_group>(model, specs[g].gids, cvode, hybrid);
        else if (specs[g].kind == cell_kind::artificial)
            groups[g] = std::make_unique<artificial_variable_step_group>(model, specs[g].gids);
        else if (specs[g].kind == cell_kind::spike_source)
            groups[g] = std::make_unique<spike_source_variable_step_group>(model, specs[g].gids, options.seed);
        else
            groups[g] = std::make_unique<lif_event_driven_group>(model, specs[g].gids,
                                                          options.seed);
    });
    return groups;
}

} // namespace ranvier
