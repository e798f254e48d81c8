// The communicator of a distributed run over MPI (built with RANVIER_MPI).
// Only src/comm/ includes <mpi.h>; the engine sees the communicator interface.
#pragma once

#include "comm/communicator.hpp"

#include <mpi.h>

#include <list>

namespace ranvier {

class mpi_communicator final : public communicator {
public:
    // Duplicates `comm`, so Ranvier's messages never meet the caller's.
    explicit mpi_communicator(MPI_Comm comm);
    ~mpi_communicator() override;
    mpi_communicator(const mpi_communicator&) = delete;
    mpi_communicator& operator=(const mpi_communicator&) = delete;

    int rank() const override { return rank_; }
    int size() const override { return size_; }
    std::vector<spike> gather_spikes(std::vector<spike> local, bool& stop) override;
    std::vector<byte_buffer> all_gather(std::span<const std::byte> local) override;
    std::vector<byte_buffer> gather_to_root(std::span<const std::byte> local) override;
    double min(double x) override;
    double max(double x) override;
    std::uint64_t sum(std::uint64_t x) override;
    std::vector<std::uint64_t> min_each(std::vector<std::uint64_t> values) override;
    std::uint64_t sum_for_me(std::span<const std::uint64_t> for_each_process) override;
    [[noreturn]] void abort(int status) override;

    void post_send(int dest, int tag, byte_buffer bytes) override;
    std::optional<message> poll(int tag) override;
    bool sends_done() override;
    double wait_seconds() const override { return wait_s_; }

    MPI_Comm handle() const { return comm_; }

private:
    MPI_Comm comm_ = MPI_COMM_NULL;
    int rank_ = 0, size_ = 1;
    double wait_s_ = 0;
    struct pending_send {
        byte_buffer bytes;
        MPI_Request request = MPI_REQUEST_NULL;
    };
    std::list<pending_send> sends_; // stable addresses while MPI owns them
};

} // namespace ranvier
