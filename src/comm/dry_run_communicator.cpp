// The dry run's pretend world (see dry_run_communicator.hpp).
#include "comm/dry_run_communicator.hpp"

#include <ranvier/errors.hpp>

#include <cstdio>
#include <cstdlib>
#include <string>

namespace ranvier {

namespace {

// A real all-gather of the spikes sends, per rank, one (byte count, stop
// wish) pair and then the spikes (mpi_communicator::gather_spikes).
constexpr std::uint64_t exchange_header_bytes = 2 * sizeof(std::int64_t);

// More than this many bytes of copies in one all_gather means a caller
// that should have asked for what it needs only (docs/scaling.md).
constexpr std::uint64_t max_all_gather_bytes = std::uint64_t{1} << 30;

} // namespace

dry_run_communicator::dry_run_communicator(int processes, int rank) : size_(processes), rank_(rank) {
    if (processes < 1)
        throw user_error("a dry run needs a world of at least 1 process, got " + std::to_string(processes));
    if (rank < 0 || rank >= processes)
        throw user_error("the dry run's rank must be from 0 to " + std::to_string(processes - 1) +
                         " (the world has " + std::to_string(processes) + " processes), got " +
                         std::to_string(rank));
}

std::uint64_t dry_run_communicator::sum_for_me(std::span<const std::uint64_t> for_each_process) {
    std::uint64_t total = 0;
    for (const std::uint64_t x : for_each_process) total += x;
    return total;
}

std::vector<spike> dry_run_communicator::gather_spikes(std::vector<spike> local, bool&) {
    const auto n = static_cast<std::uint64_t>(local.size());
    const auto ranks = static_cast<std::uint64_t>(size_);
    ++exchange_.epochs;
    exchange_.local_spikes += n;
    exchange_.max_local_spikes = std::max(exchange_.max_local_spikes, n);
    exchange_.bytes_sent += exchange_header_bytes + n * sizeof(spike);
    exchange_.bytes_received += ranks * (exchange_header_bytes + n * sizeof(spike));
    // Every rank's wish to stop is this one's: `stop` passes through.
    std::vector<spike> copies;
    append_copies(local, copies);
    exchange_.copies += copies.size();
    local.insert(local.end(), copies.begin(), copies.end());
    std::sort(local.begin(), local.end(), spike_before);
    return local;
}

std::vector<byte_buffer> dry_run_communicator::all_gather(std::span<const std::byte> local) {
    const std::uint64_t total = static_cast<std::uint64_t>(size_) * local.size();
    if (total > max_all_gather_bytes)
        throw internal_error("dry run: an all-gather of " + std::to_string(local.size()) + " bytes from " +
                             std::to_string(size_) +
                             " pretend processes would copy more than 1 GB; its caller must handle the "
                             "dry run itself (docs/scaling.md)");
    return std::vector<byte_buffer>(static_cast<std::size_t>(size_), byte_buffer(local.begin(), local.end()));
}

std::vector<byte_buffer> dry_run_communicator::gather_to_root(std::span<const std::byte> local) {
    // This process writes the output whichever rank it plays; the other
    // ranks' samples are not simulated.
    return {byte_buffer(local.begin(), local.end())};
}

void dry_run_communicator::abort(int status) {
    std::fflush(stdout);
    std::fflush(stderr);
    std::exit(status);
}

void dry_run_communicator::post_send(int dest, int tag, byte_buffer bytes) {
    if (dest < 0 || dest >= size_ || dest == rank_)
        throw internal_error("dry run: a message to process " + std::to_string(dest) + " of " +
                             std::to_string(size_) + " from " + std::to_string(rank_));
    count_send(tag, bytes.size());
    tag_counts& t = messages_[tag];
    if (t.sent_to.empty()) t.sent_to.assign(static_cast<std::size_t>(size_), false);
    ++t.counts.messages;
    t.counts.bytes += bytes.size();
    if (!t.sent_to[static_cast<std::size_t>(dest)]) {
        t.sent_to[static_cast<std::size_t>(dest)] = true;
        ++t.counts.destinations;
    }
}

dry_run_communicator::message_counts dry_run_communicator::messages(int tag) const {
    const auto it = messages_.find(tag);
    return it == messages_.end() ? message_counts{} : it->second.counts;
}

void dry_run_communicator::set_bounds(std::vector<gid_type> bounds) {
    if (bounds.size() != static_cast<std::size_t>(size_) + 1)
        throw internal_error("dry run: " + std::to_string(bounds.size()) + " range boundaries for " +
                             std::to_string(size_) + " processes");
    bounds_ = std::move(bounds);
}

int dry_run_communicator::owner(gid_type gid) const {
    const auto it = std::upper_bound(bounds_.begin(), bounds_.end() - 1, gid);
    return static_cast<int>(it - bounds_.begin()) - 1;
}

void dry_run_communicator::expect_sources(std::span<const std::span<const gid_type>> lists) {
    const gid_type begin = bounds_.at(static_cast<std::size_t>(rank_));
    const gid_type cells = bounds_.at(static_cast<std::size_t>(rank_) + 1) - begin;
    // Two passes over the groups' own lists (count, then fill) instead of
    // one merged list of pairs: at N = 10^5 a rank's sources are nearly all
    // distinct and elsewhere, and a merged copy would double this model's
    // memory, which is not the engine's (docs/scaling.md).
    const auto for_each_remote = [&](auto&& use) {
        for (const auto& list : lists)
            for (const gid_type s : list) {
                const int p = owner(s);
                if (p == rank_) continue;
                use(s, s - bounds_[static_cast<std::size_t>(p)]);
            }
    };
    copy_offsets_.assign(static_cast<std::size_t>(cells) + 1, 0);
    exchange_.sources_without_counterpart = 0;
    for_each_remote([&](gid_type, gid_type index) {
        // A rank whose range is longer than K's (N does not divide the
        // cells) has cells no cell of K stands for: they stay silent.
        if (index >= cells) ++exchange_.sources_without_counterpart;
        else ++copy_offsets_[static_cast<std::size_t>(index) + 1];
    });
    for (std::size_t i = 1; i < copy_offsets_.size(); ++i) copy_offsets_[i] += copy_offsets_[i - 1];
    std::vector<gid_type>().swap(copy_gids_);
    copy_gids_.resize(copy_offsets_.back());
    std::vector<std::uint64_t> next(copy_offsets_.begin(), copy_offsets_.end() - 1);
    for_each_remote([&](gid_type s, gid_type index) {
        if (index < cells) copy_gids_[next[index]++] = s;
    });
    std::vector<std::uint64_t>().swap(next);
    // Groups share sources: one copy per gid, or a spike would arrive twice.
    std::uint64_t kept = 0;
    for (std::size_t i = 0; i + 1 < copy_offsets_.size(); ++i) {
        const auto first = copy_gids_.begin() + static_cast<std::ptrdiff_t>(copy_offsets_[i]);
        const auto last = copy_gids_.begin() + static_cast<std::ptrdiff_t>(copy_offsets_[i + 1]);
        std::sort(first, last);
        const auto end = std::unique(first, last);
        copy_offsets_[i] = kept;
        kept = static_cast<std::uint64_t>(std::copy(first, end, copy_gids_.begin() + static_cast<std::ptrdiff_t>(kept)) -
                                          copy_gids_.begin());
    }
    copy_offsets_.back() = kept;
    copy_gids_.resize(kept);
    copy_gids_.shrink_to_fit();
}

std::uint64_t dry_run_communicator::model_bytes() const {
    return copy_offsets_.capacity() * sizeof(std::uint64_t) + copy_gids_.capacity() * sizeof(gid_type);
}

void dry_run_communicator::append_copies(std::span<const spike> local, std::vector<spike>& into) const {
    if (copy_gids_.empty()) return;
    const gid_type begin = bounds_[static_cast<std::size_t>(rank_)];
    for (const spike& sp : local) {
        const auto index = static_cast<std::size_t>(sp.gid - begin);
        if (index + 1 >= copy_offsets_.size())
            throw internal_error("dry run: a local spike of gid " + std::to_string(sp.gid) +
                                 " outside this rank's range");
        for (std::uint64_t c = copy_offsets_[index]; c < copy_offsets_[index + 1]; ++c)
            into.push_back({copy_gids_[c], sp.time});
    }
}

} // namespace ranvier
