#include "cells/source/spike_source_schedule.hpp"

#include "random/counter_rng.hpp"

#include <ranvier/errors.hpp>

#include <algorithm>
#include <cmath>
#include <string>
#include <variant>

namespace ranvier {

spike_source_schedule::spike_source_schedule(const recipe& model, std::span<const gid_type> gids,
                                             std::uint64_t seed)
    : seed_(seed) {
    cells_.resize(gids.size());
    for (std::uint32_t i = 0; i < gids.size(); ++i) {
        const gid_type gid = gids[i];
        const std::string where = "cell " + std::to_string(gid);
        const cell_description description = model.cell(gid);
        const auto* source = std::get_if<spike_source_cell>(&description);
        if (!source) throw internal_error("spike source group: gid " + std::to_string(gid) + " is not a spike source");
        validate(*source, where);
        // A source has no inputs and no state to record.
        if (const auto in = model.connections_on(gid); !in.empty())
            throw user_error(where + " is a spike source, which takes no connections, but gid " +
                             std::to_string(in.front().source) + " connects onto it");
        if (!model.poisson_inputs_on(gid).empty())
            throw user_error(where + " is a spike source, which takes no Poisson input");
        if (!model.current_inputs_on(gid).empty())
            throw user_error(where + " is a spike source, which takes no current input");
        if (const auto probes = model.probes_on(gid); !probes.empty())
            throw user_error(where + " is a spike source, which has no '" + probes.front().variable +
                             "' to probe: record its spikes instead");

        cell_state& c = cells_[i];
        c.gid = gid;
        c.rate_per_ms = source->rate * 1e-3;
        c.stop = source->stop;
        c.next_time = times_.size();
        times_.insert(times_.end(), source->times.begin(), source->times.end());
        c.end_time = times_.size();
        std::sort(times_.begin() + static_cast<std::ptrdiff_t>(c.next_time), times_.end());
        if (c.rate_per_ms > 0) {
            c.next_poisson = source->start;
            draw_poisson(c);
        }
        const time_type first = next_of(c);
        if (first < time_infinity) heap_.push_back({first, i});
    }
    std::make_heap(heap_.begin(), heap_.end(), later);
}

void spike_source_schedule::draw_poisson(cell_state& c) const {
    counter_rng rng(seed_, stream_purpose::spike_source, 0, c.gid);
    rng.seek_number(c.drawn++);
    const double t = c.next_poisson - std::log(rng.uniform_open0()) / c.rate_per_ms;
    c.next_poisson = t < c.stop ? t : time_infinity;
}

time_type spike_source_schedule::next_of(const cell_state& c) const {
    const time_type listed = c.next_time < c.end_time ? times_[c.next_time] : time_infinity;
    return std::min(listed, c.next_poisson);
}

void spike_source_schedule::pop() {
    entry top = heap_.front();
    cell_state& c = cells_[top.cell];
    // The explicit time first when both coincide (either order gives the same spikes).
    if (c.next_time < c.end_time && times_[c.next_time] == top.time)
        ++c.next_time;
    else
        draw_poisson(c);
    top.time = next_of(c);
    if (!(top.time < time_infinity)) {
        // The cell is done: the last entry takes the top's place.
        top = heap_.back();
        heap_.pop_back();
        if (heap_.empty()) return;
    }
    sift_down(top);
}

void spike_source_schedule::sift_down(entry e) {
    // The top's replacement sinks to its place: one pass down the heap
    // instead of a pop and a push.
    const std::size_t n = heap_.size();
    std::size_t hole = 0;
    for (;;) {
        std::size_t child = 2 * hole + 1;
        if (child >= n) break;
        if (child + 1 < n && later(heap_[child], heap_[child + 1])) ++child;
        if (!later(e, heap_[child])) break;
        heap_[hole] = heap_[child];
        hole = child;
    }
    heap_[hole] = e;
}

} // namespace ranvier
