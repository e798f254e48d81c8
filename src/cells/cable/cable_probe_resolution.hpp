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
#include <limits>
#include <string>
#include <vector>

namespace ranvier {

// What a probe reads: the voltage of `node`, state `state` of instance
// `instance` of mechanism `mechanism`, or the total membrane current at
// `node` (i_membrane_, nA; i_membrane, mA/cm²).
struct cable_probe_target {
    std::int32_t node = -1;       // node in the cable_state
    std::int32_t mechanism = -1;  // index in the cable_state, -1 for "v" and the membrane current
    std::int32_t state = -1;      // index in the mechanism's states (-1: an observable)
    std::int32_t observable = -1; // index in its observables ("hh.ina"), or -1
    std::int32_t instance = -1;   // the mechanism's instance at `node`

    // The total membrane current (capacitive + every membrane mechanism's,
    // electrode currents excluded: NEURON's i_membrane_) by Kirchhoff's law:
    // what flows into the node along the cable plus what electrodes inject
    // there. The fixed step's solution satisfies this exactly, as CVODE's
    // does at any time, so one formula serves every mode.
    enum class membrane_current : std::uint8_t { none, nA, density };
    membrane_current membrane = membrane_current::none;
    std::vector<std::int32_t> children;                          // nodes whose parent is `node`
    struct electrode {
        std::int32_t mechanism, instance, observable; // its observable "i" (nA, inward > 0)
    };
    std::vector<electrode> electrodes; // at `node`
};

// The value `t` reads from `state` (voltages `v` by node) at time `time`.
// `electrode_time` is when electrode currents count for the membrane
// current: the fixed step evaluates them at the step's midpoint (NEURON),
// so its samples at the step's end pass time - dt/2; NaN means `time`.
double sample_cable_probe(const cable_probe_target& t, const cable::cable_state& state, const double* v,
                          double time, double electrode_time = std::numeric_limits<double>::quiet_NaN());

// "cell 3: probe 0 ('hh.m')": the prefix of every error about probe k of a cell.
std::string cable_probe_name(const std::string& who, std::uint32_t k, const probe& p);

// Resolves `p` (variable "v", "i_membrane_", "i_membrane" or
// "<mechanism>.<state>"; location empty for the
// detector's) on cell `c`, discretised as `tree`, whose nodes start at
// `node_offset` in the built `cell_state`. Throws user_error prefixed by `what`
// (see cable_probe_name) for a bad location, mechanism, state, or a mechanism
// absent at that location.
cable_probe_target resolve_cable_probe(const probe& p, const cable_cell& c,
                                       const cable::cv_tree& tree,
                                       const cable::cable_state& cell_state,
                                       std::int32_t node_offset, const std::string& what);

} // namespace ranvier
