// Time on a grid of fixed spacing: the one place that turns times in ms into
// step numbers and back, with the rounding and the allowance for times
// written in decimal (0.3 ms is not 3 x 0.1 ms in binary). Used by the
// fixed-step engines and groups (steps of dt), probe intervals, connection
// delays and the epoch grid of the variable-step engines (steps of the
// epoch).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>

namespace ranvier {

// Allowance, in ms, when comparing times that are equal in exact arithmetic
// but computed by different sums (k c + c against (k + 1) c).
inline constexpr double time_tolerance_ms = 1e-9;

class time_grid {
public:
    // Relative allowance, in steps: a time within a billionth of a step of a
    // grid point counts as on it.
    static constexpr double tolerance = 1e-9;
    // Relative allowance for a duration to count as a whole number of steps
    // (probe intervals): a millionth of a step.
    static constexpr double whole_steps_tolerance = 1e-6;

    explicit constexpr time_grid(double step_ms) : step_(step_ms) {}

    constexpr double step() const { return step_; } // ms

    // The time of grid point k (ms).
    constexpr double time_of(std::int64_t k) const { return static_cast<double>(k) * step_; }

    // t in steps, unrounded.
    constexpr double in_steps(double t) const { return t / step_; }

    // The grid point nearest t: for times that are grid points up to
    // rounding (spike times stamped k dt). |t| must be below 2^62 steps.
    std::int64_t nearest(double t) const { return std::llround(t / step_); }

    // The number of steps nearest the duration d, as a double (no overflow
    // for any d: callers check the range before converting).
    double rounded_steps(double d) const { return std::round(d / step_); }

    // The first grid point at or after t; t within `tolerance` of a point
    // counts as on it. +infinity gives the largest step number.
    // Beyond the steps an int64 counts: never reached (the largest step
    // number; the conversion of such a double would be undefined).
    std::int64_t first_at_or_after(double t) const {
        return saturated(std::ceil(t / step_ - tolerance));
    }

    // The grid point ending the step a spike at t was emitted in: the
    // spike's stamp for grid spikes (k dt, computed as time_of(k): t / dt is
    // k within a few ulp, for any k), and for the exact times of artificial
    // cells (t in ((k-1) dt, k dt]) the end of the step whose events made
    // it. The allowance is relative (4 ulp of k), not time_grid::tolerance:
    // at 10^7 steps a grid stamp's t / dt may be one ulp (2e-9) above k.
    std::int64_t emission_end(double t) const {
        const double x = t / step_;
        const double k = std::round(x);
        if (std::fabs(x - k) <= 4 * std::numeric_limits<double>::epsilon() * std::max(1.0, std::fabs(k)))
            return saturated(k);
        return saturated(std::ceil(x));
    }

    // The last grid point at or before t, with the same allowance (saturated
    // in the same way).
    std::int64_t last_at_or_before(double t) const {
        return saturated(std::floor(t / step_ + tolerance));
    }

    // Is the duration d shorter than one step, beyond the allowance?
    constexpr bool shorter_than_one_step(double d) const { return d < step_ * (1 - tolerance); }

    // d as a whole number (>= 1) of steps, within `whole_steps_tolerance`;
    // nothing if it is not one.
    std::optional<std::int64_t> whole_steps(double d) const {
        const double steps = d / step_;
        const double whole = std::round(steps);
        if (!(whole >= 1) || !(std::fabs(steps - whole) <= whole_steps_tolerance * std::max(1.0, whole)))
            return std::nullopt;
        return static_cast<std::int64_t>(whole);
    }

private:
    // A whole number of steps as int64, clamped to the representable range
    // (NaN, which no caller passes, gives the largest).
    static std::int64_t saturated(double steps) {
        if (steps >= 0x1p63 || steps != steps) return std::numeric_limits<std::int64_t>::max();
        if (steps < -0x1p63) return std::numeric_limits<std::int64_t>::min();
        return static_cast<std::int64_t>(steps);
    }

    double step_;
};

} // namespace ranvier
