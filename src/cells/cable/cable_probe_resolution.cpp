// Probe resolution for cable cells (see cable_probe_resolution.hpp).
#include "cells/cable/cable_probe_resolution.hpp"
#include "cable/cable_cell_lowering.hpp"

#include <ranvier/errors.hpp>

#include <algorithm>

namespace ranvier {

std::string cable_probe_name(const std::string& who, std::uint32_t k, const probe& p) {
    return who + ": probe " + std::to_string(k) + " ('" + p.variable + "')";
}

cable_probe_target resolve_cable_probe(const probe& p, const cable_cell& c,
                                       const cable::cv_tree& tree,
                                       const cable::cable_state& cell_state,
                                       std::int32_t node_offset, const std::string& what) {
    const cable_location where =
        p.location.empty() ? c.detector.location : parse_cable_location(p.location, what);
    cable_probe_target target;
    target.node = node_offset + node_of(c, tree, where, what);
    if (p.variable == "v") return target;

    const auto dot = p.variable.find('.');
    const std::string mech = p.variable.substr(0, dot);
    const std::string state = dot == std::string::npos ? "" : p.variable.substr(dot + 1);
    for (std::size_t m = 0; m < cell_state.mechanism_count(); ++m)
        if (cell_state.mechanism_at(m).type().name == mech)
            target.mechanism = static_cast<std::int32_t>(m);
    if (target.mechanism < 0)
        throw user_error(what +
                         ": valid variables are 'v' and '<mechanism>.<state>' of a mechanism on "
                         "the cell, e.g. 'hh.m'; '" +
                         mech + "' is not one");
    const auto& mechanism = cell_state.mechanism_at(static_cast<std::size_t>(target.mechanism));
    target.state = mechanism.type().state_index(state);
    if (target.state < 0) target.observable = mechanism.type().observable_index(state);
    if (target.state < 0 && target.observable < 0) {
        std::string list;
        for (const auto& s : mechanism.type().states) list += (list.empty() ? "" : ", ") + s.name;
        std::string derived;
        for (const auto& s : mechanism.type().observables)
            derived += (derived.empty() ? "" : ", ") + s.name + " (" + s.unit + ")";
        throw user_error(what + ": " + mech + " has no state or current '" + state +
                         "' (states: " + (list.empty() ? "none" : list) +
                         "; currents and conductances: " + (derived.empty() ? "none" : derived) + ")");
    }
    // Instances are listed by node; the probe reads the one at its node.
    const auto& nodes = mechanism.data().node_index;
    const auto it = std::find(nodes.begin(), nodes.end(), target.node);
    if (it == nodes.end()) throw user_error(what + ": no " + mech + " at " + to_string(where));
    target.instance = static_cast<std::int32_t>(it - nodes.begin());
    return target;
}

double sample_cable_probe(const cable_probe_target& t, const cable::cable_state& state, const double* v,
                          double time) {
    if (t.mechanism < 0) return v[static_cast<std::size_t>(t.node)];
    const auto& m = state.mechanism_at(static_cast<std::size_t>(t.mechanism));
    const auto instance = static_cast<std::size_t>(t.instance);
    if (t.state >= 0) return m.own_states()[static_cast<std::size_t>(t.state)][instance];
    return m.observe(static_cast<std::size_t>(t.observable), instance, v[static_cast<std::size_t>(t.node)],
                     m.own_states(), time);
}

} // namespace ranvier
