// Counter-based random numbers (Random123 Philox-4x64-10).
//
// A stream is identified by (seed, purpose, index, subject): e.g. the Poisson
// input number 3 of gid 42, or the connectivity of projection 1 onto gid 42.
// Because the numbers are a pure function of that key and a counter, a
// network and its inputs come out the same however cells are split over
// threads or processes.
#pragma once

#include <Random123/philox.h>

#include <cmath>
#include <cstdint>
#include <numbers>

namespace ranvier {

enum class stream_purpose : std::uint64_t {
    connectivity = 1, // choosing sources/targets of a projection
    weights = 2,      // drawing weights and delays of a projection
    initial_state = 3,// drawing initial values of a population
    poisson = 4,      // Poisson inputs
    spike_source = 5, // Poisson spike sources (one stream per source cell, index 0)
};

class counter_rng {
public:
    counter_rng(std::uint64_t seed, stream_purpose purpose, std::uint64_t index,
                std::uint64_t subject) {
        key_ = {{seed, (static_cast<std::uint64_t>(purpose) << 48) ^ index}};
        ctr_ = {{subject, 0, 0, 0}};
    }

    // Positions the stream at block `block` (4 numbers per block): random
    // access, e.g. one block per time step.
    void seek(std::uint64_t block) {
        ctr_.v[1] = block;
        used_ = 4;
    }

    // Positions the stream at number `position` (block position/4, lane
    // position%4): the n-th number of a stream is the same however it is reached.
    void seek_number(std::uint64_t position) {
        ctr_.v[1] = position / 4;
        refill();
        used_ = static_cast<unsigned>(position % 4);
    }

    std::uint64_t next_u64() {
        if (used_ == 4) refill();
        return out_.v[used_++];
    }

    // Uniform in [0, 1) with 53 random bits.
    double uniform() { return static_cast<double>(next_u64() >> 11) * 0x1.0p-53; }

    // Uniform in (0, 1]: safe for log().
    double uniform_open0() { return (static_cast<double>(next_u64() >> 11) + 1.0) * 0x1.0p-53; }

    // Uniform integer in [0, n), n > 0, without modulo bias (Lemire's method).
    std::uint64_t below(std::uint64_t n) {
        for (;;) {
            const unsigned __int128 m = static_cast<unsigned __int128>(next_u64()) * n;
            const auto low = static_cast<std::uint64_t>(m);
            if (low >= n || low >= (-n) % n) return static_cast<std::uint64_t>(m >> 64);
        }
    }

    // Standard normal (Box–Muller, one value per call: keeps the stream simple).
    double normal() {
        const double u1 = uniform_open0(), u2 = uniform();
        return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
    }

private:
    void refill() {
        out_ = r123::Philox4x64()(ctr_, key_);
        ++ctr_.v[1];
        used_ = 0;
    }

    r123::Philox4x64::key_type key_;
    r123::Philox4x64::ctr_type ctr_;
    r123::Philox4x64::ctr_type out_{};
    unsigned used_ = 4;
};

} // namespace ranvier
