// The asynchronous engine's scheduler (see async_engine.hpp), instantiated for
// fixed-step and variable-step groups.
#include "engine/async_engine.hpp"

#include "engine/cell_work_summary.hpp"
#include "engine/group_factory.hpp"
#include "engine/stopwatch.hpp"

#include <type_traits>

namespace ranvier {

namespace {


} // namespace

template <class Clock>
async_engine<Clock>::async_engine(std::vector<std::unique_ptr<group>> groups, Clock clock, time chunk,
                                  task_pool& pool)
    : clock_(clock), chunk_(chunk), pool_(pool), accounts_(pool.size()), groups_(std::move(groups)),
      units_(groups_.size()) {
    // Which group waits for which: g receives from h if any cell of h is a
    // source of a connection onto g.
    const std::size_t n = groups_.size();
    pool_.parallel_for(n, [&](std::size_t g) {
        unit& u = units_[g];
        u.min_delay = clock_.min_delay(*groups_[g]);
        for (std::size_t h = 0; h < n; ++h)
            for (const gid_type gid : groups_[h]->gids())
                if (groups_[g]->receives_from(gid)) {
                    u.sources.push_back(h);
                    break;
                }
    });
    for (std::size_t g = 0; g < n; ++g)
        for (const std::size_t h : units_[g].sources) units_[h].targets.push_back(g);
}

template <class Clock>
typename Clock::time async_engine<Clock>::reach(std::size_t g) const {
    const unit& u = units_[g];
    const time end = clock_.end_of_advance(u.now, chunk_, stop_at_);
    time limit = end;
    // Every group it receives from must have passed t1 - min_delay.
    for (const std::size_t h : u.sources) {
        const time allowed = clock_.allowed_by(units_[h].now, u.min_delay);
        if (allowed < limit) limit = allowed;
    }
    if (!clock_.partial_advance_allowed() && limit < end) return u.now;
    return std::max(limit, u.now);
}

template <class Clock>
typename Clock::time async_engine<Clock>::watermark() const {
    time w = stop_at_;
    for (const unit& u : units_) w = std::min(w, u.now);
    return w;
}

template <class Clock>
void async_engine<Clock>::flush(bool everything) {
    const time w = watermark();
    if (!everything && !(w > flushed_)) return;
    flushed_ = std::max(flushed_, w);
    const stopwatch t0;
    auto split = std::partition(pending_spikes_.begin(), pending_spikes_.end(), [&](const spike& s) {
        return everything || clock_.of_spike(s) < w;
    });
    std::vector<spike> spikes(pending_spikes_.begin(), split);
    pending_spikes_.erase(pending_spikes_.begin(), split);
    std::sort(spikes.begin(), spikes.end(), spike_before);
    const double w_ms = clock_.ms(w);
    auto split_samples = std::partition(pending_samples_.begin(), pending_samples_.end(),
                                        [&](const trace_sample& s) { return everything || s.time <= w_ms; });
    std::vector<trace_sample> samples(pending_samples_.begin(), split_samples);
    pending_samples_.erase(pending_samples_.begin(), split_samples);
    std::sort(samples.begin(), samples.end(), sample_before);
    stats_->spikes += spikes.size();
    stats_->t_reached = w_ms;
    if (sink_) {
        sink_->on_spikes(spikes);
        sink_->on_samples(samples);
        sink_->on_progress(w_ms, t_stop_ms_);
    }
    stats_->wall.output += t0.seconds();
}

template <class Clock>
void async_engine<Clock>::worker(unsigned thread) {
    std::unique_lock lock(mutex_);
    for (;;) {
        if (error_ || stop_->load(std::memory_order_relaxed)) return;
        // The ready group furthest behind.
        std::size_t best = units_.size();
        bool unfinished = false;
        for (std::size_t g = 0; g < units_.size(); ++g) {
            const unit& u = units_[g];
            if (u.now < stop_at_) unfinished = true;
            if (u.busy || !(u.now < stop_at_) || !(reach(g) > u.now)) continue;
            if (best == units_.size() || u.now < units_[best].now) best = g;
        }
        if (!unfinished) return;
        if (best == units_.size()) {
            bool running = false;
            for (const unit& u : units_) running |= u.busy;
            // The unfinished group furthest behind can always advance (delays
            // are > 0), unless it is running: anything else is a bug.
            if (!running) {
                error_ = std::make_exception_ptr(internal_error("async engine: no group can advance"));
                progress_.notify_all();
                return;
            }
            const auto idle_since = thread_accounts::clock_type::now();
            progress_.wait(lock);
            accounts_.add_wait_since(thread, idle_since);
            continue;
        }
        unit& u = units_[best];
        const time t0 = u.now, t1 = reach(best);
        // Spikes emitted before t1 - min_delay: every one of them is here.
        const time horizon = u.min_delay == Clock::never ? Clock::never : t1 - u.min_delay;
        auto split = std::partition(u.inbox.begin(), u.inbox.end(),
                                    [&](const spike& s) { return clock_.of_spike(s) < horizon; });
        std::vector<spike> due(u.inbox.begin(), split);
        u.inbox.erase(u.inbox.begin(), split);
        u.busy = true;
        lock.unlock();

        std::sort(due.begin(), due.end(), spike_before);
        try {
            accounts_.run_task(thread, [&] {
                groups_[best]->deliver(due);
                u.out.clear();
                clock_.advance(*groups_[best], t0, t1, u.out);
            });
        } catch (...) {
            lock.lock();
            if (!error_) error_ = std::current_exception();
            u.busy = false;
            progress_.notify_all();
            return;
        }

        lock.lock();
        stats_->advance_lengths.add(clock_.length_ms(t0, t1));
        u.now = t1;
        u.busy = false;
        for (const std::size_t g : u.targets)
            units_[g].inbox.insert(units_[g].inbox.end(), u.out.spikes.begin(), u.out.spikes.end());
        pending_spikes_.insert(pending_spikes_.end(), u.out.spikes.begin(), u.out.spikes.end());
        pending_samples_.insert(pending_samples_.end(), u.out.samples.begin(), u.out.samples.end());
        flush(false);
        progress_.notify_all();
    }
}

template <class Clock>
void async_engine<Clock>::run(time_type t_stop, output_sink* sink, const std::atomic<bool>& stop,
                              run_statistics& stats) {
    const stopwatch t0;
    const double output_before = stats.wall.output;
    {
        std::lock_guard lock(mutex_);
        stop_at_ = std::max(clock_.of_ms(t_stop), stop_at_);
        stop_ = &stop;
        sink_ = sink;
        stats_ = &stats;
        t_stop_ms_ = t_stop;
        error_ = nullptr;
    }
    pool_.parallel_for_on_threads(pool_.size(), [&](std::size_t, unsigned thread) { worker(thread); });
    {
        std::lock_guard lock(mutex_);
        if (error_) std::rethrow_exception(error_);
        // At the end every group stands at t_stop: everything left is final.
        // After an interruption only what every group has passed is.
        flush(watermark() >= stop_at_);
    }
    // Integration, delivery and scheduling overlap; "update" is all of it.
    stats.wall.update += t0.seconds() -
                         (stats.wall.output - output_before);
    stats.events_delivered = 0;
    for (const auto& g : groups_) stats.events_delivered += g->counters().events_delivered;
    if constexpr (std::is_same_v<Clock, ms_clock>) {
        stats.integrator = {};
        for (const auto& g : groups_) {
            stats.integrator += g->integrator_counters();
        }
    }
    accounts_.move_to(stats.threads);
    stats.per_cell = summarise_cell_work(groups_);
}

namespace {

// The asynchronous modes run within one process for now: a distributed run
// refuses them before building anything (docs/architecture.md).
void check_single_process(communicator& comm, const simulation_options& options) {
    if (comm.size() > 1)
        throw user_error(source_location{"", 0, "mode"},
                         "mode " + to_string(options.mode) + " runs in one process only so far; with " +
                             std::to_string(comm.size()) +
                             " processes use bsp-fixed or bsp-variable (the same results)");
}

template <class Groups>
void count_network(const Groups& groups, const recipe& model, run_statistics& stats) {
    for (const auto& g : groups) {
        const auto c = g->counters();
        stats.synapses += c.synapses;
        stats.connection_bytes += c.connection_bytes;
    }
    stats.cells = model.num_cells();
    stats.cell_groups = groups.size();
}

} // namespace

std::unique_ptr<engine> make_async_fixed_engine(const recipe& model, const simulation_options& options,
                                                task_pool& pool, communicator& comm,
                                                const decomposition& cells, run_statistics& stats) {
    check_single_process(comm, options);
    const stopwatch t0;
    auto groups = make_fixed_step_groups(model, options, pool, cells.range(comm.rank()));
    std::uint32_t min_delay = UINT32_MAX;
    for (const auto& g : groups) min_delay = std::min(min_delay, g->min_delay_steps());
    // One advance is at most the global minimum delay: the groups' event
    // buffers are sized for one epoch of that length (as in bsp-fixed).
    const time_grid grid(options.dt);
    const std::int64_t chunk = fixed_epoch_steps(min_delay, grid);
    for (auto& g : groups) g->prepare(chunk);
    count_network(groups, model, stats);
    auto eng = std::make_unique<async_engine<step_clock>>(std::move(groups), step_clock{grid},
                                                          chunk, pool);
    stats.wall.build += t0.seconds();
    return eng;
}

std::unique_ptr<engine> make_async_variable_engine(const recipe& model, const simulation_options& options,
                                                   task_pool& pool, communicator& comm,
                                                   const decomposition& cells, run_statistics& stats) {
    check_single_process(comm, options);
    const stopwatch t0;
    auto groups = make_variable_step_groups(model, options, pool, cells.range(comm.rank()));
    time_type min_delay = time_infinity;
    for (const auto& g : groups) min_delay = std::min(min_delay, g->min_delay());
    const time_type chunk = min_delay < time_infinity ? min_delay : 1.0;
    count_network(groups, model, stats);
    auto eng = std::make_unique<async_engine<ms_clock>>(std::move(groups), ms_clock{}, chunk, pool);
    stats.wall.build += t0.seconds();
    return eng;
}

template class async_engine<step_clock>;
template class async_engine<ms_clock>;

} // namespace ranvier
