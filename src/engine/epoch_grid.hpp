// The grid on which the variable-step engines end their advances.
#pragma once

#include "time/time_grid.hpp"

#include <algorithm>
#include <cstdint>

namespace ranvier {

// The end of the epoch after `now` on the grid k * epoch (ms), or t_stop if
// earlier: used by bsp-variable and async-variable alike, so both cut time at
// the same points however a run was interrupted and continued.
inline double epoch_end(double now, double epoch, double t_stop) {
    const time_grid grid(epoch);
    return std::min(t_stop, grid.time_of(grid.last_at_or_before(now) + 1));
}

// The epoch of the fixed-step engines, in steps: the shortest delay in the
// network (`min_delay_steps`, UINT32_MAX without connections), or 1 ms
// (at least one step) without connections, so output keeps streaming.
inline std::int64_t fixed_epoch_steps(std::uint32_t min_delay_steps, const time_grid& grid) {
    return min_delay_steps != UINT32_MAX ? min_delay_steps
                                         : std::max<std::int64_t>(1, grid.nearest(1.0));
}

} // namespace ranvier
