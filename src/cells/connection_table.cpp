#include "cells/connection_table.hpp"

#include <ranvier/errors.hpp>

#include <algorithm>
#include <cmath>
#include <string>

namespace ranvier {

namespace {

std::uint32_t delay_in_steps(const connection& c, gid_type target, double dt) {
    if (!std::isfinite(c.delay) || !std::isfinite(c.weight))
        throw user_error("connection " + std::to_string(c.source) + " -> " +
                         std::to_string(target) + ": weight and delay must be finite numbers");
    const double steps = std::round(c.delay / dt);
    if (steps < 1)
        throw user_error("connection " + std::to_string(c.source) + " -> " +
                         std::to_string(target) + ": delay " + std::to_string(c.delay) +
                         " ms is shorter than the time step dt = " + std::to_string(dt) +
                         " ms; use a delay of at least one step");
    if (steps > max_delay_steps)
        throw user_error("connection " + std::to_string(c.source) + " -> " +
                         std::to_string(target) + ": delay of " + std::to_string(c.delay) +
                         " ms is " + std::to_string(steps) + " steps; at most " +
                         std::to_string(max_delay_steps) + " steps of dt are supported");
    return static_cast<std::uint32_t>(steps);
}

} // namespace

std::uint32_t connection_table::point_cell_target(std::uint32_t local, const connection& c) {
    if (c.target_site != 0)
        throw user_error("connection from gid " + std::to_string(c.source) + " targets site " +
                         std::to_string(c.target_site) +
                         " of a point neuron, which has only site 0");
    return local;
}

connection_table::connection_table(const recipe& model, std::span<const gid_type> gids,
                                   double dt, const target_mapper& target_index) {
    const gid_type n_cells = model.num_cells();
    // Pass 1: count connections per source.
    std::vector<std::uint32_t> count(n_cells, 0);
    for (gid_type gid : gids) {
        for (const connection& c : model.connections_on(gid)) {
            if (c.source >= n_cells)
                throw user_error("cell " + std::to_string(gid) + ": connection from gid " +
                                 std::to_string(c.source) + ", but the model has only " +
                                 std::to_string(n_cells) + " cells (gids 0.." +
                                 std::to_string(n_cells - 1) + ")");
            ++count[c.source];
        }
    }
    std::uint64_t total = 0;
    for (gid_type s = 0; s < n_cells; ++s) {
        if (count[s] == 0) continue;
        sources_.push_back(s);
        offsets_.push_back(total);
        total += count[s];
    }
    offsets_.push_back(total);
    entries_.resize(total);

    // Pass 2: fill, reusing `count` as the next free slot per source.
    std::vector<std::uint64_t> cursor(sources_.size());
    for (std::size_t i = 0; i < sources_.size(); ++i) {
        cursor[i] = offsets_[i];
        count[sources_[i]] = static_cast<std::uint32_t>(i);
    }
    for (std::uint32_t local = 0; local < gids.size(); ++local) {
        for (const connection& c : model.connections_on(gids[local])) {
            const std::uint32_t d = delay_in_steps(c, gids[local], dt);
            min_delay_ = std::min(min_delay_, d);
            max_delay_ = std::max(max_delay_, d);
            const std::uint32_t target = target_index(local, c);
            if (target >= max_group_targets)
                throw internal_error("connection_table: group has more than 65536 targets");
            entries_[cursor[count[c.source]]++] =
                synapse_entry{static_cast<std::uint16_t>(target), static_cast<std::uint16_t>(d),
                              static_cast<float>(c.weight)};
        }
    }
    if (!std::equal(cursor.begin(), cursor.end(), offsets_.begin() + 1))
        throw internal_error("connection_table: recipe gave different connections on the "
                             "second pass (connections_on must be deterministic)");

    if (!sources_.empty() && sources_.size() >= n_cells / 8) {
        dense_offsets_.assign(static_cast<std::size_t>(n_cells) + 1, 0);
        std::size_t i = 0;
        for (gid_type g = 0; g <= n_cells; ++g) {
            while (i < sources_.size() && sources_[i] < g) ++i;
            dense_offsets_[g] = offsets_[i];
        }
    }
}

std::span<const synapse_entry> connection_table::from(gid_type source) const {
    if (!dense_offsets_.empty()) {
        if (source + 1 >= dense_offsets_.size()) return {};
        return {entries_.data() + dense_offsets_[source], entries_.data() + dense_offsets_[source + 1]};
    }
    const auto it = std::lower_bound(sources_.begin(), sources_.end(), source);
    if (it == sources_.end() || *it != source) return {};
    const auto i = static_cast<std::size_t>(it - sources_.begin());
    return {entries_.data() + offsets_[i], entries_.data() + offsets_[i + 1]};
}

std::uint64_t connection_table::bytes() const {
    return entries_.capacity() * sizeof(synapse_entry) + sources_.capacity() * sizeof(gid_type) +
           (offsets_.capacity() + dense_offsets_.capacity()) * sizeof(std::uint64_t);
}

} // namespace ranvier
