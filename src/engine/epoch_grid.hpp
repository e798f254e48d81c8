// The grid on which the variable-step engines end their advances.
#pragma once

#include <algorithm>
#include <cmath>

namespace ranvier {

// The end of the epoch after `now` on the grid k * epoch (ms), or t_stop if
// earlier: used by bsp-variable and async-variable alike, so both cut time at
// the same points however a run was interrupted and continued.
inline double epoch_end(double now, double epoch, double t_stop) {
    const double k = std::floor(now / epoch + 1e-9) + 1;
    return std::min(t_stop, k * epoch);
}

} // namespace ranvier
