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

void no_extra_weights(const connection& c, gid_type target) {
    connection_error(c, target, "gives " + std::to_string(c.extra_weights.size()) +
                                    " extra weights, but its target (a point neuron) takes one weight only");
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

namespace {

// Sources whose gids span at most this many times their connections are
// counted in an array over the span; sparser ones are sorted instead.
constexpr std::uint64_t counting_span_per_connection = 4;

} // namespace

void connection_index_layout::plan(const recipe& model, std::span<const gid_type> gids) {
    const gid_type n_cells = model.num_cells();
    // Pass 1: the source of every connection (checking that it exists).
    std::vector<gid_type> seen;
    for (gid_type gid : gids) {
        for (const connection& c : model.connections_on(gid)) {
            if (c.source >= n_cells)
                connection_error(c, gid, "source gid " + std::to_string(c.source) +
                                             " does not exist; the model has " + std::to_string(n_cells) +
                                             " cells (gids 0.." + std::to_string(n_cells - 1) + ")");
            seen.push_back(c.source);
        }
    }
    offsets_.push_back(0);
    if (seen.empty()) return;
    const auto [lo, hi] = std::minmax_element(seen.begin(), seen.end());
    const gid_type first = *lo;
    const std::uint64_t span = std::uint64_t{*hi} - first + 1;
    if (span <= counting_span_per_connection * seen.size() + 64) {
        // Count per gid of the span; the counts then become slots.
        std::vector<std::uint32_t> count(span, 0);
        for (const gid_type s : seen) ++count[s - first];
        seen = {};
        for (std::uint64_t k = 0; k < span; ++k) {
            if (count[k] == 0) continue;
            sources_.push_back(static_cast<gid_type>(first + k));
            offsets_.push_back(offsets_.back() + count[k]);
            count[k] = static_cast<std::uint32_t>(sources_.size() - 1);
        }
        slot_in_span_ = std::move(count);
        span_base_ = first;
    } else {
        std::sort(seen.begin(), seen.end());
        for (std::size_t i = 0; i < seen.size();) {
            std::size_t j = i;
            while (j < seen.size() && seen[j] == seen[i]) ++j;
            sources_.push_back(seen[i]);
            offsets_.push_back(offsets_.back() + (j - i));
            i = j;
        }
    }
    cursor_.assign(offsets_.begin(), offsets_.end() - 1);
}

std::size_t connection_index_layout::slot_of(gid_type source) const {
    std::size_t slot = sources_.size();
    if (!slot_in_span_.empty()) {
        if (source >= span_base_ && source - span_base_ < slot_in_span_.size())
            slot = slot_in_span_[source - span_base_];
    } else {
        slot = static_cast<std::size_t>(std::lower_bound(sources_.begin(), sources_.end(), source) -
                                        sources_.begin());
    }
    if (slot >= sources_.size() || sources_[slot] != source)
        throw internal_error("connection index: recipe gave a source on the second pass that the "
                             "first did not (connections_on must be deterministic)");
    return slot;
}

void connection_index_layout::finish() {
    if (!std::equal(cursor_.begin(), cursor_.end(), offsets_.begin() + 1))
        throw internal_error("connection index: recipe gave different connections on the "
                             "second pass (connections_on must be deterministic)");
    cursor_ = {};
    slot_in_span_ = {};
    if (sources_.empty()) return;
    const std::uint64_t span = std::uint64_t{sources_.back()} - sources_.front() + 1;
    if (sources_.size() >= span / 8) {
        dense_base_ = sources_.front();
        dense_offsets_.assign(span + 1, 0);
        std::size_t i = 0;
        for (std::uint64_t k = 0; k <= span; ++k) {
            while (i < sources_.size() && sources_[i] < dense_base_ + k) ++i;
            dense_offsets_[k] = offsets_[i];
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
