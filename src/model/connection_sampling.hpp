// Drawing the cells a connection rule picks: sets of cells as gid ranges,
// and samplers of k indices out of n with or without repetition. They write
// into a caller's vector (for connections_on: the result itself) so that
// building connections allocates nothing else.
#pragma once

#include "random/counter_rng.hpp"

#include <ranvier/errors.hpp>
#include <ranvier/types.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

namespace ranvier {

// The cells of a list of populations, concatenated in the order given.
// Adjacent ranges are merged, so the usual case is a single range.
class gid_ranges {
public:
    void append(gid_type first, gid_type count) {
        if (count == 0) return;
        if (!ranges_.empty() && ranges_.back().first + ranges_.back().second == first)
            ranges_.back().second += count;
        else
            ranges_.emplace_back(first, count);
        size_ += count;
    }

    std::uint64_t size() const { return size_; }

    gid_type at(std::uint64_t index) const {
        for (const auto& [first, count] : ranges_) {
            if (index < count) return static_cast<gid_type>(first + index);
            index -= count;
        }
        throw internal_error("gid_ranges::at: index out of range");
    }

    std::optional<std::uint64_t> index_of(gid_type gid) const {
        std::uint64_t offset = 0;
        for (const auto& [first, count] : ranges_) {
            if (gid >= first && gid - first < count) return offset + (gid - first);
            offset += count;
        }
        return std::nullopt;
    }

    bool contiguous() const { return ranges_.size() <= 1; }
    // (first gid, count) of each run, in index order.
    const std::vector<std::pair<gid_type, gid_type>>& runs() const { return ranges_; }
    gid_type first() const { return ranges_.empty() ? 0 : ranges_.front().first; }

private:
    std::vector<std::pair<gid_type, gid_type>> ranges_; // (first gid, count)
    std::uint64_t size_ = 0;
};

// Uniform integers in [0, n), 0 < n < 2^32, two per 64-bit random number
// (Lemire's multiply-and-reject on 32 bits, no modulo bias): half the
// generator work of counter_rng::below, which dominates building connections.
class index_drawer {
public:
    index_drawer(counter_rng& rng, std::uint64_t n)
        : rng_(rng), n_(static_cast<std::uint32_t>(n)), threshold_((0u - n_) % n_) {
        if (n == 0 || n > 0xFFFF'FFFFull) throw internal_error("index_drawer: n out of range");
    }

    std::uint32_t next() {
        for (;;) {
            const std::uint64_t m = static_cast<std::uint64_t>(next32()) * n_;
            if (static_cast<std::uint32_t>(m) >= threshold_) return static_cast<std::uint32_t>(m >> 32);
        }
    }

private:
    std::uint32_t next32() {
        if (has_spare_) {
            has_spare_ = false;
            return spare_;
        }
        const std::uint64_t x = rng_.next_u64();
        spare_ = static_cast<std::uint32_t>(x >> 32);
        has_spare_ = true;
        return static_cast<std::uint32_t>(x);
    }

    counter_rng& rng_;
    std::uint32_t n_;
    std::uint32_t threshold_; // 2^32 mod n: lower products are rejected
    std::uint32_t spare_ = 0;
    bool has_spare_ = false;
};

// Appends k indices drawn uniformly from [0, n) with repetition, in the
// order drawn (not sorted: sorting took twice as long as drawing, and the
// engine orders connections by source itself).
// `key(item)` gives a reference to the index field of an item.
template <class T, class Key>
void sample_with_repetition(counter_rng& rng, std::uint64_t n, std::uint64_t k, std::vector<T>& out, Key key) {
    if (k == 0) return;
    index_drawer draw(rng, n);
    const std::size_t begin = out.size();
    out.resize(begin + k);
    for (std::size_t i = begin; i < out.size(); ++i) key(out[i]) = draw.next();
}

// Appends k distinct indices drawn uniformly from [0, n), sorted; k <= n.
// Every k-subset is equally likely:
//  - k a large share of n: selection sampling (Knuth's algorithm S), one
//    uniform per candidate, picking i with probability (still needed)/(left);
//  - otherwise: the first k distinct values of a stream of uniform draws,
//    found by drawing the missing number, sorting and removing repeats until
//    k remain (about k + k^2/2n draws).
template <class T, class Key>
void sample_without_repetition(counter_rng& rng, std::uint64_t n, std::uint64_t k, std::vector<T>& out,
                               Key key) {
    if (k > n) throw internal_error("sample_without_repetition: k > n");
    const std::size_t begin = out.size();
    const auto first = [&] { return out.begin() + static_cast<std::ptrdiff_t>(begin); };
    const auto by_key = [&](const T& a, const T& b) { return key(a) < key(b); };
    if (4 * k >= n) {
        out.resize(begin + k);
        std::uint64_t chosen = 0;
        for (std::uint64_t i = 0; i < n && chosen < k; ++i)
            if (static_cast<double>(n - i) * rng.uniform() < static_cast<double>(k - chosen))
                key(out[begin + chosen++]) = static_cast<std::uint32_t>(i);
        return;
    }
    if (k == 0) return;
    index_drawer draw(rng, n);
    std::size_t have = 0;
    while (have < k) {
        out.resize(begin + k);
        for (std::size_t i = begin + have; i < begin + k; ++i) key(out[i]) = draw.next();
        std::sort(first(), out.end(), by_key);
        const auto last = std::unique(first(), out.end(),
                                      [&](const T& a, const T& b) { return key(a) == key(b); });
        have = static_cast<std::size_t>(last - first());
        out.resize(begin + have);
    }
}

// Appends the indices in [0, n) picked independently with probability p,
// in increasing order, by geometric skips (one draw per picked index).
template <class T, class Key>
void sample_bernoulli(counter_rng& rng, std::uint64_t n, double p, std::vector<T>& out, Key key) {
    if (!(p > 0)) return;
    const double log_miss = std::log1p(-p); // -inf when p == 1: no skips
    std::uint64_t next = 0;
    for (;;) {
        const double skip = std::floor(std::log(rng.uniform_open0()) / log_miss);
        if (!(skip < static_cast<double>(n - next))) return; // also when skip is NaN/inf
        next += static_cast<std::uint64_t>(skip);
        out.emplace_back();
        key(out.back()) = static_cast<std::uint32_t>(next);
        if (++next >= n) return;
    }
}

} // namespace ranvier
