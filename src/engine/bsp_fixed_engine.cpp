#include "engine/bsp_fixed_engine.hpp"

#include "engine/cell_work_summary.hpp"
#include "engine/epoch_exchange.hpp"
#include "engine/dry_run_sources.hpp"
#include "engine/epoch_grid.hpp"
#include "engine/group_factory.hpp"
#include "engine/stopwatch.hpp"

#include <ranvier/errors.hpp>

#include <algorithm>
#include <cmath>

namespace ranvier {

bsp_fixed_engine::bsp_fixed_engine(const recipe& model, const simulation_options& options,
                                   task_pool& pool, communicator& comm, gid_range range,
                                   run_statistics& stats)
    : grid_(options.dt), pool_(pool), accounts_(pool.size()), comm_(comm) {
    const stopwatch t0;
    groups_ = make_fixed_step_groups(model, options, pool_, range);
    tell_dry_run_sources(comm_, groups_);
    outputs_.resize(groups_.size());

    // The epoch is the shortest delay in the network: a spike emitted in an
    // epoch can then only act in a later one.
    std::uint32_t min_delay = UINT32_MAX;
    for (const auto& g : groups_) {
        min_delay = std::min(min_delay, g->min_delay_steps());
        const auto c = g->counters();
        stats.synapses += c.synapses;
        stats.connection_bytes += c.connection_bytes;
    }
    // Every process must cut time at the same epochs: the shortest delay of
    // the whole network (exact: delays in steps are below 2^32).
    min_delay = static_cast<std::uint32_t>(comm_.min(static_cast<double>(min_delay)));
    // Without connections, epochs of 1 ms keep output streaming and progress.
    epoch_steps_ = fixed_epoch_steps(min_delay, grid_);
    for (auto& g : groups_) g->prepare(epoch_steps_);
    stats.cells = model.num_cells();
    stats.cell_groups = groups_.size();
    stats.wall.build += t0.seconds();
}

void bsp_fixed_engine::run(time_type t_stop, output_sink* sink, const std::atomic<bool>& stop,
                           run_statistics& stats) {
    const auto stop_step = grid_.first_at_or_after(t_stop);
    // Stopping is agreed at each epoch's exchange (finish_epoch), so every
    // process ends at the same epoch.
    bool halt = comm_.size() == 1 && stop.load(std::memory_order_relaxed);
    while (step_ < stop_step && !halt) {
        const std::int64_t begin = step_, end = std::min(step_ + epoch_steps_, stop_step);

        const stopwatch t0;
        pool_.parallel_for_on_threads(groups_.size(), [&](std::size_t g, unsigned thread) {
            accounts_.run_task(thread, [&] {
                outputs_[g].clear();
                groups_[g]->advance(begin, end, outputs_[g]);
            });
        });
        const double update_s = t0.seconds();
        stats.wall.update += update_s;
        accounts_.end_phase(update_s);
        // Every group advanced the whole epoch.
        stats.advance_lengths.add(grid_.time_of(end - begin), groups_.size());

        step_ = end;
        halt = finish_epoch(groups_, outputs_, pool_, accounts_, comm_, sink, grid_.time_of(step_), t_stop,
                            stop.load(std::memory_order_relaxed), stats);
    }
    stats.events_delivered = 0;
    for (const auto& g : groups_) stats.events_delivered += g->counters().events_delivered;
    accounts_.move_to(stats.threads);
    stats.per_cell = summarise_cell_work(groups_);
}

} // namespace ranvier
