// The asynchronous engine's scheduler (see async_engine.hpp), instantiated for
// fixed-step and variable-step groups.
#include "engine/async_engine.hpp"

#include "engine/cell_work_summary.hpp"
#include "engine/dry_run_sources.hpp"
#include "engine/group_factory.hpp"
#include "engine/stopwatch.hpp"

#include <algorithm>
#include <cstring>
#include <span>
#include <thread>
#include <type_traits>

namespace ranvier {

namespace {

// (key, delay) pairs, sorted by key: one per key, with the shortest delay.
template <class Key, class Time>
void keep_shortest(std::vector<std::pair<Key, Time>>& pairs) {
    std::sort(pairs.begin(), pairs.end());
    // Sorted by (key, delay): the first of each key has its shortest delay.
    pairs.erase(std::unique(pairs.begin(), pairs.end(), [](const auto& a, const auto& b) { return a.first == b.first; }),
                pairs.end());
}

} // namespace

template <class Clock>
async_engine<Clock>::async_engine(std::vector<std::unique_ptr<group>> groups, Clock clock, time chunk,
                                  task_pool& pool, communicator& comm, const decomposition& cells)
    : clock_(clock), chunk_(chunk), pool_(pool), accounts_(pool.size()), groups_(std::move(groups)),
      units_(groups_.size()), comm_(comm), dry_(dynamic_cast<dry_run_communicator*>(&comm)) {
    tell_dry_run_sources(comm_, groups_);
    // Which group waits for which: g receives from h if any cell of h is a
    // source of a connection onto g. Found from each group's sorted list of
    // sources, so the work and memory follow the local connections, never
    // the number of cells in the network.
    const std::size_t n = groups_.size();
    const int processes = comm_.size(), me = comm_.rank();
    // This process's cells and their groups, by gid.
    std::vector<std::pair<gid_type, std::size_t>> group_of;
    for (std::size_t h = 0; h < n; ++h)
        for (const gid_type gid : groups_[h]->gids()) group_of.emplace_back(gid, h);
    std::sort(group_of.begin(), group_of.end());
    // Pairwise horizons: D(h, g), the shortest delay of the connections from
    // the cells of unit h onto group g, bounds how far g may run ahead of h.
    // A group whose results depend on the order its spikes come in
    // (canonical_event_order() false) keeps its shortest delay for every
    // source, so that it receives its spikes in global (time, gid) order.
    // remote_sources[g]: the other processes g receives from, with D (sorted, distinct).
    std::vector<std::vector<std::pair<int, time>>> remote_sources(n);
    pool_.parallel_for(n, [&](std::size_t g) {
        unit& u = units_[g];
        u.min_delay = clock_.min_delay(*groups_[g]);
        const bool pairwise = groups_[g]->canonical_event_order();
        const auto gids = groups_[g]->source_gids();
        const auto delays = clock_.source_delays(*groups_[g]);
        if (delays.size() != gids.size()) throw internal_error("async engine: a group's source delays do not match its sources");
        std::vector<std::pair<std::size_t, time>> local;
        for (std::size_t i = 0; i < gids.size(); ++i) {
            const time d = pairwise ? static_cast<time>(delays[i]) : u.min_delay;
            const int p = cells.owner(gids[i]);
            if (p != me) {
                remote_sources[g].emplace_back(p, d);
                continue;
            }
            const auto it =
                std::lower_bound(group_of.begin(), group_of.end(), std::make_pair(gids[i], std::size_t{0}));
            if (it == group_of.end() || it->first != gids[i])
                throw internal_error("async engine: a local source gid without a local group");
            local.emplace_back(it->second, d);
        }
        keep_shortest(local);
        keep_shortest(remote_sources[g]);
        for (const auto& [h, d] : local) u.sources.push_back({h, d, {}});
    });
    for (std::size_t g = 0; g < n; ++g)
        for (std::size_t k = 0; k < units_[g].sources.size(); ++k)
            units_[units_[g].sources[k].unit].targets.push_back({g, k});
    if (processes == 1) return;

    // One proxy unit per process this one receives from.
    remote_unit_of_.assign(static_cast<std::size_t>(processes), -1);
    std::vector<int> sources;
    {
        std::vector<std::vector<std::pair<std::size_t, time>>> receivers(static_cast<std::size_t>(processes));
        for (std::size_t g = 0; g < n; ++g)
            for (const auto& [p, d] : remote_sources[g]) receivers[static_cast<std::size_t>(p)].emplace_back(g, d);
        for (int p = 0; p < processes; ++p) {
            auto& r = receivers[static_cast<std::size_t>(p)];
            if (r.empty()) continue;
            const std::size_t proxy = units_.size();
            units_.emplace_back();
            for (const auto& [g, d] : r) {
                units_[proxy].targets.push_back({g, units_[g].sources.size()});
                units_[g].sources.push_back({proxy, d, {}});
            }
            remote_unit_of_[static_cast<std::size_t>(p)] = static_cast<std::ptrdiff_t>(remotes_.size());
            remotes_.push_back({p, proxy});
            sources.push_back(p);
        }
    }
    // The sorted gids of process p's cells that local connections come from.
    const auto needed_from = [&](int p) {
        const gid_range r = cells.range(p);
        std::vector<gid_type> needed;
        for (std::size_t g = 0; g < n; ++g) {
            const auto all = groups_[g]->source_gids();
            const auto lo = std::lower_bound(all.begin(), all.end(), r.begin);
            needed.insert(needed.end(), lo, std::lower_bound(lo, all.end(), r.end));
        }
        std::sort(needed.begin(), needed.end());
        needed.erase(std::unique(needed.begin(), needed.end()), needed.end());
        return needed;
    };
    if (dry_) {
        // No other rank exists to answer: the mirror of this rank's own
        // pattern stands for them (dry_run_communicator.hpp). Rank q is rank
        // K shifted by q - K ranks, so q receives from K what K receives
        // from p = 2K - q, shifted into K's range.
        std::vector<std::pair<int, int>> by_destination; // (q, p)
        for (const int p : sources) by_destination.emplace_back(((2 * me - p) % processes + processes) % processes, p);
        std::sort(by_destination.begin(), by_destination.end());
        const gid_range own = cells.range(me);
        for (const auto& [q, p] : by_destination) {
            std::vector<gid_type> needed = needed_from(p);
            // The list K would send p (counted, not delivered) ...
            comm_.post_send(p, needs_tag, byte_buffer(needed.size() * sizeof(gid_type)));
            // ... is, shifted, the list q sends K (cells of a longer range
            // than K's have no counterpart in K).
            const gid_type begin = cells.range(p).begin;
            std::erase_if(needed, [&](gid_type gid) { return gid - begin >= own.size(); });
            for (gid_type& gid : needed) gid = gid - begin + own.begin;
            destinations_.push_back(q);
            needed_by_.push_back(std::move(needed));
        }
    } else {
        // Every process learns how many processes receive from it (one
        // reduce-scatter: O(N) per process, not the N x N table an all-gather
        // of the source lists would copy into each) ...
        std::vector<std::uint64_t> receives_from(static_cast<std::size_t>(processes), 0);
        for (const int p : sources) receives_from[static_cast<std::size_t>(p)] = 1;
        const std::uint64_t receivers = comm_.sum_for_me(receives_from);
        // ... and, from their messages, which they are and which of its
        // cells each needs, so a process sends each spike only where a
        // connection waits for it. Sizes follow the connections between the
        // two processes.
        for (const int p : sources) {
            const std::vector<gid_type> needed = needed_from(p);
            byte_buffer bytes(needed.size() * sizeof(gid_type));
            if (!needed.empty()) std::memcpy(bytes.data(), needed.data(), bytes.size());
            comm_.post_send(p, needs_tag, std::move(bytes));
        }
        std::vector<std::pair<int, std::vector<gid_type>>> needs;
        while (needs.size() < receivers) {
            auto m = comm_.poll(needs_tag);
            if (!m) {
                std::this_thread::yield();
                continue;
            }
            needs.emplace_back(m->source, values_of<gid_type>(m->bytes));
        }
        // In rank order, whatever order they arrived in.
        std::sort(needs.begin(), needs.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
        for (auto& [q, gids] : needs) {
            if (!destinations_.empty() && destinations_.back() == q)
                throw internal_error("async engine: two lists of needed cells from process " + std::to_string(q));
            destinations_.push_back(q);
            needed_by_.push_back(std::move(gids));
        }
        while (!comm_.sends_done()) std::this_thread::yield();
    }
    index_destinations(cells.range(me));
    output_reported_.assign(static_cast<std::size_t>(processes), time{});
}

template <class Clock>
void async_engine<Clock>::index_destinations(gid_range own) {
    // needed_by_ (per destination, the local gids it needs) turned around:
    // per local cell, the destinations that need it.
    first_local_ = own.begin;
    destination_offsets_.assign(static_cast<std::size_t>(own.size()) + 1, 0);
    for (const auto& needs : needed_by_)
        for (const gid_type gid : needs) {
            if (gid < own.begin || gid >= own.end)
                throw internal_error("async engine: another process needs gid " + std::to_string(gid) +
                                     ", which this one does not own");
            ++destination_offsets_[gid - own.begin + 1];
        }
    for (std::size_t i = 1; i < destination_offsets_.size(); ++i) destination_offsets_[i] += destination_offsets_[i - 1];
    destinations_of_.resize(destination_offsets_.back());
    std::vector<std::uint64_t> next(destination_offsets_.begin(), destination_offsets_.end() - 1);
    for (std::size_t d = 0; d < needed_by_.size(); ++d)
        for (const gid_type gid : needed_by_[d]) destinations_of_[next[gid - own.begin]++] = static_cast<std::uint32_t>(d);
    std::vector<std::vector<gid_type>>().swap(needed_by_);
    wanted_.assign(destinations_.size(), {});
}

template <class Clock>
typename Clock::time async_engine<Clock>::reach(std::size_t g) const {
    const unit& u = units_[g];
    const time end = clock_.end_of_advance(u.now, chunk_, stop_at_);
    time limit = end;
    // Every unit h it receives from must have passed t1 - D(h, g).
    for (const source_link& s : u.sources) {
        const time allowed = clock_.allowed_by(units_[s.unit].now, s.delay);
        if (allowed < limit) limit = allowed;
    }
    if (!clock_.partial_advance_allowed() && limit < end) return u.now;
    return std::max(limit, u.now);
}

template <class Clock>
typename Clock::time async_engine<Clock>::watermark() const {
    time w = stop_at_;
    for (std::size_t g = 0; g < groups_.size(); ++g) w = std::min(w, units_[g].now);
    return w;
}

template <class Clock>
typename Clock::time async_engine<Clock>::output_watermark() const {
    time w = watermark();
    if (distributed() && collects_output())
        for (int p = 1; p < comm_.size(); ++p) w = std::min(w, output_reported_[static_cast<std::size_t>(p)]);
    return w;
}

namespace {

// Message layouts: a watermark (8 bytes: steps or ms), then for the output
// messages the number of spikes, then spikes (and samples). Plain records
// copied as bytes between processes of one program.
template <class T>
void append(byte_buffer& b, std::span<const T> values) {
    const auto bytes = std::as_bytes(values);
    b.insert(b.end(), bytes.begin(), bytes.end());
}

template <class T>
std::size_t take(const byte_buffer& b, std::size_t at, std::size_t count, std::vector<T>& into) {
    const std::size_t size = count * sizeof(T);
    if (at + size > b.size()) throw internal_error("async engine: a message from another process is cut short");
    const std::size_t before = into.size();
    into.resize(before + count);
    if (size) std::memcpy(into.data() + before, b.data() + at, size);
    return at + size;
}

} // namespace

template <class Clock>
void async_engine<Clock>::poll_messages() {
    while (auto m = comm_.poll(spike_tag)) {
        const std::ptrdiff_t r = remote_unit_of_.at(static_cast<std::size_t>(m->source));
        if (r < 0) throw internal_error("async engine: spikes from a process this one does not receive from");
        unit& proxy = units_[remotes_[static_cast<std::size_t>(r)].unit];
        std::vector<time> w;
        std::size_t at = take(m->bytes, 0, 1, w);
        std::vector<spike> spikes;
        take(m->bytes, at, (m->bytes.size() - at) / sizeof(spike), spikes);
        post(proxy, spikes);
        proxy.now = std::max(proxy.now, w[0]);
    }
    if (collects_output()) {
        while (auto m = comm_.poll(output_tag)) {
            std::vector<time> w;
            std::vector<std::uint64_t> count;
            std::size_t at = take(m->bytes, 0, 1, w);
            at = take(m->bytes, at, 1, count);
            at = take(m->bytes, at, count[0], pending_spikes_);
            take(m->bytes, at, (m->bytes.size() - at) / sizeof(trace_sample), pending_samples_);
            time& reported = output_reported_[static_cast<std::size_t>(m->source)];
            reported = std::max(reported, w[0]);
        }
    }
    comm_.sends_done();
}

template <class Clock>
void async_engine<Clock>::report_progress() {
    const time w = watermark();
    if (!(w > reported_)) return;
    reported_ = w;
    // Each new spike to the destinations that need it (per cell: a list),
    // so the work follows the spikes and their targets, not spikes times
    // destinations (docs/scaling.md).
    for (const spike& sp : outgoing_) {
        const std::size_t cell = sp.gid - first_local_;
        for (std::uint64_t k = destination_offsets_[cell]; k < destination_offsets_[cell + 1]; ++k)
            wanted_[destinations_of_[k]].push_back(sp);
    }
    for (std::size_t d = 0; d < destinations_.size(); ++d) {
        byte_buffer b;
        append(b, std::span<const time>(&w, 1));
        append(b, std::span<const spike>(wanted_[d]));
        comm_.post_send(destinations_[d], spike_tag, std::move(b));
        wanted_[d].clear();
    }
    if (dry_) receive_modelled_spikes(w);
    outgoing_.clear();
    if (!writes_output()) {
        byte_buffer b;
        const std::uint64_t count = outgoing_output_.size();
        append(b, std::span<const time>(&w, 1));
        append(b, std::span<const std::uint64_t>(&count, 1));
        append(b, std::span<const spike>(outgoing_output_));
        append(b, std::span<const trace_sample>(outgoing_samples_));
        comm_.post_send(0, output_tag, std::move(b));
        stats_->spikes += count; // this process's; rank 0 counts the network's
        outgoing_output_.clear();
        outgoing_samples_.clear();
    }
}

template <class Clock>
void async_engine<Clock>::receive_modelled_spikes(time w) {
    // What the other ranks would send K now: the copies of K's new spikes
    // that K's cells need, each to the proxy of the rank it stands for, and
    // a watermark as far as K's own (every rank is as far as K).
    std::vector<spike> copies;
    dry_->append_copies(outgoing_, copies);
    stats_->dry_run.modelled_spikes += copies.size();
    for (const spike& sp : copies) {
        const std::ptrdiff_t r = remote_unit_of_.at(static_cast<std::size_t>(dry_->owner(sp.gid)));
        if (r < 0) throw internal_error("async engine: a modelled spike from a process this one does not receive from");
        post(units_[remotes_[static_cast<std::size_t>(r)].unit], std::span<const spike>(&sp, 1));
    }
    for (const remote_source& r : remotes_) units_[r.unit].now = std::max(units_[r.unit].now, w);
}

template <class Clock>
bool async_engine<Clock>::distributed_done() const {
    for (const remote_source& r : remotes_)
        if (units_[r.unit].now < stop_at_) return false;
    if (collects_output())
        for (int p = 1; p < comm_.size(); ++p)
            if (output_reported_[static_cast<std::size_t>(p)] < stop_at_) return false;
    return !(reported_ < stop_at_) && comm_.sends_done();
}

template <class Clock>
void async_engine<Clock>::flush(bool everything) {
    if (!writes_output()) { // its output went to rank 0 (report_progress)
        stats_->t_reached = clock_.ms(watermark());
        return;
    }
    const time w = output_watermark();
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
std::vector<spike> async_engine<Clock>::take_due(unit& u, time t1) {
    // From source h, the spikes emitted before t1 - D(h, g): they are all
    // here (now_h >= t1 - D(h, g)), and no later one can act before t1. The
    // cut is per source: one cut at t1 - (the group's shortest delay) would
    // take a long-delay source's spikes in this batch or the next depending
    // on whether they have arrived yet. Sorted by (time, gid): a group with
    // canonical_event_order() sees each batch in order; one without it has
    // D = its shortest delay for every source, so successive batches cover
    // successive time ranges and it sees every spike in global order. (The
    // caller sorts, outside the lock.)
    std::vector<spike> due;
    for (source_link& s : u.sources) {
        const time horizon = t1 - s.delay;
        const auto split = std::partition(s.inbox.begin(), s.inbox.end(),
                                          [&](const spike& sp) { return clock_.of_spike(sp) < horizon; });
        due.insert(due.end(), s.inbox.begin(), split);
        s.inbox.erase(s.inbox.begin(), split);
    }
    return due;
}

template <class Clock>
void async_engine<Clock>::post(const unit& h, std::span<const spike> spikes) {
    if (spikes.empty()) return;
    for (const target_link& t : h.targets) {
        std::vector<spike>& inbox = units_[t.unit].sources[t.slot].inbox;
        inbox.insert(inbox.end(), spikes.begin(), spikes.end());
    }
}

template <class Clock>
void async_engine<Clock>::deliver_the_rest() {
    // Which spikes are still waiting at the end depends on the pair delays,
    // and so on how cells are split into groups and processes; the events
    // delivered (run_statistics) must not. Every spike emitted before t_stop
    // is here now (every unit stands at t_stop), and those not yet due act
    // at or after t_stop, so they can all go now: a group with
    // canonical_event_order() false receives them after every earlier spike
    // and before every later one, still in global order.
    for (std::size_t g = 0; g < groups_.size(); ++g) {
        std::vector<spike> rest = take_due(units_[g], Clock::never);
        std::sort(rest.begin(), rest.end(), spike_before);
        groups_[g]->deliver(rest);
    }
}

template <class Clock>
void async_engine<Clock>::worker(unsigned thread) {
    // With other processes, a thread with nothing to do looks for their
    // messages this often (no thread blocks in MPI).
    constexpr auto poll_interval = std::chrono::microseconds(100);
    std::unique_lock lock(mutex_);
    const auto fail = [&] {
        if (!error_) error_ = std::current_exception();
        progress_.notify_all();
    };
    for (;;) {
        if (error_) return;
        // A distributed run ends together (docs/architecture.md): a stop
        // request of one process cannot hold the others back mid-run. A dry
        // run is one process: it stops as a single one does.
        if ((!distributed() || dry_) && stop_->load(std::memory_order_relaxed)) return;
        if (distributed()) {
            try {
                poll_messages();
                report_progress();
                flush(false);
            } catch (...) {
                fail();
                return;
            }
        }
        // The ready local group furthest behind.
        const std::size_t local = groups_.size();
        std::size_t best = local;
        bool unfinished = false, running = false;
        for (std::size_t g = 0; g < local; ++g) {
            const unit& u = units_[g];
            if (u.now < stop_at_) unfinished = true;
            running |= u.busy;
            if (u.busy || !(u.now < stop_at_) || !(reach(g) > u.now)) continue;
            if (best == local || u.now < units_[best].now) best = g;
        }
        if (best == local) {
            if (!unfinished && !running) {
                bool done = !distributed();
                if (!done) {
                    try {
                        done = distributed_done();
                    } catch (...) {
                        fail();
                        return;
                    }
                }
                if (done) {
                    progress_.notify_all();
                    return;
                }
            }
            // The unfinished group furthest behind can always advance (delays
            // are > 0) unless it is running or waits for another process:
            // anything else is a bug.
            if (unfinished && !running && !distributed()) {
                error_ = std::make_exception_ptr(internal_error("async engine: no group can advance"));
                progress_.notify_all();
                return;
            }
            const auto idle_since = thread_accounts::clock_type::now();
            if (distributed())
                progress_.wait_for(lock, poll_interval);
            else
                progress_.wait(lock);
            accounts_.add_wait_since(thread, idle_since);
            continue;
        }
        unit& u = units_[best];
        const time t0 = u.now, t1 = reach(best);
        std::vector<spike> due = take_due(u, t1);
        for (const source_link& s : u.sources) // how far ahead of its sources the pair delays let it run
            stats_->max_lead = std::max(stats_->max_lead, clock_.length_ms(units_[s.unit].now, t1));
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
            u.busy = false;
            fail();
            return;
        }

        lock.lock();
        stats_->advance_lengths.add(clock_.length_ms(t0, t1));
        u.now = t1;
        u.busy = false;
        post(u, u.out.spikes);
        if (writes_output()) {
            pending_spikes_.insert(pending_spikes_.end(), u.out.spikes.begin(), u.out.spikes.end());
            pending_samples_.insert(pending_samples_.end(), u.out.samples.begin(), u.out.samples.end());
        } else {
            outgoing_output_.insert(outgoing_output_.end(), u.out.spikes.begin(), u.out.spikes.end());
            outgoing_samples_.insert(outgoing_samples_.end(), u.out.samples.begin(), u.out.samples.end());
        }
        try {
            if (distributed()) {
                if (!destinations_.empty())
                    outgoing_.insert(outgoing_.end(), u.out.spikes.begin(), u.out.spikes.end());
                report_progress();
            }
            flush(false);
        } catch (...) {
            fail();
            return;
        }
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
        if (watermark() >= stop_at_) deliver_the_rest();
        // At the end every group (of every process) stands at t_stop:
        // everything left is final. After an interruption only what every
        // group has passed is.
        flush(output_watermark() >= stop_at_);
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
    const stopwatch t0;
    auto groups = make_fixed_step_groups(model, options, pool, cells.range(comm.rank()));
    std::uint32_t min_delay = UINT32_MAX;
    for (const auto& g : groups) min_delay = std::min(min_delay, g->min_delay_steps());
    // Every process advances in chunks of the network's shortest delay.
    min_delay = static_cast<std::uint32_t>(comm.min(static_cast<double>(min_delay)));
    // One advance is at most the global minimum delay: the groups' event
    // buffers are sized for one epoch of that length (as in bsp-fixed).
    const time_grid grid(options.dt);
    const std::int64_t chunk = fixed_epoch_steps(min_delay, grid);
    for (auto& g : groups) g->prepare(chunk);
    count_network(groups, model, stats);
    auto eng = std::make_unique<async_engine<step_clock>>(std::move(groups), step_clock{grid},
                                                          chunk, pool, comm, cells);
    stats.wall.build += t0.seconds();
    return eng;
}

std::unique_ptr<engine> make_async_variable_engine(const recipe& model, const simulation_options& options,
                                                   task_pool& pool, communicator& comm,
                                                   const decomposition& cells, run_statistics& stats) {
    const stopwatch t0;
    auto groups = make_variable_step_groups(model, options, pool, cells.range(comm.rank()));
    time_type min_delay = time_infinity;
    for (const auto& g : groups) min_delay = std::min(min_delay, g->min_delay());
    // Every process ends its advances on the same grid: the network's shortest delay.
    min_delay = comm.min(min_delay);
    const time_type chunk = min_delay < time_infinity ? min_delay : 1.0;
    count_network(groups, model, stats);
    auto eng = std::make_unique<async_engine<ms_clock>>(std::move(groups), ms_clock{}, chunk, pool, comm, cells);
    stats.wall.build += t0.seconds();
    return eng;
}

template class async_engine<step_clock>;
template class async_engine<ms_clock>;

} // namespace ranvier
