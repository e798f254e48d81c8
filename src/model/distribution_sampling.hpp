// Drawing values from a ranvier::distribution with a counter-based stream,
// and the bounds of what a distribution can produce (for validation).
#pragma once

#include "random/counter_rng.hpp"

#include <ranvier/errors.hpp>
#include <ranvier/network_model.hpp>

#include <cmath>
#include <limits>

namespace ranvier {

// Draws one value. Bounded normal/lognormal draws are redrawn until they fall
// in [low, high]; the loader checks the bounds keep at least 0.1% of the
// probability mass, so the cap below is only hit by a distribution built by
// hand with hopeless bounds.
inline double draw(const distribution& d, counter_rng& rng) {
    constexpr int max_redraws = 1'000'000;
    auto inside = [&](double x) {
        return (!d.low || x >= *d.low) && (!d.high || x <= *d.high);
    };
    switch (d.type) {
    case distribution::kind::constant: return d.a;
    case distribution::kind::uniform: return d.a + (d.b - d.a) * rng.uniform();
    case distribution::kind::normal:
        for (int i = 0; i < max_redraws; ++i) {
            const double x = d.a + d.b * rng.normal();
            if (inside(x)) return x;
        }
        break;
    case distribution::kind::lognormal:
        for (int i = 0; i < max_redraws; ++i) {
            const double magnitude = std::exp(d.a + d.b * rng.normal());
            const double x = d.negative ? -magnitude : magnitude;
            if (inside(x)) return x;
        }
        break;
    }
    throw user_error("a distribution's bounds [low, high] exclude almost all of its values");
}

// The smallest value `d` can produce (for a lognormal without `low`: 0, which
// it never reaches; for an unbounded normal: -infinity).
inline double lowest_value(const distribution& d) {
    constexpr double inf = std::numeric_limits<double>::infinity();
    switch (d.type) {
    case distribution::kind::constant: return d.a;
    case distribution::kind::uniform: return d.a;
    case distribution::kind::normal: return d.low.value_or(-inf);
    case distribution::kind::lognormal: return d.low.value_or(d.negative ? -inf : 0.0);
    }
    return -inf;
}

// True if every draw of `d` is the same value.
inline bool is_constant(const distribution& d) { return d.type == distribution::kind::constant; }

} // namespace ranvier
