// Incoming connections of one cell group, stored by source so that a spike
// finds its targets in the group with one binary search and a contiguous scan.
// 8 bytes per synapse: target index inside the group (groups hold at most
// 65,536 targets), delay in time steps (at most 65,535), weight in single
// precision.
#pragma once

#include <ranvier/recipe.hpp>
#include <ranvier/types.hpp>

#include <cstdint>
#include <functional>
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
    // Builds the table of the cells `gids` (in group order) from the recipe,
    // in two passes over recipe.connections_on() so that no temporary copy of
    // the connections is held. Delays are rounded to the nearest step.
    // Throws user_error naming the gid for a source out of range or a delay
    // shorter than one step.
    // `target_index(local, c)` maps a connection onto the group's cell number
    // `local` to the index stored in the entry (for point cells: the cell; for
    // cable cells: the synapse instance); it throws user_error for a bad site.
    using target_mapper = std::function<std::uint32_t(std::uint32_t local, const connection& c)>;
    connection_table(const recipe& model, std::span<const gid_type> gids, double dt,
                     const target_mapper& target_index);

    // The mapper for point neurons: one site (0) per cell.
    static std::uint32_t point_cell_target(std::uint32_t local, const connection& c);

    // Entries of connections from `source` into the group (empty if none),
    // ordered by target, then by the order the recipe gave them.
    std::span<const synapse_entry> from(gid_type source) const;

    std::uint64_t size() const { return entries_.size(); }
    std::uint64_t bytes() const;
    std::uint32_t min_delay() const { return min_delay_; } // steps (UINT32_MAX if empty)
    std::uint32_t max_delay() const { return max_delay_; } // steps (0 if empty)

private:
    // Sparse index: sorted distinct sources and their entry ranges
    // [offsets_[i], offsets_[i+1]). When sources are dense (at least 1 in 8
    // gids), a direct index by gid replaces the binary search.
    std::vector<gid_type> sources_;
    std::vector<std::uint64_t> offsets_;
    std::vector<std::uint64_t> dense_offsets_; // size num_cells + 1, or empty
    std::vector<synapse_entry> entries_;
    std::uint32_t min_delay_ = UINT32_MAX, max_delay_ = 0;
};

} // namespace ranvier
