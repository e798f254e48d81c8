// How spikes travel between the parts of a distributed run. The in-process
// communicator is the identity; an MPI one (later) gathers from all ranks
// through the same interface.
#pragma once

#include <ranvier/types.hpp>

#include <vector>

namespace ranvier {

class communicator {
public:
    virtual ~communicator() = default;
    virtual int rank() const = 0;
    virtual int size() const = 0;
    // Takes this part's spikes of an epoch (sorted by time, then gid) and
    // returns every part's spikes of the epoch, sorted the same way.
    virtual std::vector<spike> gather_spikes(std::vector<spike> local) = 0;
};

class local_communicator final : public communicator {
public:
    int rank() const override { return 0; }
    int size() const override { return 1; }
    std::vector<spike> gather_spikes(std::vector<spike> local) override { return local; }
};

} // namespace ranvier
