#include "engine/bsp_variable_engine.hpp"

#include "engine/cell_work_summary.hpp"
#include "engine/epoch_exchange.hpp"
#include "engine/dry_run_sources.hpp"
#include "engine/epoch_grid.hpp"
#include "engine/group_factory.hpp"
#include "engine/stopwatch.hpp"

#include <ranvier/errors.hpp>

#include <algorithm>
#include <string>

namespace ranvier {

bsp_variable_engine::bsp_variable_engine(const recipe& model, const simulation_options& options,
                                         task_pool& pool, communicator& comm,
                                         gid_range range, run_statistics& stats)
    : pool_(pool), accounts_(pool.size()), comm_(comm) {
    const stopwatch t0;
    groups_ = make_variable_step_groups(model, options, pool_, range);
    tell_dry_run_sources(comm_, groups_);
    outputs_.resize(groups_.size());

    // The epoch is the shortest delay: a spike in (T, T + D] acts after T + D.
    time_type min_delay = time_infinity;
    for (const auto& g : groups_) {
        min_delay = std::min(min_delay, g->min_delay());
        const auto c = g->counters();
        stats.synapses += c.synapses;
        stats.connection_bytes += c.connection_bytes;
    }
    // Every process must cut time at the same epochs: the network's shortest delay.
    min_delay = comm_.min(min_delay);
    // Without connections, epochs of 1 ms keep output streaming and progress.
    epoch_ = min_delay < time_infinity ? min_delay : 1.0;
    stats.cells = model.num_cells();
    stats.cell_groups = groups_.size();
    stats.wall.build += t0.seconds();
}

bool bsp_variable_engine::run_epoch(time_type t_end, time_type t_stop, output_sink* sink,
                                    bool stop_wish, run_statistics& stats) {
    const stopwatch t0;
    pool_.parallel_for_on_threads(groups_.size(), [&](std::size_t g, unsigned thread) {
        accounts_.run_task(thread, [&] {
            outputs_[g].clear();
            groups_[g]->advance_to(t_end, outputs_[g]);
        });
    });
    const double update_s = t0.seconds();
    stats.wall.update += update_s;
    accounts_.end_phase(update_s);
    // Every group advanced the whole epoch; the point t = 0, run on its own,
    // covers no time and is not an advance.
    if (t_end > t_) stats.advance_lengths.add(t_end - t_, groups_.size());

    t_ = t_end;
    return finish_epoch(groups_, outputs_, pool_, accounts_, comm_, sink, t_, t_stop, stop_wish, stats);
}

void bsp_variable_engine::run(time_type t_stop, output_sink* sink, const std::atomic<bool>& stop,
                              run_statistics& stats) {
    // The point t = 0 is an epoch of its own: a spike at 0 acts at D, which
    // the first full epoch (0, D] must already know about.
    // Stopping is agreed at each epoch's exchange, so every process ends at
    // the same epoch.
    bool halt = false;
    if (!started_) {
        halt = run_epoch(0.0, t_stop, sink, comm_.size() > 1 && stop.load(std::memory_order_relaxed), stats);
        started_ = true;
    }
    if (comm_.size() == 1) halt = stop.load(std::memory_order_relaxed);
    while (t_ < t_stop && !halt)
        halt = run_epoch(epoch_end(t_, epoch_, t_stop), t_stop, sink, stop.load(std::memory_order_relaxed),
                         stats);
    stats.events_delivered = 0;
    stats.integrator = {};
    for (const auto& g : groups_) {
        stats.events_delivered += g->counters().events_delivered;
        stats.integrator += g->integrator_counters();
    }
    accounts_.move_to(stats.threads);
    stats.per_cell = summarise_cell_work(groups_);
}

} // namespace ranvier
