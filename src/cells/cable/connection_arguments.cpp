#include "cells/cable/connection_arguments.hpp"
#include "cells/connection_index.hpp"

#include <ranvier/errors.hpp>

#include <algorithm>
#include <cmath>
#include <string>

namespace ranvier {

void connection_arguments::add(const connection& c, gid_type target, std::uint64_t position,
                               const cable::mechanism_type& type, std::uint32_t cell, std::size_t mechanism,
                               std::size_t instance) {
    const auto& names = type.event_arguments;
    if (c.extra_weights.size() + 1 > std::max<std::size_t>(names.size(), 1)) {
        std::string list;
        for (const auto& n : names) list += (list.empty() ? "" : ", ") + n;
        connection_error(c, target,
                         "gives " + std::to_string(c.extra_weights.size() + 1) + " weights (weight and " +
                             std::to_string(c.extra_weights.size()) + " extra_weights), but its target " +
                             type.name +
                             (names.size() <= 1 ? " has no NET_RECEIVE arguments beyond the weight"
                                            : " takes " + std::to_string(names.size()) + " (NET_RECEIVE(" + list +
                                                  "))"));
    }
    if (!c.extra_weights.empty() && !type.has_net_receive_initial)
        connection_error(c, target,
                         "gives extra_weights, but " + type.name +
                             "'s NET_RECEIVE has no INITIAL block: NEURON sets the arguments after the weight "
                             "to 0 at initialisation then (NetCon weight[1..] are lost at finitialize), and so "
                             "does Ranvier; set them in an INITIAL block inside NET_RECEIVE");
    for (const double w : c.extra_weights)
        if (!std::isfinite(w)) connection_error(c, target, "extra_weights must be finite numbers");
    if (!type.per_connection_arguments()) return;
    const auto nargs = static_cast<std::uint32_t>(names.size());
    slots_.push_back({values_.size(), position, nargs, cell, mechanism, instance});
    // weight[0] as the table holds it (single precision), so a mechanism
    // sees the same first argument whether or not it keeps storage; the
    // others as given; arguments not given start at 0 (NEURON's NetCon).
    values_.push_back(static_cast<double>(static_cast<float>(c.weight)));
    for (std::uint32_t k = 1; k < nargs; ++k)
        values_.push_back(k - 1 < c.extra_weights.size() ? c.extra_weights[k - 1] : 0.0);
}

void connection_arguments::finish(std::uint64_t table_size) {
    if (slots_.empty()) return;
    if (slots_.size() >= none) throw user_error("a cable group has more than 2^32 connections keeping NET_RECEIVE arguments; use a smaller group_size");
    slot_of_.assign(table_size, none);
    for (std::size_t k = 0; k < slots_.size(); ++k) slot_of_[slots_[k].position] = static_cast<std::uint32_t>(k);
    values_.shrink_to_fit();
}

} // namespace ranvier
