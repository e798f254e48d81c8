// The rate functions of NEURON's hh.mod (procedure `rates` and function
// `vtrap`), evaluated directly (no lookup table: usetable_hh = 0), written
// branch-free over a vectorisable exp so that loops over instances
// vectorise. Used by the hh mechanism.
//
// Six exponentials of v share three: with u = exp(-(v+40)/10) and
// w = exp(-(v+65)/80), exp(-(v+35)/10) = e^0.5 u, exp(-(v+55)/10) = e^-1.5 u
// and exp(-(v+65)/20) = w^4. The results differ from hh.mod's direct
// formulas by a few ulp (roundoff), not in method.
#pragma once

#include "cable/mechanisms/fast_exp.hpp"

#include <cmath>

namespace ranvier::cable::reference::hh_model {

// x/(exp_ratio - 1), with exp_ratio = exp(x/y), and its removable
// singularity at x = 0 handled as hh.mod does: the first two Taylor terms
// when |x/y| < 1e-6 (a select, not a branch). x/y is formed as x * (1/y):
// y is a constant here, so that is a multiplication, not a division.
[[gnu::always_inline]] inline double vtrap(double x, double y, double exp_ratio) {
    const double ratio = x * (1 / y);
    const double taylor = y * (1 - ratio / 2);
    const double direct = x / (exp_ratio - 1); // 0/0 at x = 0: not selected then
    return std::fabs(ratio) < 1e-6 ? taylor : direct;
}

// Steady states (1) and rates 1/tau (1/ms) of m, h, n at v (mV); q10 (1) is
// 3^((celsius - 6.3)/10). The state update needs 1/tau, so it is not
// formed as a reciprocal of tau.
struct rate_terms {
    double minf, mrate, hinf, hrate, ninf, nrate;
};

[[gnu::always_inline]] inline rate_terms rate_terms_at(double v, double q10) {
    constexpr double e_half = 1.6487212707001282;       // exp(0.5)
    constexpr double e_minus_1_5 = 0.22313016014842982; // exp(-1.5)
    // Divisions by constants written as multiplications by their reciprocals
    // (roundoff-level differences): division is the slowest vector operation.
    const double u = fast_exp(-(v + 40) * (1.0 / 10));
    const double w = fast_exp(-(v + 65) * (1.0 / 80));
    const double w2 = w * w;
    rate_terms r;
    double alpha = .1 * vtrap(-(v + 40), 10, u);
    double beta = 4 * fast_exp(-(v + 65) * (1.0 / 18));
    double inv_sum = 1 / (alpha + beta);
    r.mrate = q10 * (alpha + beta);
    r.minf = alpha * inv_sum;
    alpha = .07 * (w2 * w2);
    beta = 1 / (e_half * u + 1);
    inv_sum = 1 / (alpha + beta);
    r.hrate = q10 * (alpha + beta);
    r.hinf = alpha * inv_sum;
    alpha = .01 * vtrap(-(v + 55), 10, e_minus_1_5 * u);
    beta = .125 * w;
    inv_sum = 1 / (alpha + beta);
    r.nrate = q10 * (alpha + beta);
    r.ninf = alpha * inv_sum;
    return r;
}

inline double q10_at(double celsius_degC) { return std::pow(3.0, (celsius_degC - 6.3) / 10); }

} // namespace ranvier::cable::reference::hh_model
