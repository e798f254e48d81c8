// Description of an artificial cell: an instance of an NMODL ARTIFICIAL_CELL
// mechanism (NEURON's IntFire1, IntervalFire, ...) that is a cell of its own,
// with no membrane. Its state changes only when an event arrives (a
// connection's, or one it sent itself with net_send, possibly moved with
// net_move); it spikes by net_event. Connections onto it give NET_RECEIVE's
// arguments: `weight` the first (a plain number in the .mod file's unit),
// `extra_weights` the others. Runs in all four modes with events at their
// exact times (docs/nmodl.md, "Artificial cells"; model files:
// docs/model-file.md, "Artificial cells").
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace ranvier {

struct artificial_cell {
    // An ARTIFICIAL_CELL of the recipe's catalogue (recipe::mechanisms()).
    std::string mechanism;
    // PARAMETER values by name, in the units the .mod file declares (the
    // others keep their defaults).
    std::vector<std::pair<std::string, double>> parameters{};
};

} // namespace ranvier
