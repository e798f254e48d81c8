// Passive finite cable with sealed ends and a current step injected at x = 0,
// against its eigenmode series; and the time-convergence orders of the two
// fixed-step schemes (backward Euler ~1, staggered Crank–Nicolson ~2) on the
// passive cable and on a single HH compartment.
//
// Analytic solution. Per unit length: c = cm π d (F/cm), g = g_pas π d
// (S/cm), r = 4 Ra/(π d²) (Ω/cm). With V the deviation from rest,
//   c V_t = V_xx / r - g V,  V_x(L) = 0,  -V_x(0)/r = I0 (current into the end).
// Expanding V = Σ a_n(t) cos(k_n x), k_n = nπ/L, norms N_0 = L, N_n = L/2,
// the boundary flux enters every mode with weight cos(0)/N_n = 1/N_n:
//   c a_n' = -(g + k_n²/r) a_n + I0/N_n,
//   a_n(t) = I0 / (N_n (g + k_n²/r)) · (1 - exp(-t (g + k_n²/r)/c)).
// The series converges like 1/n² at x = 0 and much faster inside; 2e5 terms
// leave < 1e-7 mV at x = L/2.
#include "cable/cable_state_builder.hpp"
#include "cable/fixed_step_cable_stepper.hpp"
#include "cable/cvode/cvode_cell.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <numbers>
#include <vector>

namespace {

using namespace ranvier::cable;

constexpr double L_um = 1000, diam_um = 2, Ra_ohm_cm = 100, g_S_cm2 = 1e-4, cm_uF_cm2 = 1;
constexpr double e_mV = -65, I0_nA = 0.1;

double analytic_mV(double x_um, double t_ms) {
    const double pi = std::numbers::pi;
    const double d = diam_um * 1e-4, L = L_um * 1e-4, x = x_um * 1e-4; // cm
    const double c = cm_uF_cm2 * 1e-6 * pi * d, g = g_S_cm2 * pi * d, r = 4 * Ra_ohm_cm / (pi * d * d);
    const double t = t_ms * 1e-3, I0 = I0_nA * 1e-9;
    double v = 0;
    for (int n = 0; n < 200000; ++n) {
        const double k = n * pi / L;
        const double rate = g + k * k / r; // S/cm
        const double norm = n == 0 ? L : L / 2;
        v += I0 / (norm * rate) * -std::expm1(-t * rate / c) * std::cos(k * x);
    }
    return e_mV + 1e3 * v;
}

// NEURON's layout of one section: zero-area x=0 root, nseg centres, zero-area x=1.
cv_tree cable_tree(int nseg) {
    const double h = L_um / nseg;
    const double area = std::numbers::pi * diam_um * h;                                       // µm²
    const double r_half = 1e-2 * Ra_ohm_cm * (h / 2) / (std::numbers::pi * diam_um * diam_um / 4); // MΩ
    cv_tree t;
    t.parent.push_back(-1), t.area.push_back(0), t.r_parent.push_back(0), t.cm.push_back(cm_uF_cm2);
    for (int k = 0; k < nseg; ++k) {
        t.parent.push_back(k), t.area.push_back(area), t.r_parent.push_back(k == 0 ? r_half : 2 * r_half);
        t.cm.push_back(cm_uF_cm2);
    }
    t.parent.push_back(nseg), t.area.push_back(0), t.r_parent.push_back(r_half), t.cm.push_back(cm_uF_cm2);
    return t;
}

// v (mV) at the middle centre node (nseg odd) at t_end.
double cable_mid_v(int nseg, double dt, time_scheme scheme, double t_end) {
    cable_state_builder b;
    const auto c = b.add_cell(cable_tree(nseg));
    b.paint(c, "pas", {}, {{"g", g_S_cm2}, {"e", e_mV}});
    b.place(c, "IClamp", 0, {{"del", 0}, {"dur", 1e9}, {"amp", I0_nA}});
    fixed_step_cable_stepper g(b.build(e_mV), {scheme, dt});
    g.run_until(t_end);
    return g.voltage()[static_cast<std::size_t>(1 + nseg / 2)];
}

TEST(CablePassiveAnalytic, ErrorShrinksWithNsegAndDt) {
    const double t_end = 5; // ms: half a membrane time constant, still rising
    const double exact = analytic_mV(L_um / 2, t_end);
    double previous = 1e9;
    for (int nseg : {5, 15, 45}) {
        const double err = std::fabs(cable_mid_v(nseg, 0.025 / 8, time_scheme::crank_nicolson, t_end) - exact);
        std::printf("nseg %d: |v - v_exact| = %.3g mV (v_exact - e = %.4f mV)\n", nseg, err, exact - e_mV);
        // Second order in space: tripling nseg divides the error by ~9; ask for 5.
        EXPECT_LT(err, previous / 5);
        previous = err;
    }
    // At nseg = 45 (h = 22 µm = 0.03 λ) the spatial error is ~(h/λ)²/12 relative.
    EXPECT_LT(previous, 1e-3);
}

// The same cable under per-cell CVODE; v at the middle node at 0.5, 1, ...
// t_end ms. The IClamp is on from t = 0.
std::vector<double> cable_mid_v_cvode(int nseg, double atol, double t_end, long* steps) {
    cable_state_builder b;
    const auto c = b.add_cell(cable_tree(nseg));
    b.paint(c, "pas", {}, {{"g", g_S_cm2}, {"e", e_mV}});
    b.place(c, "IClamp", 0, {{"del", 0}, {"dur", 1e9}, {"amp", I0_nA}});
    cvode_options o;
    o.atol = atol;
    cvode_cell cell(b.build(e_mV), 0, o);
    std::vector<double> v;
    for (double t = 0.5; t <= t_end + 1e-9; t += 0.5) {
        cell.advance_to(t);
        v.push_back(cell.voltage()[static_cast<std::size_t>(1 + nseg / 2)]);
    }
    *steps = cell.statistics().steps;
    return v;
}

// The time error is controlled by atol: measured against the spatially
// discrete system's own solution (CN at a tiny step, its time error ~dt²,
// below 1e-8 mV), the largest error over the samples must stay within a few
// atol and fall as atol falls; against the series the total error is the
// spatial error (~7e-4 mV at nseg 45) plus that.
TEST(CablePassiveAnalytic, CvodeErrorShrinksWithAtol) {
    const double t_end = 5; // ms
    std::vector<double> semi_discrete, exact;
    for (double t = 0.5; t <= t_end + 1e-9; t += 0.5) {
        semi_discrete.push_back(cable_mid_v(45, 0.025 / 64, time_scheme::crank_nicolson, t));
        exact.push_back(analytic_mV(L_um / 2, t));
    }
    double spatial = 0;
    for (std::size_t k = 0; k < exact.size(); ++k)
        spatial = std::max(spatial, std::fabs(semi_discrete[k] - exact[k]));
    std::printf("nseg 45: largest spatial error %.3g mV\n", spatial);
    std::vector<double> errors;
    const std::vector<double> atols{1e-2, 1e-3, 1e-4, 1e-5, 1e-6};
    for (const double atol : atols) {
        long steps = 0;
        const auto v = cable_mid_v_cvode(45, atol, t_end, &steps);
        double err_time = 0, err_total = 0;
        for (std::size_t k = 0; k < v.size(); ++k) {
            err_time = std::max(err_time, std::fabs(v[k] - semi_discrete[k]));
            err_total = std::max(err_total, std::fabs(v[k] - exact[k]));
        }
        std::printf("CVODE atol %g: time error %.3g mV, total error vs series %.3g mV, %ld steps\n",
                    atol, err_time, err_total, steps);
        // A tolerance-controlled run of this smooth, stable problem keeps its
        // global error within a few atol; ask for 5 atol.
        EXPECT_LT(err_time, 5 * atol);
        EXPECT_LT(err_total, spatial + 5 * atol);
        errors.push_back(err_time);
    }
    // For docs/figures/plot_cvode_atol.py (build tree; never read by a test).
    std::filesystem::create_directories("validation_results");
    std::ofstream out("validation_results/cvode_atol_passive_cable.json");
    out << "{\"atol\": [";
    for (std::size_t k = 0; k < atols.size(); ++k) out << (k ? ", " : "") << atols[k];
    out << "], \"max_time_error_mV\": [";
    for (std::size_t k = 0; k < errors.size(); ++k) out << (k ? ", " : "") << errors[k];
    out << "], \"spatial_error_mV\": " << spatial << "}\n";
    // The error is not monotone from one decade to the next (step sequences
    // change), but over two decades of atol it must fall at least 10-fold
    // (CVODE controls the local error in proportion to atol).
    for (std::size_t k = 0; k + 2 < errors.size(); ++k)
        EXPECT_LT(errors[k + 2], errors[k] / 10) << "atol " << atols[k];
}

double slope(const std::vector<double>& dts, const std::vector<double>& errs) {
    // Least-squares slope of log(err) against log(dt).
    double sx = 0, sy = 0, sxx = 0, sxy = 0;
    const double n = static_cast<double>(dts.size());
    for (std::size_t k = 0; k < dts.size(); ++k) {
        const double x = std::log(dts[k]), y = std::log(errs[k]);
        sx += x, sy += y, sxx += x * x, sxy += x * y;
    }
    return (n * sxy - sx * sy) / (n * sxx - sx * sx);
}

template <class Run>
double measured_order(const char* what, time_scheme scheme, Run run) {
    const double fine = run(0.025 / 256, scheme);
    std::vector<double> dts{0.1, 0.05, 0.025, 0.0125}, errs;
    for (double dt : dts) errs.push_back(std::fabs(run(dt, scheme) - fine));
    const double s = slope(dts, errs);
    std::printf("%s %s: errors", what, scheme == time_scheme::crank_nicolson ? "CN" : "BE");
    for (double e : errs) std::printf(" %.3g", e);
    std::printf(" mV; slope %.3f\n", s);
    return s;
}

double passive_run(double dt, time_scheme scheme) { return cable_mid_v(15, dt, scheme, 5); }

double hh_run(double dt, time_scheme scheme) {
    cv_tree t;
    t.parent = {-1, 0, 1}, t.area = {0, 1000, 0}, t.r_parent = {0, 0.01, 0.01}, t.cm = {1, 1, 1};
    cable_state_builder b;
    const auto c = b.add_cell(t);
    b.paint(c, "hh");
    b.place(c, "IClamp", 1, {{"del", 0}, {"dur", 1e9}, {"amp", 0.05}});
    fixed_step_cable_stepper g(b.build(-65), {scheme, dt});
    g.run_until(3); // inside the first spike: errors are large, slopes still clean
    return g.voltage()[1];
}

// Slopes: the asymptotic orders are 1 and 2; the band [0.8, 1.2] / [1.7, 2.3]
// allows for the pre-asymptotic range of dt = 0.1 .. 0.0125 ms.
TEST(CableConvergence, BackwardEulerFirstOrder) {
    EXPECT_NEAR(measured_order("passive cable", time_scheme::backward_euler, passive_run), 1.0, 0.2);
    EXPECT_NEAR(measured_order("hh compartment", time_scheme::backward_euler, hh_run), 1.0, 0.2);
}

TEST(CableConvergence, CrankNicolsonSecondOrder) {
    EXPECT_NEAR(measured_order("passive cable", time_scheme::crank_nicolson, passive_run), 2.0, 0.3);
    EXPECT_NEAR(measured_order("hh compartment", time_scheme::crank_nicolson, hh_run), 2.0, 0.3);
}

} // namespace
