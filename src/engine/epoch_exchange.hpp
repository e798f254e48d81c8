// The end of a bulk-synchronous epoch, shared by bsp-fixed and bsp-variable:
// gather and sort the groups' spikes (through the communicator), deliver them
// to every group in parallel, then hand spikes and samples to the sink.
#pragma once

#include "comm/communicator.hpp"
#include "cells/cell_group.hpp"
#include "engine/stopwatch.hpp"
#include "engine/task_pool.hpp"
#include "engine/thread_accounts.hpp"

#include <ranvier/simulation.hpp>

#include <algorithm>
#include <memory>
#include <vector>

namespace ranvier {

// Exchanges the epoch's spikes and streams the epoch's output; `t_reached` is
// the epoch's end (ms). Adds to the communicate, deliver and output times;
// the delivery is a parallel phase of `accounts`. Returns whether any
// process asked to stop (`stop_wish` is this one's), so all stop together.
// In a distributed run every process delivers every spike (each group keeps
// only those from its sources), and samples travel to rank 0, which alone
// has a sink (the output files).
template <class Group>
bool finish_epoch(std::vector<std::unique_ptr<Group>>& groups, const std::vector<group_output>& outputs,
                  task_pool& pool, thread_accounts& accounts, communicator& comm, output_sink* sink,
                  time_type t_reached, time_type t_stop, bool stop_wish, run_statistics& stats) {
    stopwatch t0;
    bool stop = stop_wish;
    const std::vector<spike> spikes = comm.gather_spikes(sorted_spikes(outputs), stop);
    std::vector<trace_sample> samples = sorted_samples(outputs);
    if (comm.size() > 1) {
        samples = gather_to_root(comm, std::span<const trace_sample>(samples));
        std::sort(samples.begin(), samples.end(), sample_before);
    }
    stats.wall.communicate += t0.seconds();

    t0.restart();
    pool.parallel_for_on_threads(groups.size(), [&](std::size_t g, unsigned thread) {
        accounts.run_task(thread, [&] { groups[g]->deliver(spikes); });
    });
    const double deliver_s = t0.seconds();
    stats.wall.deliver += deliver_s;
    accounts.end_phase(deliver_s);

    t0.restart();
    stats.spikes += spikes.size();
    stats.t_reached = t_reached;
    if (sink) {
        sink->on_spikes(spikes);
        sink->on_samples(samples);
        sink->on_progress(t_reached, t_stop);
    }
    stats.wall.output += t0.seconds();
    return stop;
}

} // namespace ranvier
