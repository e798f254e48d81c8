// The limits of a run that depend on the options alone (run_limits.hpp):
// pure functions, so the model reader and the front ends can name their own
// key or option with the same words the simulation uses.
#include <ranvier/run_limits.hpp>

#include <cmath>
#include <cstdio>
#include <string>

namespace ranvier {

namespace {

std::string number(double x) {
    char text[32];
    std::snprintf(text, sizeof text, "%g", x);
    return text;
}

} // namespace

std::string dt_problem(double dt) {
    if (dt >= min_dt && dt <= max_dt) return {};
    return "the time step must be a number of ms from " + number(min_dt) + " to " + number(max_dt) +
           ", got " + number(dt) + " (NEURON's default is 0.025 ms; Brunel's network uses 0.1 ms)";
}

std::string run_length_problem(time_type t_stop, double dt) {
    if (!std::isfinite(t_stop) || t_stop < 0)
        return "t_stop must be a finite, non-negative time in ms, got " + number(t_stop);
    if (!(dt > 0) || !std::isfinite(dt)) return dt_problem(dt);
    const double steps = t_stop / dt;
    if (steps <= static_cast<double>(max_steps)) return {};
    return "t_stop = " + number(t_stop) + " ms is " + number(steps) + " steps of dt = " + number(dt) +
           " ms, more than the " + number(static_cast<double>(max_steps)) +
           " (2^50) steps a run can count; use t_stop <= " +
           number(static_cast<double>(max_steps) * dt) + " ms or a larger dt";
}

} // namespace ranvier
