// Resolving a probe on a cable cell to what a cell group samples: the node of
// its location and, for a mechanism state ("hh.m"), the mechanism, state and
// instance in the built cable_state. Shared by the fixed-step and the CVODE
// cable groups so that both accept the same probes with the same errors.
#pragma once

#include "cable/cable_state.hpp"
#include "cable/cv_tree.hpp"

#include <ranvier/cable_cell.hpp>
#include <ranvier/recipe.hpp>

#include <cstdint>
#include <string>

namespace ranvier {

// What a probe reads: the voltage of `node`, or state `state` of instance
// `instance` of mechanism `mechanism`.
struct cable_probe_target {
    std::int32_t node = -1;       // node in the cable_state
    std::int32_t mechanism = -1;  // index in the cable_state, -1 for "v"
    std::int32_t state = -1;      // index in the mechanism's states (-1: an observable)
    std::int32_t observable = -1; // index in its observables ("hh.ina"), or -1
    std::int32_t instance = -1;   // the mechanism's instance at `node`
};

// The value `t` reads from `state` (voltages `v` by node) at time `time`.
double sample_cable_probe(const cable_probe_target& t, const cable::cable_state& state, const double* v,
                          double time);

// "cell 3: probe 0 ('hh.m')": the prefix of every error about probe k of a cell.
std::string cable_probe_name(const std::string& who, std::uint32_t k, const probe& p);

// Resolves `p` (variable "v" or "<mechanism>.<state>"; location empty for the
// detector's) on cell `c`, discretised as `tree`, whose nodes start at
// `node_offset` in the built `cell_state`. Throws user_error prefixed by `what`
// (see cable_probe_name) for a bad location, mechanism, state, or a mechanism
// absent at that location.
cable_probe_target resolve_cable_probe(const probe& p, const cable_cell& c,
                                       const cable::cv_tree& tree,
                                       const cable::cable_state& cell_state,
                                       std::int32_t node_offset, const std::string& what);

} // namespace ranvier
