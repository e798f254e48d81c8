// Where a run's time went (part of run_statistics, simulation.hpp): what
// each worker thread did, how long the engine's advances of cell groups
// were, and how much work each cell took. Plain public types, so the run
// report (summary.json, the console, Python) renders them from include/ alone.
#pragma once

#include <ranvier/types.hpp>

#include <array>
#include <cstdint>
#include <vector>

namespace ranvier {

// One worker thread of the pool (thread 0 is the thread that called run()).
struct thread_work {
    double busy_s = 0;       // inside group work: advancing or delivering to a group
    double wait_s = 0;       // idle: at a barrier (bsp), or with no group ready (async)
    std::uint64_t tasks = 0; // group advances and deliveries it ran
};

// The distribution of the lengths of the engine's group advances (ms of
// simulated time): exact count, min, max and mean; quantiles from a
// histogram of fixed size (20 logarithmic bins per decade from 1e-6 ms to
// 1e6 ms, each keeping the sum, min and max of its values), so memory does
// not grow with the run. A quantile is the mean of the values in its bin:
// exact when the bin holds one distinct length (the usual case: bsp advances
// all have the epoch's length, fixed-step ones whole steps), else within the
// bin's 12%.
class length_histogram {
public:
    void add(double length_ms, std::uint64_t times = 1);

    std::uint64_t count() const { return count_; }
    double min() const { return count_ ? min_ : 0.0; }
    double max() const { return count_ ? max_ : 0.0; }
    double mean() const { return count_ ? sum_ / static_cast<double>(count_) : 0.0; }
    // The nearest-rank p-quantile (p in [0, 1]): the value of rank
    // ceil(p * count) (at least 1) in sorted order, from its bin. 0 if empty.
    double quantile(double p) const;

    static constexpr int bins_per_decade = 20;
    static constexpr int lowest_decade = -6, highest_decade = 6;
    // Bin 0: below 1e-6 ms (zero included); the last bin: 1e6 ms and above.
    static constexpr int bins = bins_per_decade * (highest_decade - lowest_decade) + 2;

private:
    std::uint64_t count_ = 0;
    double sum_ = 0, min_ = 0, max_ = 0;
    std::array<std::uint64_t, bins> bin_count_{};
    std::array<double, bins> bin_sum_{}, bin_min_{}, bin_max_{};
};

// A count per cell summarised over the cells that have it: its mean and the
// worst cell (the smallest gid among equals, so it does not depend on how
// cells were grouped or in which order groups reported).
struct cell_count_summary {
    std::uint64_t cells = 0; // cells counted
    std::uint64_t total = 0;
    std::uint64_t max = 0;
    gid_type max_gid = 0;    // the worst cell (meaningful when cells > 0)

    void add(std::uint64_t value, gid_type gid);
    double mean() const { return cells ? static_cast<double>(total) / static_cast<double>(cells) : 0.0; }
};

// Work per cell, over the cells whose kind counts it (cells = 0: none does).
struct cell_work_statistics {
    // Time steps taken: fixed step t/dt for LIF and cable cells; CVODE steps
    // of variable-step cable cells (and their fixed steps in hybrid windows).
    // Event-driven LIF cells and spike sources take no steps and are not
    // counted.
    cell_count_summary steps;
    // CVODE restarts of variable-step cable cells.
    cell_count_summary restarts;
    // Connection events delivered to each cell (spike sources take none and
    // are not counted); the total is run_statistics::events_delivered.
    cell_count_summary events_delivered;
};

// One process of a run (one entry when run by a single process): what it
// simulated and where its time went. `wait_s` is the time its spike
// exchanges waited for the slowest process (bsp modes) plus its threads'
// idle time (thread_work::wait_s: at barriers, or in async with no group
// ready, e.g. waiting for another process's spikes); `communicate_s` the
// rest of the exchanges: moving and merging spikes and samples.
struct process_work {
    std::uint64_t rank = 0;
    std::uint64_t cells = 0;        // gids it owns (a contiguous range)
    gid_type first_gid = 0;         // its range [first_gid, first_gid + cells)
    std::uint64_t compartments = 0; // nodes of its cable cells
    std::uint64_t cell_groups = 0;
    double build_s = 0;             // building its cell groups
    double update_s = 0;            // integrating its cells (wall time)
    double communicate_s = 0;       // exchanging spikes and samples, waiting excluded
    double wait_s = 0;              // waiting: exchanges and idle threads
    double busy_s = 0;              // its threads' work (sum over threads)
    std::uint64_t peak_memory_bytes = 0; // peak resident set size of the process
    // async modes: the messages of spikes and watermark it sent to other
    // processes (the output sent to rank 0 not included).
    std::uint64_t messages_sent = 0;
    std::uint64_t message_bytes_sent = 0;
};

// A dry run (make_dry_run_context, execution_context.hpp; docs/scaling.md):
// what rank `rank` of a pretend world of `processes` would send and receive,
// the other ranks modelled as shifted copies of it. processes == 0: not a
// dry run.
struct dry_run_statistics {
    std::uint64_t processes = 0;
    std::uint64_t rank = 0;
    std::uint64_t cells = 0; // the rank's share
    // bsp modes: one spike all-gather per epoch. Sent: the rank's part
    // (a 16-byte count and stop flag, 16 bytes a spike); received: every
    // rank's, N times as much under the copy model.
    std::uint64_t epochs = 0;
    std::uint64_t local_spikes = 0;              // the rank's spikes, all epochs
    std::uint64_t max_local_spikes_per_epoch = 0;
    std::uint64_t exchange_bytes_sent = 0;
    std::uint64_t exchange_bytes_received = 0;
    // Copies of the rank's spikes that stood for other ranks' spikes its
    // cells have connections from (bsp and async).
    std::uint64_t modelled_spikes = 0;
    // Sources in other ranks' ranges with no counterpart in this rank's
    // (ranges differ by one cell when N does not divide the cells): silent.
    std::uint64_t sources_without_counterpart = 0;
    // async modes: messages the rank sends while running (watermark and new
    // spikes, one per receiving rank each time its watermark rises), and at
    // build (the lists of needed gids). It receives as many (copy model).
    std::uint64_t messages = 0;
    std::uint64_t message_bytes = 0;
    std::uint64_t message_destinations = 0; // distinct ranks it sends to
    std::uint64_t build_messages = 0;
    std::uint64_t build_message_bytes = 0;
    double run_wall_s = 0; // wall time inside simulation::run
    // Memory of the copy model itself (which of the other ranks' gids each
    // cell stands for): in the peak memory, but no real rank holds it.
    std::uint64_t model_bytes = 0;
};

} // namespace ranvier
