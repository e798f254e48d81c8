// Fully asynchronous execution (async-fixed, async-variable): no global
// barrier. Each cell group advances as far as the groups it receives spikes
// from allow, and the threads always take the ready group that is furthest
// behind (it holds the others back most).
//
// The rules (docs/architecture.md, "Asynchronous execution"):
// - A group at time `now` has emitted every spike of its own up to `now`.
// - Pairwise horizons: D(h, g) is the shortest delay of the connections from
//   the cells of unit h (a local group, or another process) onto group g.
//   Group g may integrate [now_g, t1) once every unit h it receives from
//   stands at now_h >= t1 - D(h, g): then every spike of h that can act
//   before t1 (emitted before t1 - D(h, g)) is known.
// - Before that advance g takes from each source's inbox exactly the spikes
//   emitted before t1 - D(h, g), sorts them by (time, gid) and delivers
//   them; one left behind acts at or after t1. A batch may then hold a
//   spike older than one of an earlier batch (from a source with a longer
//   delay), so a group must apply simultaneous events in an order of its
//   own, not in delivery order: cable cells order them by (emission time,
//   source gid, scheduling order), event-driven LIF by (time, source,
//   connection) (canonical_event_order()). Fixed-step LIF groups sum
//   events into ring slots in delivery order (sorting would cost the hot
//   path), so they keep their shortest delay d_g for every source: their
//   deliveries cover successive time ranges, in global (time, gid) order.
//   Either way events act in the bsp engines' order and the results are
//   bit-identical to bsp-fixed (fixed step) and to bsp-variable (variable
//   step; its cells' steps never depend on how far they are asked to go).
// - At t_stop every spike left in the inboxes is delivered, so what a group
//   has been given does not depend on the decomposition's pair delays.
// - The group with the smallest `now` is always ready unless it is running,
//   so the schedule cannot deadlock.
// - Output: spikes and samples wait in a buffer until every group has passed
//   their time, then stream out sorted, exactly as the bsp engines write them.
// - Distributed (several processes): every other process this one receives
//   from is a proxy unit whose `now` is the last watermark that process
//   reported (the smallest `now` of its groups: it has sent every spike
//   before it). The rules above then hold unchanged across processes, with
//   D(proxy, g) the shortest delay from that process's cells onto g. After
//   its watermark rises a process sends one message per process that
//   receives from it, bundling the watermark and its new spikes of the cells
//   that process has connections from (learnt at build), and one to
//   rank 0 with its new spikes, samples and watermark for the output.
//   Messages are polled by the workers under the lock (MPI_Iprobe, never
//   blocking); a worker with nothing to do polls every 100 us. A run ends
//   when every local group, every proxy and (on rank 0) every process's
//   output has reached t_stop and every send has completed: no barrier.
//
// The engine is one template over the two kinds of group; `Clock` maps the
// group's own time (steps of dt, or ms) to and from ms.
#pragma once

#include "cells/cell_group.hpp"
#include "comm/communicator.hpp"
#include "comm/dry_run_communicator.hpp"
#include "engine/decomposition.hpp"
#include "engine/engine.hpp"
#include "engine/epoch_grid.hpp"
#include "engine/task_pool.hpp"
#include "engine/thread_accounts.hpp"
#include "cells/variable_step_group.hpp"

#include <ranvier/errors.hpp>
#include <ranvier/recipe.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <limits>
#include <memory>
#include <mutex>
#include <span>
#include <vector>

namespace ranvier {

// Fixed-step groups: time in steps of dt. A spike emitted in step k (stamped
// (k + 1) dt) is at time k here: a group at `now` has emitted every spike of
// steps < now, and an event with delay d from it acts in step k + d.
struct step_clock {
    using group = fixed_step_group;
    using time = std::int64_t;
    static constexpr time never = std::numeric_limits<std::int64_t>::max() / 4;
    time_grid grid{0.1}; // steps of dt

    time min_delay(const group& g) const {
        const std::uint32_t d = g.min_delay_steps();
        return d == UINT32_MAX ? never : static_cast<time>(d);
    }
    // Parallel to g.source_gids(): the shortest delay from each.
    std::span<const std::uint32_t> source_delays(const group& g) const { return g.source_min_delay_steps(); }
    time of_spike(const spike& s) const { return grid.emission_end(s.time) - 1; }
    time of_ms(double t) const { return grid.first_at_or_after(t); }
    double ms(time t) const { return grid.time_of(t); }
    double length_ms(time t0, time t1) const { return grid.time_of(t1 - t0); }
    void advance(group& g, time t0, time t1, group_output& out) const { g.advance(t0, t1, out); }
    // Steps are exact, and results do not depend on where an advance ends:
    // a group goes as far as its inputs allow, at most one chunk.
    time end_of_advance(time now, time chunk, time stop) const { return std::min(stop, now + chunk); }
    bool partial_advance_allowed() const { return true; }
    time allowed_by(time source_now, time delay) const { return source_now + delay; }
};

// Variable-step groups: time in ms. A group at `now` has committed every spike
// before `now`; one at exactly `now` may still come.
struct ms_clock {
    using group = variable_step_group;
    using time = double;
    static constexpr time never = std::numeric_limits<double>::infinity();

    time min_delay(const group& g) const { return g.min_delay(); }
    std::span<const double> source_delays(const group& g) const { return g.source_min_delays(); }
    time of_spike(const spike& s) const { return s.time; }
    time of_ms(double t) const { return t; }
    double ms(time t) const { return t; }
    double length_ms(time t0, time t1) const { return t1 - t0; }
    void advance(group& g, time, time t1, group_output& out) const { g.advance_to(t1, out); }
    // Advances end on the epoch grid k * chunk (epoch_end(), the same points
    // as bsp-variable's epochs), whole cells of it at a time: event-driven LIF
    // groups round differently if their advance ends elsewhere, and CVODE
    // cells do not care.
    time end_of_advance(time now, time chunk, time stop) const { return epoch_end(now, chunk, stop); }
    bool partial_advance_allowed() const { return false; }
    // Times are sums of doubles that are equal in exact arithmetic but may
    // differ in the last bit (k c + c against (k + 1) c); time_tolerance_ms absorbs
    // that without letting a group run measurably ahead of its inputs.
    time allowed_by(time source_now, time delay) const { return source_now + delay + time_tolerance_ms; }
};

// The messages between processes (tags; the dry run counts them by tag).
namespace async_message_tag {
constexpr int spikes = 7101; // spikes and watermark for a receiving process
constexpr int output = 7102; // spikes, samples and watermark for rank 0's output
constexpr int needs = 7103;  // at build: which of its cells a process needs
} // namespace async_message_tag

template <class Clock>
class async_engine final : public engine {
public:
    using group = typename Clock::group;
    using time = typename Clock::time;

    // `chunk` bounds one advance of a group (the fixed-step groups' event
    // buffers hold one epoch ahead; it also sets how often output streams).
    // `groups` are this process's (the gids of cells.range(comm.rank()));
    // collective over `comm`.
    async_engine(std::vector<std::unique_ptr<group>> groups, Clock clock, time chunk, task_pool& pool,
                 communicator& comm, const decomposition& cells);

    void run(time_type t_stop, output_sink* sink, const std::atomic<bool>& stop,
             run_statistics& stats) override;

    // Groups, for statistics.
    const std::vector<std::unique_ptr<group>>& groups() const { return groups_; }

private:
    // A unit that a group receives spikes from, as that group sees it.
    struct source_link {
        std::size_t unit = 0;      // a local group, or a remote process's proxy
        time delay = Clock::never; // D(h, g): shortest delay of h's connections onto g
        std::vector<spike> inbox;  // h's spikes not yet delivered to g
    };
    // A group that receives a unit's spikes, and the place of the unit among
    // that group's sources.
    struct target_link {
        std::size_t unit = 0;
        std::size_t slot = 0;
    };
    struct unit {
        time now = 0;                     // integrated up to here
        time min_delay = Clock::never;    // shortest delay onto the group
        std::vector<source_link> sources; // units it receives spikes from
        std::vector<target_link> targets; // groups that receive its spikes
        bool busy = false;                // a thread is advancing it
        group_output out;                 // its output of the current advance
    };
    // Another process this one receives spikes from (a unit of its own, after
    // the local ones, that never advances here).
    struct remote_source {
        int process = 0;
        std::size_t unit = 0;
    };
    static constexpr int spike_tag = async_message_tag::spikes;
    static constexpr int output_tag = async_message_tag::output;
    static constexpr int needs_tag = async_message_tag::needs;

    void worker(unsigned thread); // `thread`: the pool's thread number
    // Takes out of u's inboxes the spikes due before its advance to t1 (locked).
    std::vector<spike> take_due(unit& u, time t1);
    // Hands spikes of unit h to the inboxes of the groups it feeds (locked).
    void post(const unit& h, std::span<const spike> spikes);
    // At t_stop: delivers every spike left in the inboxes (locked).
    void deliver_the_rest();
    // The end of the next advance of u, or u.now if it cannot advance (locked).
    time reach(std::size_t u) const;
    time watermark() const; // the smallest `now` of the local groups (locked)
    time output_watermark() const; // what every process has passed (locked)
    void flush(bool everything); // streams final output to the sink (locked)
    // Distributed runs (locked): receives what has arrived, reports a risen
    // watermark, and says whether this process may end the run.
    void poll_messages();
    void report_progress();
    bool distributed_done() const;
    bool distributed() const { return comm_.size() > 1; }
    // Dry run (docs/scaling.md): the other ranks are modelled, not run;
    // this process writes its own output and collects nobody else's.
    void receive_modelled_spikes(time w);
    void index_destinations(gid_range own); // from needed_by_, at build
    bool collects_output() const { return comm_.rank() == 0 && !dry_; }
    bool writes_output() const { return !distributed() || comm_.rank() == 0 || dry_; }

    Clock clock_;
    time chunk_;
    task_pool& pool_;
    // Busy (delivering to and advancing a group) and waiting (no group
    // ready) time per thread; each thread writes its own slot.
    thread_accounts accounts_;
    std::vector<std::unique_ptr<group>> groups_;
    std::vector<unit> units_; // the local groups, then one per remote source process
    communicator& comm_;
    dry_run_communicator* dry_ = nullptr; // comm_, when it is a dry run's
    std::vector<remote_source> remotes_;
    std::vector<std::ptrdiff_t> remote_unit_of_; // per process: index into remotes_, or -1
    std::vector<int> destinations_;            // processes that receive from this one
    std::vector<std::vector<gid_type>> needed_by_; // at build, per destination: the gids of this range it needs
    // Per local cell (gid - first_local_): the destinations (indices into
    // destinations_) that need its spikes, as offsets into destinations_of_.
    gid_type first_local_ = 0;
    std::vector<std::uint64_t> destination_offsets_;
    std::vector<std::uint32_t> destinations_of_;
    std::vector<std::vector<spike>> wanted_; // per destination, reused by report_progress
    std::vector<time> output_reported_;        // rank 0: each process's output watermark
    time reported_ = 0;                        // the watermark last sent
    std::vector<spike> outgoing_;              // spikes not yet sent to destinations
    std::vector<spike> outgoing_output_;       // spikes and samples not yet sent to rank 0
    std::vector<trace_sample> outgoing_samples_;

    // Shared by the workers, under mutex_.
    std::mutex mutex_;
    std::condition_variable progress_;
    time stop_at_ = 0;
    const std::atomic<bool>* stop_ = nullptr;
    std::exception_ptr error_;
    output_sink* sink_ = nullptr;
    run_statistics* stats_ = nullptr;
    time_type t_stop_ms_ = 0;
    std::vector<spike> pending_spikes_;
    std::vector<trace_sample> pending_samples_;
    time flushed_ = 0;
};

// The engines of the two asynchronous modes, built from a model: groups as in
// the bsp engines, one advance at most one global minimum delay long (1 ms
// without connections).
// Collective over `comm`: each process builds the groups of its own range.
std::unique_ptr<engine> make_async_fixed_engine(const recipe& model, const simulation_options& options,
                                                task_pool& pool, communicator& comm,
                                                const decomposition& cells, run_statistics& stats);
std::unique_ptr<engine> make_async_variable_engine(const recipe& model, const simulation_options& options,
                                                   task_pool& pool, communicator& comm,
                                                   const decomposition& cells, run_statistics& stats);

} // namespace ranvier
