#include "cells/lif/lif_propagators.hpp"

#include <cmath>
#include <numbers>

namespace ranvier::lif {

namespace {

// (1 - e^{-x}) / x, accurate near 0 (1 at x = 0).
double one_minus_exp_over_x(double x) { return x == 0.0 ? 1.0 : -std::expm1(-x) / x; }

// (1 - e^{-x}(1 + x)) / x^2, accurate near 0 (1/2 at x = 0). The direct form
// loses about eps/x^2 to cancellation, so small |x| uses the series
// sum_{n>=0} (-1)^n (n+1) x^n / (n+2)!.
double alpha_kernel(double x) {
    if (std::abs(x) < 0.1) {
        double term = 0.5, sum = 0.0; // term = x^n / (n+2)! with sign
        for (int n = 0; n <= 14; ++n) {
            sum += (n + 1) * term;
            term *= -x / (n + 3);
        }
        return sum;
    }
    return (-std::expm1(-x) - x * std::exp(-x)) / (x * x);
}

} // namespace

membrane_propagators membrane(double h, double tau_m, double C_m) {
    return {std::exp(-h / tau_m), -tau_m / C_m * std::expm1(-h / tau_m)};
}

// V'(t) = -V/tau_m + I/C with I = I0 e^{-t/tau_s}, V(0) = 0:
// V(h) = (I0/C) e^{-h/tau_m} (1 - e^{-a h}) / a,  a = 1/tau_s - 1/tau_m.
exp_synapse_propagators exp_synapse(double h, double tau_m, double C_m, double tau_syn) {
    const double a = 1.0 / tau_syn - 1.0 / tau_m;
    return {std::exp(-h / tau_syn), std::exp(-h / tau_m) * h * one_minus_exp_over_x(a * h) / C_m};
}

// Alpha current: dI' = -dI/tau_s, I' = dI - I/tau_s. From dI(0) = 1, I(0) = 0:
// I(t) = t e^{-t/tau_s}, V(h) = (1/C) e^{-h/tau_m} int_0^h s e^{-a s} ds.
alpha_synapse_propagators alpha_synapse(double h, double tau_m, double C_m, double tau_syn) {
    const double a = 1.0 / tau_syn - 1.0 / tau_m;
    const double decay_m = std::exp(-h / tau_m);
    alpha_synapse_propagators p{};
    p.P11 = std::exp(-h / tau_syn);
    p.P21 = h * p.P11;
    p.P31 = decay_m * h * h * alpha_kernel(a * h) / C_m;
    p.P32 = decay_m * h * one_minus_exp_over_x(a * h) / C_m;
    p.jump = std::numbers::e / tau_syn;
    return p;
}

} // namespace ranvier::lif
