// The connection tables of the cell groups: one connection_index each
// (cells/connection_index.hpp: lookup by source, checks, error wording),
// with the entries each kind of group needs.
//
// connection_table (fixed-step groups): 8 bytes per synapse: target site
// inside the group (groups hold at most 65,536 targets), delay in time steps
// (1..65,535), weight in single precision.
//
// exact_delay_table (variable-step groups): target site, weight in single
// precision (as in the fixed-step modes), delay in ms, exact.
#pragma once

#include "cells/connection_index.hpp"
#include "time/time_grid.hpp"

#include <ranvier/recipe.hpp>
#include <ranvier/types.hpp>

#include <cstdint>
#include <span>
#include <vector>

namespace ranvier {

struct synapse_entry {
    std::uint16_t target;  // index of the target cell (or site) inside the group
    std::uint16_t delay;   // time steps, 1..max_delay_steps
    float weight;          // mV or pA, as in the model (stored in single precision)
};
static_assert(sizeof(synapse_entry) == 8);

constexpr std::size_t max_group_targets = 65536;
constexpr std::uint32_t max_delay_steps = 65535;

class connection_table {
public:
    // The sites of point neurons: one (0) per cell.
    static inline const site_numbering point_cell_target{};

    // Indexes the connections onto `gids` (in group order), their sites
    // numbered by `sites`. Delays are rounded to the nearest step of dt.
    // Throws user_error naming both gids for a bad connection (see
    // connection_index.hpp), a delay shorter than dt (beyond a relative
    // 1e-9: decimal values) or longer than max_delay_steps steps.
    // `observe` (optional) sees every connection with its entry's position.
    connection_table(const recipe& model, std::span<const gid_type> gids, double dt,
                     const site_numbering& sites, const connection_observer& observe = {});

    // Entries of connections from `source` into the group (empty if none),
    // in group order of the targets, then in the order the recipe gave them.
    std::span<const synapse_entry> from(gid_type source) const { return index_.from(source); }
    std::uint64_t entry_position(const synapse_entry& e) const { return index_.entry_position(e); }
    bool receives_from(gid_type source) const { return index_.receives_from(source); }
    std::span<const gid_type> sources() const { return index_.sources(); } // distinct, sorted
    // The same with the source's key, for counters per source
    // (connection_index_layout::source_keys); f(key, entries) per source.
    auto from_keyed(gid_type source) const { return index_.from_keyed(source); }
    std::size_t source_keys() const { return index_.source_keys(); }
    template <class F>
    void for_each_source(F&& f) const { index_.for_each_source(f); }

    std::uint64_t size() const { return index_.size(); }
    std::uint64_t bytes() const { return index_.bytes() + source_min_delay_.capacity() * sizeof(std::uint32_t); }
    std::uint32_t min_delay() const { return min_delay_; } // steps (UINT32_MAX if empty)
    std::uint32_t max_delay() const { return max_delay_; } // steps (0 if empty)
    // Per source of sources() (parallel to it): the shortest delay of its
    // connections, in steps (the asynchronous engine's pairwise horizons).
    std::span<const std::uint32_t> source_min_delays() const { return source_min_delay_; }

private:
    std::uint32_t min_delay_ = UINT32_MAX, max_delay_ = 0; // set while index_ is built
    connection_index<synapse_entry> index_;
    std::vector<std::uint32_t> source_min_delay_;
};

struct exact_delay_entry {
    std::uint32_t target; // site inside the group (for point neurons: the cell)
    float weight;         // mV, pA or uS, single precision as in the fixed-step modes
    double delay;         // ms, exact
};

class exact_delay_table {
public:
    // As connection_table, with delays kept in ms.
    exact_delay_table(const recipe& model, std::span<const gid_type> gids, const site_numbering& sites,
                      const connection_observer& observe = {});

    std::span<const exact_delay_entry> from(gid_type source) const { return index_.from(source); }
    std::uint64_t entry_position(const exact_delay_entry& e) const { return index_.entry_position(e); }
    bool receives_from(gid_type source) const { return index_.receives_from(source); }
    std::span<const gid_type> sources() const { return index_.sources(); } // distinct, sorted
    // As connection_table's.
    auto from_keyed(gid_type source) const { return index_.from_keyed(source); }
    std::size_t source_keys() const { return index_.source_keys(); }
    template <class F>
    void for_each_source(F&& f) const { index_.for_each_source(f); }

    std::uint64_t size() const { return index_.size(); }
    std::uint64_t bytes() const { return index_.bytes() + source_min_delay_.capacity() * sizeof(double); }
    double min_delay() const { return min_delay_; } // ms (infinity if empty)
    // Per source of sources() (parallel to it): the shortest delay of its
    // connections, in ms.
    std::span<const double> source_min_delays() const { return source_min_delay_; }

private:
    double min_delay_ = time_infinity; // set while index_ is built
    connection_index<exact_delay_entry> index_;
    std::vector<double> source_min_delay_;
};

} // namespace ranvier
