// The sampling interval of a probe in a fixed-step group, in steps: probes
// sample at the end of steps, so the interval must be a whole number of
// steps; anything else would silently sample at other times than asked.
#pragma once

#include <ranvier/errors.hpp>
#include <ranvier/recipe.hpp>

#include "time/time_grid.hpp"

#include <cmath>
#include <cstdint>
#include <string>

namespace ranvier {

// `who` names the probe in the error ("cell 3: probe 0 ('v')").
inline std::int64_t probe_interval_steps(const probe& p, double dt, const std::string& who) {
    if (!(p.interval > 0) || !std::isfinite(p.interval))
        throw user_error(who + ": interval must be a positive number of ms, got " + std::to_string(p.interval));
    // time_grid::whole_steps allows a millionth of a step: intervals written
    // in decimal (0.3 ms at dt 0.1) are not exact multiples in binary.
    const auto steps = time_grid(dt).whole_steps(p.interval);
    if (!steps)
        throw user_error(who + ": interval " + std::to_string(p.interval) +
                         " ms is not a whole number of time steps (dt = " + std::to_string(dt) +
                         " ms); the fixed-step modes sample at the end of steps");
    return *steps;
}

} // namespace ranvier
