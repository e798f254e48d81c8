// A pretend distributed run (docs/scaling.md, "Dry run"; the idea of Arbor's
// dry_run_context): one real process plays rank K of a world of N processes
// and builds only K's share of the network. What the other N - 1 ranks would
// do is modelled, not simulated: each of them is taken to behave exactly as
// rank K does, shifted by its gid offset (a spike of K's cell at index i of
// its range at time t stands for a spike of every rank r's cell at index i of
// r's range at t). That holds on average for statistically homogeneous
// networks (Brunel's, a ring) and for nothing else.
//
// What each operation answers:
// - gather_spikes: K's own spikes plus the shifted copies of them that K's
//   cells have connections from (expect_sources), merged in (time, gid)
//   order. Copies nobody local needs are never made: the work and memory
//   follow K's connections, not N. The counters record what a real
//   all-gather would move: K sends its spikes, and receives N times as many.
// - all_gather: N copies of K's bytes (every rank gave the same);
//   gather_to_root: K's bytes alone (this process is the one that writes
//   the output, whichever K it plays); min, max: the value; sum: N times it.
// - post_send: counted (per tag: messages, bytes, distinct destinations)
//   and dropped; poll: nothing ever arrives. The asynchronous engine models
//   what other ranks send with copies(), as gather_spikes does
//   (src/engine/async_engine.cpp).
#pragma once

#include "comm/communicator.hpp"

#include <map>

namespace ranvier {

class dry_run_communicator final : public communicator {
public:
    // A world of `processes` ranks in which this process is rank `rank`.
    dry_run_communicator(int processes, int rank);

    int rank() const override { return rank_; }
    int size() const override { return size_; }
    std::vector<spike> gather_spikes(std::vector<spike> local, bool& stop) override;
    std::vector<byte_buffer> all_gather(std::span<const std::byte> local) override;
    std::vector<byte_buffer> gather_to_root(std::span<const std::byte> local) override;
    double min(double x) override { return x; }
    double max(double x) override { return x; }
    std::uint64_t sum(std::uint64_t x) override { return x * static_cast<std::uint64_t>(size_); }
    // Every rank is a shifted copy of this one: the minimum is the value.
    std::vector<std::uint64_t> min_each(std::vector<std::uint64_t> values) override { return values; }
    // Rank q gives K what K gives rank 2K - q (the shift q - K): summed over
    // q, everything K gives.
    std::uint64_t sum_for_me(std::span<const std::uint64_t> for_each_process) override;
    [[noreturn]] void abort(int status) override;

    void post_send(int dest, int tag, byte_buffer bytes) override;
    std::optional<message> poll(int) override { return std::nullopt; }
    bool sends_done() override { return true; }

    // The ranks' gid ranges (N + 1 boundaries; from decompose()).
    void set_bounds(std::vector<gid_type> bounds);
    const std::vector<gid_type>& bounds() const { return bounds_; }
    int owner(gid_type gid) const;
    // The gids this rank's cells have connections from: one list per cell
    // group (each sorted; lists may share gids), any rank's. Only the other
    // ranks' among them get copies.
    void expect_sources(std::span<const std::span<const gid_type>> lists);
    // The memory of the copy model itself (not the engine's): part of the
    // peak memory a real rank would not have.
    std::uint64_t model_bytes() const;
    // Appends the copies of K's `local` spikes that stand for other ranks'
    // spikes K's cells need (unsorted).
    void append_copies(std::span<const spike> local, std::vector<spike>& into) const;

    // What rank K would have sent and received, so far.
    struct exchange_counts {
        std::uint64_t epochs = 0;            // spike all-gathers (bsp)
        std::uint64_t local_spikes = 0;      // K's spikes put into them
        std::uint64_t max_local_spikes = 0;  // the most K put into one
        std::uint64_t bytes_sent = 0;        // K's part of them (count, stop flag, spikes)
        std::uint64_t bytes_received = 0;    // every rank's parts: N times K's
        std::uint64_t copies = 0;            // modelled spikes handed to K's cells
        std::uint64_t sources_without_counterpart = 0; // of shorter ranges (docs/scaling.md)
    };
    struct message_counts {
        std::uint64_t messages = 0, bytes = 0;
        std::uint64_t destinations = 0; // distinct ranks sent to
    };
    const exchange_counts& exchanges() const { return exchange_; }
    message_counts messages(int tag) const;

private:
    int size_, rank_;
    std::vector<gid_type> bounds_;
    // For each cell of K's range (by index): the other ranks' gids at that
    // index that K's cells need, as offsets into copy_gids_ (CSR).
    std::vector<std::uint64_t> copy_offsets_;
    std::vector<gid_type> copy_gids_;
    exchange_counts exchange_;
    struct tag_counts {
        message_counts counts;
        std::vector<bool> sent_to; // per rank
    };
    std::map<int, tag_counts> messages_;
};

} // namespace ranvier
