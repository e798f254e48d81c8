// A cell group: the unit of work of the engines. One implementation per cell
// kind, one virtual call per group per epoch (never per cell); inside, tight
// loops over structure-of-arrays state.
#pragma once

#include <ranvier/simulation.hpp>
#include <ranvier/types.hpp>

#include <cstdint>
#include <span>
#include <vector>

namespace ranvier {

// What a group produces while advancing: spikes of its cells (in time order,
// then gid) and probe samples (in time order, then gid, then probe).
struct group_output {
    std::vector<spike> spikes;
    std::vector<trace_sample> samples;
    void clear() { spikes.clear(); samples.clear(); }
};

// The order samples are written in: time, then gid, then probe.
inline bool sample_before(const trace_sample& a, const trace_sample& b) {
    return a.time < b.time || (a.time == b.time && (a.gid < b.gid || (a.gid == b.gid && a.probe < b.probe)));
}

// All groups' spikes of an epoch, sorted by (time, gid).
std::vector<spike> sorted_spikes(std::span<const group_output> outputs);
// All groups' samples of an epoch, sorted by sample_before.
std::vector<trace_sample> sorted_samples(std::span<const group_output> outputs);

struct group_counters {
    std::uint64_t synapses = 0;          // connections onto this group's cells
    std::uint64_t events_delivered = 0;  // deliveries so far
    std::uint64_t connection_bytes = 0;  // memory of its connection table
};

// Work per cell so far, for the run report (run_statistics::per_cell): each
// vector holds one count per cell in gids() order, or is empty when the
// group's cells do not count that (spike sources count nothing). Asked for
// once per run() (allocating is fine), never on a hot path.
struct cell_work_counts {
    std::vector<std::uint64_t> steps;    // time steps (fixed step) or integrator steps
    std::vector<std::uint64_t> restarts; // integrator restarts
    std::vector<std::uint64_t> events;   // connection events delivered to the cell
};

// A group advanced by a fixed time step on a global grid t = k*dt.
class fixed_step_group {
public:
    virtual ~fixed_step_group() = default;

    // Called once before the first advance with the longest epoch the engine
    // will use (never longer than the shortest delay onto any group).
    virtual void prepare(std::int64_t epoch_steps) = 0;

    // Integrates steps [step_begin, step_end): step k takes the state from
    // k*dt to (k+1)*dt. A spike in step k is stamped (k+1)*dt.
    virtual void advance(std::int64_t step_begin, std::int64_t step_end, group_output& out) = 0;

    // Hands the group every spike of the last epoch (all cells, sorted by time
    // then gid); it schedules those that target its cells. Called between
    // advances; an event never arrives earlier than the next step_begin.
    // The asynchronous engine splits spikes into deliveries per source
    // (pairwise horizons): each delivery is sorted, but a later one may hold
    // spikes older than an earlier one's, unless canonical_event_order() is
    // false.
    virtual void deliver(std::span<const spike> spikes) = 0;
    // Do its results not depend on how spikes are split into deliveries
    // (events at equal times act in an order of their own)? If not, the
    // asynchronous engine hands it every spike in global (time, gid) order.
    virtual bool canonical_event_order() const = 0;

    virtual std::span<const gid_type> gids() const = 0;
    // Shortest delay of the connections onto the group, in steps
    // (UINT32_MAX if it has none): bounds the epoch length.
    virtual std::uint32_t min_delay_steps() const = 0;
    virtual group_counters counters() const = 0;
    // Has the group a connection from cell `source`? (The asynchronous
    // engines build their graph of which group waits for which from it.)
    virtual bool receives_from(gid_type source) const = 0;
    // The distinct cells it receives from, sorted (empty: none).
    virtual std::span<const gid_type> source_gids() const = 0;
    // Parallel to source_gids(): the shortest delay of the connections from
    // each onto the group, in steps (the asynchronous engine's pairwise
    // horizons).
    virtual std::span<const std::uint32_t> source_min_delay_steps() const = 0;
    virtual cell_work_counts cell_work() const { return {}; }
};

} // namespace ranvier
