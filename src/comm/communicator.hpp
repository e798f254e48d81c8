// How the processes of a distributed run talk to each other (the engine's
// view; docs/architecture.md, "Distributed execution"). The in-process
// communicator is the identity; mpi_communicator (src/comm/mpi_communicator,
// built with RANVIER_MPI) implements the same operations with MPI
// collectives. Every operation here is collective: every process of the
// communicator calls it, in the same order.
#pragma once

#include <ranvier/types.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <map>
#include <optional>
#include <span>
#include <type_traits>
#include <vector>

namespace ranvier {

using byte_buffer = std::vector<std::byte>;

class communicator {
public:
    virtual ~communicator() = default;
    virtual int rank() const = 0;
    virtual int size() const = 0;

    // Takes this process's spikes of an epoch (sorted by time, then gid) and
    // returns every process's spikes of the epoch, sorted the same way (gids
    // are owned by one process each, so the order is total and the same for
    // any number of processes). `stop` goes in as this process's wish to stop
    // after the epoch and comes out true if any process wished it, so every
    // process ends at the same epoch.
    virtual std::vector<spike> gather_spikes(std::vector<spike> local, bool& stop) = 0;

    // Every process's bytes, in rank order, on every process.
    virtual std::vector<byte_buffer> all_gather(std::span<const std::byte> local) = 0;
    // Every process's bytes on rank 0 (in rank order); an empty list elsewhere.
    virtual std::vector<byte_buffer> gather_to_root(std::span<const std::byte> local) = 0;

    // The smallest and the largest value over the processes; the sum.
    virtual double min(double x) = 0;
    virtual double max(double x) = 0;
    virtual std::uint64_t sum(std::uint64_t x) = 0;
    // The element-wise minimum of every process's `values` (all of one
    // length), on every process: O(length) per process, where an all_gather
    // would hold every process's copy (N^2 for length N).
    virtual std::vector<std::uint64_t> min_each(std::vector<std::uint64_t> values);
    // Each process gives one value per process (`for_each_process[q]`, q in
    // rank order); this returns the sum of the values given for this one
    // (MPI_Reduce_scatter_block): a process learns, say, how many others
    // will send to it without anyone holding the whole N x N table.
    virtual std::uint64_t sum_for_me(std::span<const std::uint64_t> for_each_process);

    // Ends every process with `status` (MPI_Abort), for an error seen by
    // this process alone.
    [[noreturn]] virtual void abort(int status) = 0;

    // Point-to-point messages of the asynchronous engine (not collective;
    // called by one thread at a time, under the engine's lock).
    struct message {
        int source = 0;
        byte_buffer bytes;
    };
    // Starts sending `bytes` to process `dest` without waiting for it to be
    // received; the communicator keeps the buffer until the send completes.
    // Messages between two processes with one tag arrive in order.
    virtual void post_send(int dest, int tag, byte_buffer bytes) = 0;
    // A message with `tag` that has arrived from any process, if one has;
    // never blocks.
    virtual std::optional<message> poll(int tag) = 0;
    // Completes the sends that have finished; true when none is pending.
    virtual bool sends_done() = 0;

    // The point-to-point messages this process has sent with `tag` so far
    // (the summary's per-process message counts; docs/scaling.md).
    struct send_counts {
        std::uint64_t messages = 0, bytes = 0;
    };
    send_counts sent(int tag) const {
        const auto it = sent_.find(tag);
        return it == sent_.end() ? send_counts{} : it->second;
    }

    // Seconds this process spent waiting for the others in gather_spikes
    // (the first, small exchange of each epoch: it completes when the last
    // process arrives), so the summary can tell waiting from moving data.
    virtual double wait_seconds() const { return 0; }

protected:
    void count_send(int tag, std::size_t bytes) {
        send_counts& c = sent_[tag];
        ++c.messages;
        c.bytes += bytes;
    }

private:
    std::map<int, send_counts> sent_;
};

class local_communicator final : public communicator {
public:
    int rank() const override { return 0; }
    int size() const override { return 1; }
    std::vector<spike> gather_spikes(std::vector<spike> local, bool&) override { return local; }
    std::vector<byte_buffer> all_gather(std::span<const std::byte> local) override {
        return {byte_buffer(local.begin(), local.end())};
    }
    std::vector<byte_buffer> gather_to_root(std::span<const std::byte> local) override {
        return {byte_buffer(local.begin(), local.end())};
    }
    double min(double x) override { return x; }
    double max(double x) override { return x; }
    std::uint64_t sum(std::uint64_t x) override { return x; }
    std::vector<std::uint64_t> min_each(std::vector<std::uint64_t> values) override { return values; }
    std::uint64_t sum_for_me(std::span<const std::uint64_t> v) override { return v.empty() ? 0 : v[0]; }
    [[noreturn]] void abort(int status) override;
    // One process has nobody to send to.
    void post_send(int, int, byte_buffer) override { no_peers(); }
    std::optional<message> poll(int) override { return std::nullopt; }
    bool sends_done() override { return true; }

private:
    [[noreturn]] static void no_peers();
};

// Typed views of the byte operations, for plain (trivially copyable) records.
template <class T>
std::span<const std::byte> as_bytes_of(std::span<const T> values) {
    static_assert(std::is_trivially_copyable_v<T>);
    return std::as_bytes(values);
}

template <class T>
std::vector<T> values_of(const byte_buffer& bytes) {
    static_assert(std::is_trivially_copyable_v<T>);
    std::vector<T> values(bytes.size() / sizeof(T));
    if (!values.empty()) std::memcpy(values.data(), bytes.data(), values.size() * sizeof(T));
    return values;
}

// One record per process, in rank order, on every process.
template <class T>
std::vector<T> all_gather_one(communicator& comm, const T& value) {
    std::vector<T> all;
    for (const byte_buffer& b : comm.all_gather(as_bytes_of(std::span<const T>(&value, 1))))
        all.push_back(values_of<T>(b).at(0));
    return all;
}

// Every process's records on rank 0, concatenated in rank order (empty elsewhere).
template <class T>
std::vector<T> gather_to_root(communicator& comm, std::span<const T> local) {
    std::vector<T> all;
    for (const byte_buffer& b : comm.gather_to_root(as_bytes_of(local))) {
        const std::vector<T> part = values_of<T>(b);
        all.insert(all.end(), part.begin(), part.end());
    }
    return all;
}

} // namespace ranvier
