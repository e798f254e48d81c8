// MPI implementation of the communicator (compiled with RANVIER_MPI only).
#if RANVIER_MPI
#include "comm/mpi_communicator.hpp"

#include <ranvier/errors.hpp>

#include <algorithm>
#include <climits>
#include <cstdio>
#include <numeric>
#include <string>

namespace ranvier {

namespace {

// MPI counts are ints: a message of more than 2 GB is refused with a
// message instead of overflowing silently.
int byte_count(std::uint64_t n, const char* what) {
    if (n > static_cast<std::uint64_t>(INT_MAX))
        throw user_error(std::string("a distributed ") + what + " of " + std::to_string(n) +
                         " bytes is more than one MPI message can carry (2 GB): use shorter "
                         "delays or fewer cells per process");
    return static_cast<int>(n);
}

// Displacements of variable-sized parts laid end to end; checks the total.
std::vector<int> displacements(const std::vector<int>& counts, const char* what) {
    std::vector<int> displs(counts.size(), 0);
    std::uint64_t total = 0;
    for (std::size_t i = 0; i < counts.size(); ++i) {
        displs[i] = byte_count(total, what);
        total += static_cast<std::uint64_t>(counts[i]);
    }
    byte_count(total, what);
    return displs;
}

} // namespace

mpi_communicator::mpi_communicator(MPI_Comm comm) {
    MPI_Comm_dup(comm, &comm_);
    MPI_Comm_rank(comm_, &rank_);
    MPI_Comm_size(comm_, &size_);
}

mpi_communicator::~mpi_communicator() {
    int finalized = 0;
    MPI_Finalized(&finalized);
    if (!finalized && comm_ != MPI_COMM_NULL) MPI_Comm_free(&comm_);
}

std::vector<spike> mpi_communicator::gather_spikes(std::vector<spike> local, bool& stop) {
    // One exchange of (bytes, stop wish) per process, then the spikes.
    const std::int64_t mine[2] = {byte_count(local.size() * sizeof(spike), "spike exchange"), stop ? 1 : 0};
    std::vector<std::int64_t> all(2 * static_cast<std::size_t>(size_));
    const double waiting_since = MPI_Wtime();
    MPI_Allgather(mine, 2, MPI_INT64_T, all.data(), 2, MPI_INT64_T, comm_);
    wait_s_ += MPI_Wtime() - waiting_since;
    std::vector<int> counts(static_cast<std::size_t>(size_));
    for (int p = 0; p < size_; ++p) {
        counts[static_cast<std::size_t>(p)] = static_cast<int>(all[2 * static_cast<std::size_t>(p)]);
        stop = stop || all[2 * static_cast<std::size_t>(p) + 1] != 0;
    }
    const std::vector<int> displs = displacements(counts, "spike exchange");
    const std::uint64_t total = static_cast<std::uint64_t>(displs.back()) + static_cast<std::uint64_t>(counts.back());
    std::vector<spike> spikes(total / sizeof(spike));
    MPI_Allgatherv(local.data(), counts[static_cast<std::size_t>(rank_)], MPI_BYTE, spikes.data(),
                   counts.data(), displs.data(), MPI_BYTE, comm_);
    // Each part is sorted and gids are disjoint between parts: merging the
    // sorted runs gives the one (time, gid) order of a single process.
    // Merged in pairs, log2(P) rounds over the whole buffer: merging each part
    // into the growing prefix would move about P/2 times every spike (P^2
    // work per epoch; docs/scaling.md).
    const auto P = static_cast<std::size_t>(size_);
    std::vector<std::size_t> starts(P + 1); // part p: [starts[p], starts[p + 1]) in spikes
    for (std::size_t p = 0; p < P; ++p) starts[p + 1] = starts[p] + static_cast<std::size_t>(counts[p]) / sizeof(spike);
    const auto at = [&](std::size_t p) { return spikes.begin() + static_cast<std::ptrdiff_t>(starts[std::min(p, P)]); };
    for (std::size_t width = 1; width < P; width *= 2)
        for (std::size_t p = 0; p + width < P; p += 2 * width)
            std::inplace_merge(at(p), at(p + width), at(p + 2 * width), spike_before);
    return spikes;
}

std::vector<byte_buffer> mpi_communicator::all_gather(std::span<const std::byte> local) {
    const int mine = byte_count(local.size(), "exchange");
    std::vector<int> counts(static_cast<std::size_t>(size_));
    MPI_Allgather(&mine, 1, MPI_INT, counts.data(), 1, MPI_INT, comm_);
    const std::vector<int> displs = displacements(counts, "exchange");
    byte_buffer all(static_cast<std::size_t>(displs.back()) + static_cast<std::size_t>(counts.back()));
    MPI_Allgatherv(local.data(), mine, MPI_BYTE, all.data(), counts.data(), displs.data(), MPI_BYTE, comm_);
    std::vector<byte_buffer> parts;
    for (int p = 0; p < size_; ++p) {
        const auto begin = all.begin() + displs[static_cast<std::size_t>(p)];
        parts.emplace_back(begin, begin + counts[static_cast<std::size_t>(p)]);
    }
    return parts;
}

std::vector<byte_buffer> mpi_communicator::gather_to_root(std::span<const std::byte> local) {
    const int mine = byte_count(local.size(), "gather");
    std::vector<int> counts(rank_ == 0 ? static_cast<std::size_t>(size_) : 0);
    MPI_Gather(&mine, 1, MPI_INT, counts.data(), 1, MPI_INT, 0, comm_);
    if (rank_ != 0) {
        MPI_Gatherv(local.data(), mine, MPI_BYTE, nullptr, nullptr, nullptr, MPI_BYTE, 0, comm_);
        return {};
    }
    const std::vector<int> displs = displacements(counts, "gather");
    byte_buffer all(static_cast<std::size_t>(displs.back()) + static_cast<std::size_t>(counts.back()));
    MPI_Gatherv(local.data(), mine, MPI_BYTE, all.data(), counts.data(), displs.data(), MPI_BYTE, 0, comm_);
    std::vector<byte_buffer> parts;
    for (int p = 0; p < size_; ++p) {
        const auto begin = all.begin() + displs[static_cast<std::size_t>(p)];
        parts.emplace_back(begin, begin + counts[static_cast<std::size_t>(p)]);
    }
    return parts;
}

double mpi_communicator::min(double x) {
    double r = x;
    MPI_Allreduce(&x, &r, 1, MPI_DOUBLE, MPI_MIN, comm_);
    return r;
}

double mpi_communicator::max(double x) {
    double r = x;
    MPI_Allreduce(&x, &r, 1, MPI_DOUBLE, MPI_MAX, comm_);
    return r;
}

std::uint64_t mpi_communicator::sum(std::uint64_t x) {
    std::uint64_t r = x;
    MPI_Allreduce(&x, &r, 1, MPI_UINT64_T, MPI_SUM, comm_);
    return r;
}

std::vector<std::uint64_t> mpi_communicator::min_each(std::vector<std::uint64_t> values) {
    const int count = byte_count(values.size(), "min_each");
    MPI_Allreduce(MPI_IN_PLACE, values.data(), count, MPI_UINT64_T, MPI_MIN, comm_);
    return values;
}

std::uint64_t mpi_communicator::sum_for_me(std::span<const std::uint64_t> for_each_process) {
    if (for_each_process.size() != static_cast<std::size_t>(size_))
        throw internal_error("sum_for_me: one value per process is needed");
    std::uint64_t mine = 0;
    MPI_Reduce_scatter_block(for_each_process.data(), &mine, 1, MPI_UINT64_T, MPI_SUM, comm_);
    return mine;
}

void mpi_communicator::post_send(int dest, int tag, byte_buffer bytes) {
    const int count = byte_count(bytes.size(), "message");
    count_send(tag, bytes.size());
    pending_send& s = sends_.emplace_back();
    s.bytes = std::move(bytes);
    MPI_Isend(s.bytes.data(), count, MPI_BYTE, dest, tag, comm_, &s.request);
}

std::optional<communicator::message> mpi_communicator::poll(int tag) {
    int arrived = 0;
    MPI_Status status;
    MPI_Iprobe(MPI_ANY_SOURCE, tag, comm_, &arrived, &status);
    if (!arrived) return std::nullopt;
    int count = 0;
    MPI_Get_count(&status, MPI_BYTE, &count);
    message m;
    m.source = status.MPI_SOURCE;
    m.bytes.resize(static_cast<std::size_t>(count));
    MPI_Recv(m.bytes.data(), count, MPI_BYTE, status.MPI_SOURCE, tag, comm_, MPI_STATUS_IGNORE);
    return m;
}

bool mpi_communicator::sends_done() {
    for (auto it = sends_.begin(); it != sends_.end();) {
        int done = 0;
        MPI_Test(&it->request, &done, MPI_STATUS_IGNORE);
        it = done ? sends_.erase(it) : std::next(it);
    }
    return sends_.empty();
}

void mpi_communicator::abort(int status) {
    std::fflush(stdout);
    std::fflush(stderr);
    MPI_Abort(comm_, status);
    std::_Exit(status); // MPI_Abort does not return; if it did, end this process at least
}

} // namespace ranvier
#endif
