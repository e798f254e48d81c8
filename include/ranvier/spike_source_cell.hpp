// Description of a spike source: a cell without inputs or state that emits
// spikes onto its targets through ordinary connections. It emits the union of
//   - a Poisson process of `rate`, active in [start, stop): independent per
//     cell, drawn from the counter-based stream (seed, spike_source, 0, gid),
//     so its spikes never depend on how the network is split;
//   - the explicit `times` (ms, any order; repeated times are repeated spikes).
// A recipe returns it from cell(gid) with kind(gid) == cell_kind::spike_source;
// connections onto it, Poisson or current inputs and probes on it are errors.
//
// In the fixed-step modes a spike at time t is emitted in the step that ends
// at the first grid point at or after t, and stamped there:
//   t in ((k-1)*dt, k*dt]  ->  stamped k*dt (k >= 1; t = 0 is stamped dt),
// with times within a billionth of a step of a grid point counted as on it.
// A spike is thus never early, and at most one step late; times on the grid
// are reproduced exactly. The variable-step modes keep exact times.
#pragma once

#include <ranvier/types.hpp>

#include <string>
#include <vector>

namespace ranvier {

struct spike_source_cell {
    double rate = 0.0;              // Hz, Poisson rate (0: none)
    double start = 0.0;             // ms, the Poisson process starts here
    double stop = time_infinity;    // ms, and emits only before this
    std::vector<double> times;      // ms, explicit spike times (>= 0)
};

// Throws user_error naming `where` and the offending field if a value is
// non-finite or out of range (rate >= 0, start >= 0, stop > start, times >= 0).
void validate(const spike_source_cell& cell, const std::string& where);

} // namespace ranvier
