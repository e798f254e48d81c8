#include "cells/connection_index.hpp"

#include <ranvier/errors.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace ranvier {

std::string connection_name(gid_type source, gid_type target) {
    return "connection " + std::to_string(source) + " -> " + std::to_string(target);
}

void connection_error(const connection& c, gid_type target, const std::string& what) {
    throw user_error(connection_name(c.source, target) + ": " + what);
}

std::string connection_message_number(double x) {
    char text[32];
    std::snprintf(text, sizeof text, "%.10g", x);
    return text;
}

void bad_connection_values(const connection& c, gid_type target) {
    if (!std::isfinite(c.weight) || !std::isfinite(c.delay))
        connection_error(c, target, "weight and delay must be finite numbers (weight " +
                                        connection_message_number(c.weight) + ", delay " +
                                        connection_message_number(c.delay) + " ms)");
    connection_error(c, target, "delay " + connection_message_number(c.delay) + " ms must be > 0 ms");
}

void site_numbering::no_such_site(std::uint32_t local, gid_type target, const connection& c) const {
    const std::uint32_t n = sites(local);
    if (point_cells())
        connection_error(c, target, "targets site " + std::to_string(c.target_site) + ", but cell " +
                                        std::to_string(target) +
                                        " is a point neuron, which has only site 0");
    connection_error(c, target, "targets synapse " + std::to_string(c.target_site) + ", but cell " +
                                    std::to_string(target) + " has " + std::to_string(n) + " synapse" +
                                    (n == 1 ? "" : "s") +
                                    (n ? " (0.." + std::to_string(n - 1) + ")" : ""));
}

void connection_index_layout::plan(const recipe& model, std::span<const gid_type> gids) {
    const gid_type n_cells = model.num_cells();
    // Pass 1: count connections per source.
    std::vector<std::uint32_t> count(n_cells, 0);
    for (gid_type gid : gids) {
        for (const connection& c : model.connections_on(gid)) {
            if (c.source >= n_cells)
                connection_error(c, gid, "source gid " + std::to_string(c.source) +
                                             " does not exist; the model has " + std::to_string(n_cells) +
                                             " cells (gids 0.." + std::to_string(n_cells - 1) + ")");
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
    // Pass 2's bookkeeping: `count` becomes each source's slot in sources_.
    cursor_.resize(sources_.size());
    for (std::size_t i = 0; i < sources_.size(); ++i) {
        cursor_[i] = offsets_[i];
        count[sources_[i]] = static_cast<std::uint32_t>(i);
    }
    slot_of_ = std::move(count);
}

void connection_index_layout::finish(gid_type n_cells) {
    if (!std::equal(cursor_.begin(), cursor_.end(), offsets_.begin() + 1))
        throw internal_error("connection index: recipe gave different connections on the "
                             "second pass (connections_on must be deterministic)");
    cursor_ = {};
    slot_of_ = {};
    if (!sources_.empty() && sources_.size() >= n_cells / 8) {
        dense_offsets_.assign(static_cast<std::size_t>(n_cells) + 1, 0);
        std::size_t i = 0;
        for (gid_type g = 0; g <= n_cells; ++g) {
            while (i < sources_.size() && sources_[i] < g) ++i;
            dense_offsets_[g] = offsets_[i];
        }
    }
}

std::pair<std::uint64_t, std::uint64_t> connection_index_layout::sparse_range(gid_type source) const {
    const keyed_range r = sparse_range_and_key(source);
    return {r.begin, r.end};
}

connection_index_layout::keyed_range connection_index_layout::sparse_range_and_key(gid_type source) const {
    const auto it = std::lower_bound(sources_.begin(), sources_.end(), source);
    if (it == sources_.end() || *it != source) return {0, 0, 0};
    const auto i = static_cast<std::size_t>(it - sources_.begin());
    return {offsets_[i], offsets_[i + 1], i};
}

std::uint64_t connection_index_layout::layout_bytes() const {
    return sources_.capacity() * sizeof(gid_type) +
           (offsets_.capacity() + dense_offsets_.capacity()) * sizeof(std::uint64_t);
}

} // namespace ranvier
