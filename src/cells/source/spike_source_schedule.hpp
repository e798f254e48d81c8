// The spikes of a group of spike sources (include/ranvier/spike_source_cell.hpp),
// produced lazily: each cell keeps only its next spike time, the position of
// its Poisson stream and a cursor into its explicit times; a heap ordered by
// (next time, cell) finds the group's next spike. An advance that emits
// nothing costs one comparison with the heap's top, so a quiet source costs
// nothing between its spikes; each spike costs O(log cells) and, for Poisson
// spikes, one draw.
//
// The Poisson process of gid g: intervals are exponential, the k-th drawn
// from number k of the stream (seed, spike_source, 0, g):
//   t_1 = start + E_1,  t_{k+1} = t_k + E_{k+1},  E_k = -ln(U_k) / rate,
// U_k uniform in (0, 1]; spikes at t_k < stop. A pure function of (seed, g),
// never of the decomposition or of where advances end.
//
// Shared by the fixed-step and the variable-step source groups (they differ
// only in how far an advance goes and how a spike is stamped).
#pragma once

#include <ranvier/recipe.hpp>
#include <ranvier/types.hpp>

#include <cstdint>
#include <span>
#include <vector>

namespace ranvier {

class spike_source_schedule {
public:
    // All `gids` must be spike sources; throws user_error naming the gid for
    // a bad description or for inputs, connections or probes on a source.
    spike_source_schedule(const recipe& model, std::span<const gid_type> gids, std::uint64_t seed);

    // Time of the group's next spike (time_infinity if none is left).
    time_type next_time() const { return heap_.empty() ? time_infinity : heap_.front().time; }
    // The cell (index in the group) of that spike.
    std::uint32_t next_cell() const { return heap_.front().cell; }
    // Consumes the next spike and schedules that cell's following one.
    void pop();

    std::size_t size() const { return cells_.size(); }

private:
    struct cell_state {
        double rate_per_ms = 0;     // 1/ms, 0: no Poisson process
        double stop = time_infinity;
        double next_poisson = time_infinity; // ms
        std::uint64_t drawn = 0;    // Poisson intervals drawn so far
        std::uint64_t next_time = 0; // index into times_ of the next explicit spike
        std::uint64_t end_time = 0;  // end of the cell's explicit times
        gid_type gid = 0;
    };
    struct entry {
        time_type time;
        std::uint32_t cell;
    };
    static bool later(const entry& a, const entry& b) {
        return a.time > b.time || (a.time == b.time && a.cell > b.cell);
    }
    void sift_down(entry e);
    void draw_poisson(cell_state& c) const;
    time_type next_of(const cell_state& c) const;

    std::uint64_t seed_;
    std::vector<cell_state> cells_;
    std::vector<double> times_; // explicit times, sorted per cell, cells one after another
    std::vector<entry> heap_;   // min-heap by (time, cell): every cell with a spike left
};

} // namespace ranvier
