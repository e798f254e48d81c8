// The one index of a cell group's incoming connections, shared by every
// mode: entries stored by source gid, so a spike finds its targets in the
// group with one lookup (a direct index when sources are dense, else a
// binary search) and a contiguous scan. Within a source, entries follow the
// group's cell order, then the recipe's order of connections onto a cell.
// Built in two passes over recipe.connections_on(), so no temporary copy of
// the network is held, and sized by the group's connections, never by the
// number of cells in the network. Every connection is checked here, with one wording
// naming both gids ("connection 3 -> 7: ..."): the source exists, weight and
// delay are finite, the delay is > 0, the target site exists. What an entry
// holds is the group's choice (delay in steps or in ms, target cell or
// synapse): see connection_table.hpp (connection_table for the fixed-step
// groups, exact_delay_table for the variable-step ones).
#pragma once

#include <ranvier/recipe.hpp>
#include <ranvier/types.hpp>

#include <cmath>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace ranvier {

// "connection 3 -> 7"
std::string connection_name(gid_type source, gid_type target);
// Throws user_error "connection <source> -> <target>: <what>".
[[noreturn]] void connection_error(const connection& c, gid_type target, const std::string& what);
// Throws the user_error for a weight or delay check_connection_values rejects.
[[noreturn]] void bad_connection_values(const connection& c, gid_type target);
// Checks what every mode requires of a connection onto gid `target`: a
// finite weight and a finite delay > 0 ms.
inline void check_connection_values(const connection& c, gid_type target) {
    if (!(c.delay > 0) || !(c.delay < time_infinity) || !(std::abs(c.weight) < time_infinity))
        bad_connection_values(c, target);
}
// Throws the user_error for extra weights onto a target that takes only one
// (a point neuron).
[[noreturn]] void no_extra_weights(const connection& c, gid_type target);
// A number in messages: "1.5", "0.025", "1e+06".
std::string connection_message_number(double x);

// The synapse sites of a group, numbered through the group: a connection
// onto site k of the group's cell `local` is stored with target site(local, k).
class site_numbering {
public:
    // Point neurons: one site (0) per cell, numbered as the cells.
    site_numbering() = default;
    // Cell i has sites [first[i], first[i + 1]) (size cells + 1).
    explicit site_numbering(std::vector<std::uint32_t> first) : first_(std::move(first)) {}

    bool point_cells() const { return first_.empty(); }
    std::uint32_t sites(std::uint32_t local) const {
        return point_cells() ? 1 : first_[local + 1] - first_[local];
    }
    std::uint32_t total(std::size_t cells) const {
        return point_cells() ? static_cast<std::uint32_t>(cells) : first_.back();
    }
    // The group's site number of c.target_site on cell `local` (gid
    // `target`); throws user_error (connection_error) if the cell has no such site.
    std::uint32_t site(std::uint32_t local, gid_type target, const connection& c) const {
        if (c.target_site < sites(local)) return point_cells() ? local : first_[local] + c.target_site;
        no_such_site(local, target, c);
    }

private:
    [[noreturn]] void no_such_site(std::uint32_t local, gid_type target, const connection& c) const;

    std::vector<std::uint32_t> first_;
};

// What does not depend on the entries: sources, ranges, the passes' bookkeeping.
class connection_index_layout {
public:
    std::uint64_t size() const { return offsets_.empty() ? 0 : offsets_.back(); }
    bool receives_from(gid_type source) const { return range(source).first != range(source).second; }
    // The distinct sources of the group's connections, sorted.
    std::span<const gid_type> sources() const { return sources_; }

    // Counters a group keeps per source (spikes it was handed from each, so
    // that it counts per spike rather than per event) are numbered by
    // source keys in [0, source_keys()): gid - first source when the index is dense,
    // else the source's place among the sources.
    std::size_t source_keys() const {
        return dense_offsets_.empty() ? sources_.size() : dense_offsets_.size() - 1;
    }

protected:
    // Pass 1: counts connections per source (checking that sources exist).
    void plan(const recipe& model, std::span<const gid_type> gids);
    // Pass 2: the slot of the next entry from `source`.
    std::uint64_t next_slot(gid_type source) { return cursor_[slot_of(source)]++; }
    // After pass 2: checks both passes agreed; builds the direct index.
    void finish();
    // Entry range [begin, end) of connections from `source` (empty if none).
    std::pair<std::uint64_t, std::uint64_t> range(gid_type source) const {
        if (!dense_offsets_.empty()) {
            if (source < dense_base_ || source - dense_base_ + 1 >= dense_offsets_.size()) return {0, 0};
            const std::size_t k = source - dense_base_;
            return {dense_offsets_[k], dense_offsets_[k + 1]};
        }
        return sparse_range(source);
    }
    std::uint64_t layout_bytes() const;
    // range() with the source's key (source_keys()); the key is meaningful
    // only when the range is not empty.
    struct keyed_range {
        std::uint64_t begin, end;
        std::size_t key;
    };
    keyed_range range_and_key(gid_type source) const {
        if (!dense_offsets_.empty()) {
            if (source < dense_base_ || source - dense_base_ + 1 >= dense_offsets_.size()) return {0, 0, 0};
            const std::size_t k = source - dense_base_;
            return {dense_offsets_[k], dense_offsets_[k + 1], k};
        }
        return sparse_range_and_key(source);
    }
    // f(key, begin, end) for every source, in gid order.
    template <class F>
    void for_each_source_range(F&& f) const {
        const bool dense = !dense_offsets_.empty();
        for (std::size_t i = 0; i < sources_.size(); ++i)
            f(dense ? static_cast<std::size_t>(sources_[i] - dense_base_) : i, offsets_[i], offsets_[i + 1]);
    }

private:
    std::pair<std::uint64_t, std::uint64_t> sparse_range(gid_type source) const;
    keyed_range sparse_range_and_key(gid_type source) const;

    // Pass 2: index of `source` in sources_.
    std::size_t slot_of(gid_type source) const;

    // Sorted distinct sources and their entry ranges [offsets_[i],
    // offsets_[i+1]). When sources are dense (at least 1 in 8 of the gids
    // between the first and the last source), a direct index by gid -
    // dense_base_ replaces the binary search. Nothing here is sized by the
    // network: every array is bounded by a small multiple of the group's own
    // connections, so a process of a distributed run holds only its share.
    std::vector<gid_type> sources_;
    std::vector<std::uint64_t> offsets_;
    gid_type dense_base_ = 0;                  // first source
    std::vector<std::uint64_t> dense_offsets_; // size last - first source + 2, or empty
    // During the build only.
    std::vector<std::uint32_t> slot_in_span_; // per gid - span_base_ (dense spans), or empty: binary search
    gid_type span_base_ = 0;
    std::vector<std::uint64_t> cursor_;  // per source: next free entry
};

// Called once per connection while an index is built: the checked
// connection onto gid `target`, its group site, and the position of its entry
// in the index (entry_position() of that entry later).
using connection_observer =
    std::function<void(const connection& c, gid_type target, std::uint32_t site, std::uint64_t position)>;

template <class Entry>
class connection_index : public connection_index_layout {
public:
    // Indexes the connections onto the cells `gids` (in group order).
    // make(c, target, site) returns the entry of a checked connection c onto
    // gid `target`, group site number `site`; it may throw user_error
    // (through connection_error) for what only its mode rejects.
    template <class Make>
    connection_index(const recipe& model, std::span<const gid_type> gids, const site_numbering& sites,
                     Make&& make, const connection_observer& observe = {}) {
        plan(model, gids);
        entries_.resize(size());
        for (std::uint32_t local = 0; local < gids.size(); ++local) {
            for (const connection& c : model.connections_on(gids[local])) {
                check_connection_values(c, gids[local]);
                const std::uint32_t site = sites.site(local, gids[local], c);
                const std::uint64_t position = next_slot(c.source);
                entries_[position] = make(c, gids[local], site);
                if (observe) observe(c, gids[local], site, position);
                else if (!c.extra_weights.empty()) no_extra_weights(c, gids[local]);
            }
        }
        finish();
    }

    // The position of an entry of from() in the index (a connection's
    // number in the group, as connection_observer saw it).
    std::uint64_t entry_position(const Entry& e) const {
        return static_cast<std::uint64_t>(&e - entries_.data());
    }

    // Entries of connections from `source` into the group (empty if none).
    std::span<const Entry> from(gid_type source) const {
        const auto [begin, end] = range(source);
        return {entries_.data() + begin, entries_.data() + end};
    }
    std::uint64_t bytes() const { return entries_.capacity() * sizeof(Entry) + layout_bytes(); }

    // from() with the source's key (connection_index_layout::source_keys).
    struct keyed_entries {
        std::span<const Entry> entries;
        std::size_t key;
    };
    keyed_entries from_keyed(gid_type source) const {
        const keyed_range r = range_and_key(source);
        return {{entries_.data() + r.begin, entries_.data() + r.end}, r.key};
    }
    // f(key, entries) for every source that has entries into the group.
    template <class F>
    void for_each_source(F&& f) const {
        for_each_source_range([&](std::size_t key, std::uint64_t begin, std::uint64_t end) {
            f(key, std::span<const Entry>(entries_.data() + begin, entries_.data() + end));
        });
    }

private:
    std::vector<Entry> entries_;
};

} // namespace ranvier
