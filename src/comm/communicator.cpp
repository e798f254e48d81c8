// The communicator's generic collectives (communicator.hpp).
#include "comm/communicator.hpp"

#include <ranvier/errors.hpp>

namespace ranvier {

// The generic forms, from all_gather (O(N) per process of memory each
// process copies N times); mpi_communicator overrides them with MPI's
// reductions, which do not.
std::vector<std::uint64_t> communicator::min_each(std::vector<std::uint64_t> values) {
    for (const byte_buffer& part : all_gather(as_bytes_of(std::span<const std::uint64_t>(values)))) {
        const std::vector<std::uint64_t> theirs = values_of<std::uint64_t>(part);
        if (theirs.size() != values.size()) throw internal_error("min_each: the processes gave different lengths");
        for (std::size_t k = 0; k < values.size(); ++k) values[k] = std::min(values[k], theirs[k]);
    }
    return values;
}

std::uint64_t communicator::sum_for_me(std::span<const std::uint64_t> for_each_process) {
    if (for_each_process.size() != static_cast<std::size_t>(size()))
        throw internal_error("sum_for_me: one value per process is needed");
    std::uint64_t total = 0;
    for (const byte_buffer& part : all_gather(as_bytes_of(for_each_process)))
        total += values_of<std::uint64_t>(part).at(static_cast<std::size_t>(rank()));
    return total;
}

} // namespace ranvier
