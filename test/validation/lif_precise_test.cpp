// Precise (off-grid) spike times of the event-driven LIF neurons of the
// bsp-variable mode, against closed-form results:
//  - constant suprathreshold current from rest and after reset: the analytic
//    crossing time t* = tau_m ln((y_inf - y0) / (y_inf - theta)), to 1e-9 ms;
//  - exp and alpha responses to one input spike, to 1e-9 of the deflection;
//  - a crossing caused by one synaptic input, against a brute-force fine scan
//    plus bisection of the closed form (including a crossing that is over
//    before the next integration point, which an end-of-interval check misses);
//  - a small network against the fixed-step mode: spike times agree within
//    O(dt) and converge as dt shrinks.
// Tolerances: the integration is exact up to rounding and the root is refined
// to ~1e-14 ms, so 1e-9 ms leaves five orders of magnitude for rounding that
// accumulates over a few hundred integration points, while any formula or
// bracketing error (>= 1e-6 ms in practice) would show.
#include "support/test_recipes.hpp"

#include <ranvier/simulation.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>
#include <numbers>

using namespace ranvier;
using ranvier::testing::collecting_sink;
using ranvier::testing::list_recipe;

namespace {

constexpr double tau_m = 10.0; // ms
constexpr double C_m = 250.0;  // pF

collecting_sink run_variable(const recipe& r, double t_stop) {
    simulation_options o;
    o.mode = execution_mode::bsp_variable;
    simulation sim(r, o);
    collecting_sink sink;
    sim.run(t_stop, &sink);
    return sink;
}

std::vector<double> spike_times_of(const collecting_sink& s, gid_type gid) {
    std::vector<double> t;
    for (const spike& x : s.spikes)
        if (x.gid == gid) t.push_back(x.time);
    return t;
}

// Postsynaptic potential (mV from rest) per pA of weight, Delta ms after the
// arrival, of an exp or alpha synapse with time constant tau_s.
double psp_per_pA(lif_synapse kind, double tau_s, double Delta) {
    if (Delta <= 0) return 0;
    const double a = 1.0 / tau_s - 1.0 / tau_m;
    const double em = std::exp(-Delta / tau_m), es = std::exp(-Delta / tau_s);
    if (kind == lif_synapse::exp)
        return a == 0 ? Delta * em / C_m : (em - es) / (a * C_m);
    const double jump = std::numbers::e / tau_s; // dI per pA of weight (peak = weight)
    return a == 0 ? jump * Delta * Delta / 2 * em / C_m
                  : jump * (em - es * (1 + a * Delta)) / (a * a * C_m);
}

} // namespace

class constant_current : public ::testing::TestWithParam<lif_synapse> {};

TEST_P(constant_current, spike_times_from_rest_and_after_reset) {
    list_recipe r(2);
    for (auto& c : r.cells) {
        c.synapse = GetParam();
        c.tau_m = tau_m;
        c.C_m = C_m;
        c.E_L = -70;
        c.V_th = -55;    // theta = 15 mV above rest
        c.V_reset = -65; // 5 mV above rest
        c.V_init = -70;
        c.t_ref = 2;
    }
    r.cells[0].I_e = 500; // pA: y_inf = tau_m / C * I = 20 mV
    // Cell 1: the same current switched on at an off-grid time.
    const double t_on = 3.7;
    r.currents[1] = {current_input{{t_on}, {500.0}}};
    // Probes add integration points the crossing search must step across.
    r.probes[0] = {probe{"v", 0.1}};
    r.probes[1] = {probe{"v", 0.3}};
    const auto s = run_variable(r, 100.0);

    const double y_inf = 20, theta = 15, reset = 5;
    const double first = tau_m * std::log(y_inf / (y_inf - theta));
    const double period = 2 + tau_m * std::log((y_inf - reset) / (y_inf - theta));
    for (gid_type gid : {0u, 1u}) {
        const auto t = spike_times_of(s, gid);
        const double start = gid == 0 ? 0.0 : t_on;
        const auto expected = static_cast<std::size_t>((100.0 - start - first) / period) + 1;
        ASSERT_EQ(t.size(), expected) << "gid " << gid;
        for (std::size_t k = 0; k < t.size(); ++k)
            EXPECT_NEAR(t[k], start + first + static_cast<double>(k) * period, 1e-9)
                << "gid " << gid << ", spike " << k;
    }
    // V is clamped at reset through the refractory period.
    const auto t0 = spike_times_of(s, 0);
    for (const auto& x : s.samples)
        if (x.gid == 0 && x.time > t0[0] + 1e-9 && x.time <= t0[0] + 2 - 1e-9)
            EXPECT_EQ(x.value, -65.0) << x.time;
}

INSTANTIATE_TEST_SUITE_P(kinds, constant_current,
                         ::testing::Values(lif_synapse::delta, lif_synapse::exp, lif_synapse::alpha));

struct response_case {
    lif_synapse kind;
    double tau_s; // ms
};

class single_input : public ::testing::TestWithParam<response_case> {};

TEST_P(single_input, response_matches_closed_form) {
    const auto [kind, tau_s] = GetParam();
    const double w = 100.0, d = 1.3; // pA (exact in single precision), ms
    list_recipe r(2);
    r.cells[0] = ranvier::testing::single_spike_driver(); // spikes at t = 0 here
    r.cells[0].synapse = kind;
    lif_cell& c = r.cells[1];
    c.synapse = kind;
    c.tau_m = tau_m;
    c.C_m = C_m;
    c.E_L = -70;
    c.V_init = -70;
    c.V_th = 1e6;
    c.tau_syn_ex = c.tau_syn_in = tau_s;
    r.incoming[1] = {connection{0, 0, w, d}};
    r.probes[1] = {probe{"v", 0.1}};
    const auto s = run_variable(r, 60.0);
    ASSERT_EQ(s.spikes.size(), 1u);
    EXPECT_EQ(s.spikes[0].time, 0.0);
    ASSERT_EQ(s.samples.size(), 601u); // t = 0, 0.1, ..., 60 ms
    double scale = 0;
    for (const auto& x : s.samples) scale = std::max(scale, std::abs(w * psp_per_pA(kind, tau_s, x.time - d)));
    ASSERT_GT(scale, 0.1);
    for (const auto& x : s.samples)
        EXPECT_NEAR(x.value, -70 + w * psp_per_pA(kind, tau_s, x.time - d), 1e-9 * scale)
            << "t = " << x.time;
}

INSTANTIATE_TEST_SUITE_P(
    kinds, single_input,
    ::testing::Values(response_case{lif_synapse::exp, 2.0}, response_case{lif_synapse::exp, 10.0},
                      response_case{lif_synapse::exp, 25.0}, response_case{lif_synapse::alpha, 2.0},
                      response_case{lif_synapse::alpha, 10.0}, response_case{lif_synapse::alpha, 25.0}));

class synaptic_crossing : public ::testing::TestWithParam<lif_synapse> {};

TEST_P(synaptic_crossing, matches_brute_force_search_of_closed_form) {
    const lif_synapse kind = GetParam();
    const double tau_s = 2.0, theta = 15.0, y_inf = 14.0, d = 20.0; // ms, mV, mV, ms
    // The cell sits at 14 mV (its equilibrium under I_e); one input lifts it
    // past 15 mV briefly. Its only connection has delay 20 ms, so epochs end
    // at 20, 40: the crossing and its return below threshold both fall
    // inside (20, 40], invisible to a check at the interval's end.
    double peak_per_pA = 0;
    for (double D = 0; D < 30; D += 1e-3) peak_per_pA = std::max(peak_per_pA, psp_per_pA(kind, tau_s, D));
    for (double excess : {1.005, 0.995}) {
        const double w = static_cast<float>(excess * (theta - y_inf) / peak_per_pA);
        list_recipe r(2);
        r.cells[0] = ranvier::testing::single_spike_driver();
        r.cells[0].synapse = kind;
        lif_cell& c = r.cells[1];
        c.synapse = kind;
        c.tau_m = tau_m;
        c.C_m = C_m;
        c.E_L = 0;
        c.V_th = theta;
        c.V_reset = 0;
        c.V_init = y_inf;
        c.I_e = y_inf * C_m / tau_m; // 350 pA
        c.tau_syn_ex = tau_s;
        r.incoming[1] = {connection{0, 0, w, d}};
        const auto s = run_variable(r, 60.0);
        const auto f = [&](double D) { return y_inf + w * psp_per_pA(kind, tau_s, D) - theta; };
        ASSERT_LT(f(20.0), -0.1) << "the test needs V back below threshold at the epoch end";

        // Brute force: the first scan point at or above threshold, then bisection.
        double hi = -1;
        for (double D = 0; D < 30; D += 1e-4)
            if (f(D) >= 0) { hi = D; break; }
        const auto t = spike_times_of(s, 1);
        if (hi < 0) {
            EXPECT_TRUE(t.empty()) << "spike without a crossing, w = " << w;
            continue;
        }
        double lo = hi - 1e-4;
        for (int k = 0; k < 100; ++k) {
            const double mid = 0.5 * (lo + hi);
            (f(mid) >= 0 ? hi : lo) = mid;
        }
        ASSERT_EQ(t.size(), 1u) << "w = " << w;
        EXPECT_NEAR(t[0], d + hi, 1e-9);
    }
}

INSTANTIATE_TEST_SUITE_P(kinds, synaptic_crossing,
                         ::testing::Values(lif_synapse::exp, lif_synapse::alpha));

TEST(synaptic_crossing_after_dip, matches_brute_force_search_of_closed_form) {
    // Fast inhibition and slow excitation arriving together: V first dips,
    // then rises through threshold (two extrema in one interval), then falls
    // back below it long before the next time point.
    const double tau_ex = 5.0, tau_in = 0.5, theta = 15.0, y_inf = 14.0, d = 20.0;
    const double ratio = 3.0; // inhibitory / excitatory weight
    const auto shape = [&](double D) {
        return psp_per_pA(lif_synapse::exp, tau_ex, D) - ratio * psp_per_pA(lif_synapse::exp, tau_in, D);
    };
    double peak = 0, dip = 0;
    for (double D = 0; D < 40; D += 1e-3) {
        peak = std::max(peak, shape(D));
        dip = std::min(dip, shape(D));
    }
    ASSERT_LT(dip, 0) << "the input must make V dip first";
    const float w_ex = static_cast<float>(1.005 * (theta - y_inf) / peak);
    const float w_in = static_cast<float>(-ratio * w_ex);
    list_recipe r(2);
    r.cells[0] = ranvier::testing::single_spike_driver();
    r.cells[0].synapse = lif_synapse::exp;
    lif_cell& c = r.cells[1];
    c.synapse = lif_synapse::exp;
    c.tau_m = tau_m;
    c.C_m = C_m;
    c.E_L = 0;
    c.V_th = theta;
    c.V_reset = 0;
    c.V_init = y_inf;
    c.I_e = y_inf * C_m / tau_m;
    c.tau_syn_ex = tau_ex;
    c.tau_syn_in = tau_in;
    r.incoming[1] = {connection{0, 0, w_ex, d}, connection{0, 0, w_in, d}};
    const auto s = run_variable(r, 60.0);
    const auto f = [&](double D) {
        return y_inf + w_ex * psp_per_pA(lif_synapse::exp, tau_ex, D) +
               w_in * psp_per_pA(lif_synapse::exp, tau_in, D) - theta;
    };
    ASSERT_LT(f(20.0), -0.05);
    double hi = -1;
    for (double D = 0; D < 30; D += 1e-4)
        if (f(D) >= 0) { hi = D; break; }
    ASSERT_GT(hi, 0);
    double lo = hi - 1e-4;
    for (int k = 0; k < 100; ++k) {
        const double mid = 0.5 * (lo + hi);
        (f(mid) >= 0 ? hi : lo) = mid;
    }
    const auto t = spike_times_of(s, 1);
    ASSERT_EQ(t.size(), 1u);
    EXPECT_NEAR(t[0], d + hi, 1e-9);
}

namespace {

// 20 coupled, tonically driven cells; delays and t_ref on a 0.01 ms grid, so
// the fixed mode differs from the exact solution only by its time step.
list_recipe coupled_network(lif_synapse kind) {
    const std::size_t n = 20;
    list_recipe r(n);
    for (gid_type gid = 0; gid < n; ++gid) {
        lif_cell& c = r.cells[gid];
        c = ranvier::testing::network_cell(kind);
        c.t_ref = 2;
        c.V_init = 0.5 * gid;
        c.I_e = 320 + 10.0 * gid; // pA: y_inf = 25.6 .. 40.8 mV
        for (int k = 1; k <= 3; ++k) {
            const gid_type src = (gid + 3 * k) % n;
            const bool inhibitory = src % 4 == 0;
            const double w = kind == lif_synapse::delta ? (inhibitory ? -0.5 : 0.3)
                                                        : (inhibitory ? -40.0 : 25.0);
            r.incoming[gid].push_back({src, 0, w, 1.0 + 0.5 * k});
        }
    }
    return r;
}

// Largest |t_fixed - t_variable| over matching spikes (k-th spike of each
// gid); -1 if the spike counts differ.
double max_spike_time_difference(const recipe& r, double dt) {
    const double t_stop = 60;
    const auto variable = run_variable(r, t_stop);
    simulation_options o;
    o.dt = dt;
    simulation sim(r, o);
    collecting_sink fixed;
    sim.run(t_stop, &fixed);
    // Spikes near t_stop may fall on either side of it in the two modes.
    const auto before_end = [&](std::vector<double> t) {
        std::erase_if(t, [&](double x) { return x > t_stop - 1; });
        return t;
    };
    double worst = 0;
    for (gid_type gid = 0; gid < r.num_cells(); ++gid) {
        const auto a = before_end(spike_times_of(variable, gid));
        const auto b = before_end(spike_times_of(fixed, gid));
        if (a.size() != b.size()) return -1;
        for (std::size_t k = 0; k < a.size(); ++k) worst = std::max(worst, std::abs(a[k] - b[k]));
    }
    EXPECT_GT(variable.spikes.size(), 60u);
    return worst;
}

} // namespace

class against_fixed : public ::testing::TestWithParam<lif_synapse> {};

TEST_P(against_fixed, spike_times_agree_within_order_dt) {
    const auto r = coupled_network(GetParam());
    const double coarse = max_spike_time_difference(r, 0.01);
    const double fine = max_spike_time_difference(r, 0.001);
    ASSERT_GE(coarse, 0) << "spike counts differ at dt = 0.01";
    ASSERT_GE(fine, 0) << "spike counts differ at dt = 0.001";
    // The fixed mode stamps a spike at the end of its step and restarts the
    // cell from there, so each spike can lag by up to dt more than the last;
    // a cell fires at most ~8 times in 60 ms, plus delayed inputs: 20 dt.
    EXPECT_LE(coarse, 20 * 0.01);
    EXPECT_LE(fine, 20 * 0.001);
    // First order: ten times smaller dt, about ten times smaller difference.
    EXPECT_LT(fine, coarse / 4) << "coarse " << coarse << ", fine " << fine;
    RecordProperty("max_difference_dt_0.01", std::to_string(coarse));
    RecordProperty("max_difference_dt_0.001", std::to_string(fine));
    std::printf("max |t_fixed - t_variable|: %.3g ms (dt 0.01), %.3g ms (dt 0.001)\n", coarse, fine);
}

INSTANTIATE_TEST_SUITE_P(kinds, against_fixed,
                         ::testing::Values(lif_synapse::delta, lif_synapse::exp, lif_synapse::alpha));
