// Probe resolution for cable cells (see cable_probe_resolution.hpp).
#include "cells/cable/cable_probe_resolution.hpp"
#include "cable/cable_cell_lowering.hpp"

#include <ranvier/errors.hpp>

#include <algorithm>
#include <cmath>

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
    if (p.variable == "i_membrane_" || p.variable == "i_membrane") {
        target.membrane = p.variable == "i_membrane_" ? cable_probe_target::membrane_current::nA
                                                      : cable_probe_target::membrane_current::density;
        // children within the cell (its nodes only: a group may hold many cells)
        const std::int32_t local = target.node - node_offset;
        for (std::size_t k = 0; k < tree.size(); ++k)
            if (tree.parent[k] == local) target.children.push_back(node_offset + static_cast<std::int32_t>(k));
        for (std::size_t m = 0; m < cell_state.mechanism_count(); ++m) {
            const auto& mechanism = cell_state.mechanism_at(m);
            const int current = mechanism.type().observable_index("i");
            if (!mechanism.type().electrode_current || current < 0) continue;
            const auto& nodes = mechanism.data().node_index;
            for (std::size_t k = 0; k < nodes.size(); ++k)
                if (nodes[k] == target.node)
                    target.electrodes.push_back(
                        {static_cast<std::int32_t>(m), static_cast<std::int32_t>(k), current});
        }
        return target;
    }

    const auto dot = p.variable.find('.');
    const std::string mech = p.variable.substr(0, dot);
    const std::string state = dot == std::string::npos ? "" : p.variable.substr(dot + 1);
    for (std::size_t m = 0; m < cell_state.mechanism_count(); ++m)
        if (cell_state.mechanism_at(m).type().name == mech)
            target.mechanism = static_cast<std::int32_t>(m);
    if (target.mechanism < 0)
        throw user_error(what +
                         ": valid variables are 'v', 'i_membrane_' (total membrane current, nA), "
                         "'i_membrane' (mA/cm2) and '<mechanism>.<state>' of a mechanism on "
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

namespace {

// Total membrane current at t.node (nA): axial inflow plus electrode
// currents. Axial conductances from the Hines coefficients: b[i] =
// -100/(r_i area_i) and a[c] = -100/(r_c area_parent) (mA/cm² per mV, µm²),
// so 1/r (µS, nA per mV) = -b[i] area_i / 100 = -a[c] area_i / 100.
double membrane_current_nA(const cable_probe_target& t, const cable::cable_state& state, const double* v,
                           double electrode_time) {
    const auto& nodes = state.nodes();
    const auto i = static_cast<std::size_t>(t.node);
    const double scale = -0.01 * nodes.area[i];
    double in = 0;
    if (const std::int32_t p = nodes.parent[i]; p >= 0)
        in += scale * nodes.b[i] * (v[static_cast<std::size_t>(p)] - v[i]);
    for (const std::int32_t c : t.children)
        in += scale * nodes.a[static_cast<std::size_t>(c)] * (v[static_cast<std::size_t>(c)] - v[i]);
    for (const auto& e : t.electrodes) { // injected current, inward (depolarising) > 0
        const auto& mechanism = state.mechanism_at(static_cast<std::size_t>(e.mechanism));
        in += mechanism.observe(static_cast<std::size_t>(e.observable), static_cast<std::size_t>(e.instance),
                                v[i], mechanism.own_states(), electrode_time);
    }
    return in;
}

} // namespace

double sample_cable_probe(const cable_probe_target& t, const cable::cable_state& state, const double* v,
                          double time, double electrode_time) {
    if (t.membrane != cable_probe_target::membrane_current::none) {
        const double nA = membrane_current_nA(t, state, v, std::isnan(electrode_time) ? time : electrode_time);
        if (t.membrane == cable_probe_target::membrane_current::nA) return nA;
        // mA/cm²: 1 nA over area µm² is 100/area mA/cm² (zero-area nodes: area 100, current 0)
        return nA * 100.0 / state.nodes().area[static_cast<std::size_t>(t.node)];
    }
    if (t.mechanism < 0) return v[static_cast<std::size_t>(t.node)];
    const auto& m = state.mechanism_at(static_cast<std::size_t>(t.mechanism));
    const auto instance = static_cast<std::size_t>(t.instance);
    if (t.state >= 0) return m.own_states()[static_cast<std::size_t>(t.state)][instance];
    return m.observe(static_cast<std::size_t>(t.observable), instance, v[static_cast<std::size_t>(t.node)],
                     m.own_states(), time);
}

} // namespace ranvier
