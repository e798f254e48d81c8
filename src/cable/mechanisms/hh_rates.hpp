// The rate functions of NEURON's hh.mod (procedure `rates` and function
// `vtrap`), evaluated directly (no lookup table: usetable_hh = 0), written
// branch-free over a vectorisable exp so that loops over instances
// vectorise. Shared by the hh mechanism and its tests.
#pragma once

#include "cable/mechanisms/fast_exp.hpp"

#include <cmath>

namespace ranvier::cable::hh_model {

// x/(exp(x/y) - 1) with its removable singularity at x = 0 handled as
// hh.mod does: the first two Taylor terms when |x/y| < 1e-6.
[[gnu::always_inline]] inline double vtrap(double x, double y) {
    const double ratio = x / y;
    const double taylor = y * (1 - ratio / 2);
    const double direct = x / (fast_exp(ratio) - 1); // 0/0 at x = 0: not selected then
    return std::fabs(ratio) < 1e-6 ? taylor : direct;
}

// Steady states (1) and time constants (ms) of m, h, n at v (mV); q10 (1)
// is 3^((celsius - 6.3)/10).
struct rates {
    double minf, mtau, hinf, htau, ninf, ntau;
};

[[gnu::always_inline]] inline rates rates_at(double v, double q10) {
    rates r;
    double alpha = .1 * vtrap(-(v + 40), 10);
    double beta = 4 * fast_exp(-(v + 65) / 18);
    double sum = alpha + beta;
    r.mtau = 1 / (q10 * sum);
    r.minf = alpha / sum;
    alpha = .07 * fast_exp(-(v + 65) / 20);
    beta = 1 / (fast_exp(-(v + 35) / 10) + 1);
    sum = alpha + beta;
    r.htau = 1 / (q10 * sum);
    r.hinf = alpha / sum;
    alpha = .01 * vtrap(-(v + 55), 10);
    beta = .125 * fast_exp(-(v + 65) / 80);
    sum = alpha + beta;
    r.ntau = 1 / (q10 * sum);
    r.ninf = alpha / sum;
    return r;
}

inline double q10_at(double celsius_degC) { return std::pow(3.0, (celsius_degC - 6.3) / 10); }

} // namespace ranvier::cable::hh_model
