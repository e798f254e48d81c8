// NET_RECEIVE's arguments kept per connection (docs/nmodl.md, "Events"):
// NEURON's NetCon weight vector, which NET_RECEIVE may assign and which
// persists between events (an STDP rule's last spike time). A cable group
// keeps one for its incoming connections, indexed by the connection's entry
// position in the group's connection table, so it lives with the target cell:
// spikes cross threads and processes carrying only the source gid, and the
// values never depend on how the network is split.
// Only connections onto mechanisms with per_connection_arguments() get
// storage; the others keep the table's single weight, as before.
#pragma once

#include "cable/mechanisms/mechanism.hpp"

#include <ranvier/recipe.hpp>

#include <cstdint>
#include <limits>
#include <vector>

namespace ranvier {

class connection_arguments {
public:
    static constexpr std::uint32_t none = std::numeric_limits<std::uint32_t>::max();

    // While the table is built: connection c onto gid `target` at table
    // position `position` reaches an instance of `type` (the synapse's
    // mechanism) with cell-local handle `where`. Checks extra_weights against
    // the NET_RECEIVE arguments (user_error naming the connection and them).
    void add(const connection& c, gid_type target, std::uint64_t position, const cable::mechanism_type& type,
             std::uint32_t cell, std::size_t mechanism, std::size_t instance);
    // After the table: its size (the positions without storage are `none`).
    void finish(std::uint64_t table_size);

    bool empty() const { return slots_.empty(); }
    // The storage of the connection at `position`, or null (nargs 0).
    double* at(std::uint64_t position, std::uint32_t& nargs) {
        if (slot_of_.empty()) return nargs = 0, nullptr;
        const std::uint32_t k = slot_of_[position];
        if (k == none) return nargs = 0, nullptr;
        nargs = slots_[k].nargs;
        return values_.data() + slots_[k].offset;
    }
    // f(cell, mechanism, instance, args, nargs) per connection with storage,
    // in the order they were added (group cell order, then recipe order).
    template <class F>
    void for_each(F&& f) {
        for (const slot& s : slots_) f(s.cell, s.mechanism, s.instance, values_.data() + s.offset, s.nargs);
    }
    std::uint64_t bytes() const {
        return values_.capacity() * sizeof(double) + slot_of_.capacity() * sizeof(std::uint32_t) +
               slots_.capacity() * sizeof(slot);
    }

private:
    struct slot {
        std::uint64_t offset, position;
        std::uint32_t nargs, cell;
        std::size_t mechanism, instance;
    };
    std::vector<double> values_;
    std::vector<slot> slots_;
    std::vector<std::uint32_t> slot_of_; // per table position
};

} // namespace ranvier
