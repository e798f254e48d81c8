// Each LIF variant against its analytic trajectory: the response to one input
// spike, to a current step, and spike times with refractoriness and reset.
// Exact integration makes the grid values equal to the analytic solution up
// to rounding, so the tolerance is 1e-9 relative to the deflection from rest
// (a propagator error of one part in 10^9 would show). Weights are chosen
// exactly representable in single precision, the precision synaptic weights
// are stored in (docs/numerics-lif.md).
#include "support/test_recipes.hpp"

#include <ranvier/simulation.hpp>

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

using namespace ranvier;
using ranvier::testing::collecting_sink;
using ranvier::testing::list_recipe;

namespace {

constexpr double dt = 0.1;       // ms
constexpr double tau_m = 10.0;   // ms
constexpr double C_m = 250.0;    // pF
constexpr double E_L = -70.0;    // mV

lif_cell quiet_cell(lif_synapse kind, double tau_syn) {
    lif_cell c;
    c.synapse = kind;
    c.tau_m = tau_m;
    c.C_m = C_m;
    c.E_L = E_L;
    c.V_init = E_L;
    c.V_th = 1e6; // never fires
    c.V_reset = E_L;
    c.tau_syn_ex = tau_syn;
    c.tau_syn_in = tau_syn;
    return c;
}

// Runs a driver (gid 0) that spikes at t = dt onto gid 1 with weight w and
// delay d; returns gid 1's samples of v at every step.
std::vector<trace_sample> single_spike_response(const lif_cell& target, double w, double d,
                                                double t_stop) {
    list_recipe r(2);
    r.cells[0] = ranvier::testing::single_spike_driver();
    r.cells[0].synapse = target.synapse;
    r.cells[1] = target;
    r.incoming[1] = {connection{0, 0, w, d}};
    r.probes[1] = {probe{"v", dt}};
    simulation_options o;
    o.dt = dt;
    simulation sim(r, o);
    collecting_sink sink;
    sim.run(t_stop, &sink);
    EXPECT_EQ(sink.spikes.size(), 1u);
    EXPECT_DOUBLE_EQ(sink.spikes.at(0).time, dt);
    return sink.samples;
}

void expect_close(double simulated, double analytic, double deflection_scale, double t) {
    EXPECT_NEAR(simulated, analytic, 1e-9 * deflection_scale) << "at t = " << t << " ms";
}

} // namespace

TEST(lif_analytic, delta_single_spike) {
    const double w = 0.5, d = 1.5; // mV, ms
    const double t_arrival = dt + d;
    const auto samples = single_spike_response(quiet_cell(lif_synapse::delta, 2.0), w, d, 50.0);
    ASSERT_EQ(samples.size(), 501u); // t = 0, dt, ..., 50 ms
    for (const auto& s : samples) {
        const double delta_t = s.time - t_arrival;
        const double analytic = delta_t < -1e-9 ? E_L : E_L + w * std::exp(-delta_t / tau_m);
        expect_close(s.value, analytic, w, s.time);
    }
}

class lif_synaptic_current : public ::testing::TestWithParam<double> {};

TEST_P(lif_synaptic_current, exp_single_spike) {
    const double tau_s = GetParam();
    const double w = 100.0, d = 1.0; // pA, ms
    const double t_arrival = dt + d;
    const auto samples = single_spike_response(quiet_cell(lif_synapse::exp, tau_s), w, d, 60.0);
    double peak = 0;
    for (const auto& s : samples) peak = std::max(peak, std::abs(s.value - E_L));
    ASSERT_GT(peak, 0.01);
    for (const auto& s : samples) {
        const double x = s.time - t_arrival;
        double analytic = E_L;
        if (x > 1e-9) {
            // I(x) = w e^{-x/tau_s};  C V' = -C (V - E_L)/tau_m + I
            analytic += tau_s == tau_m
                            ? w / C_m * x * std::exp(-x / tau_m)
                            : w / C_m * tau_s * tau_m / (tau_m - tau_s) *
                                  (std::exp(-x / tau_m) - std::exp(-x / tau_s));
        }
        expect_close(s.value, analytic, peak, s.time);
    }
}

TEST_P(lif_synaptic_current, alpha_single_spike) {
    const double tau_s = GetParam();
    const double w = 100.0, d = 1.0; // pA (peak current), ms
    const double t_arrival = dt + d;
    const auto samples = single_spike_response(quiet_cell(lif_synapse::alpha, tau_s), w, d, 60.0);
    double peak = 0;
    for (const auto& s : samples) peak = std::max(peak, std::abs(s.value - E_L));
    ASSERT_GT(peak, 0.01);
    for (const auto& s : samples) {
        const double x = s.time - t_arrival;
        double analytic = E_L;
        if (x > 1e-9) {
            // I(x) = w (e/tau_s) x e^{-x/tau_s}, peak w at x = tau_s.
            const double A = w * std::numbers::e / tau_s / C_m;
            if (tau_s == tau_m) {
                analytic += A * x * x / 2 * std::exp(-x / tau_m);
            } else {
                // V = A e^{-x/tau_m} int_0^x s e^{-k s} ds, k = 1/tau_s - 1/tau_m.
                // The closed form (1 - e^{-kx}(1 + kx))/k^2 cancels to about
                // eps/(kx)^2 near tau_s = tau_m, so integrate numerically
                // instead (composite Simpson in long double, error < 1e-15).
                const long double k = 1.0L / tau_s - 1.0L / tau_m;
                const int n = 4000;
                const long double h = static_cast<long double>(x) / n;
                long double sum = 0;
                for (int i = 0; i <= n; ++i) {
                    const long double si = i * h;
                    const long double f = si * std::exp(-k * si);
                    sum += (i == 0 || i == n ? 1 : (i % 2 ? 4 : 2)) * f;
                }
                analytic += static_cast<double>(A * std::exp(-static_cast<long double>(x) / tau_m) *
                                                sum * h / 3);
            }
        }
        expect_close(s.value, analytic, peak, s.time);
    }
}

// tau_syn well below, equal to (the singular case of the propagators) and
// just next to tau_m (where a naive formula loses digits).
INSTANTIATE_TEST_SUITE_P(tau_syn, lif_synaptic_current, ::testing::Values(2.0, 10.0, 10.0001, 25.0));

TEST(lif_analytic, current_step) {
    for (auto kind : {lif_synapse::delta, lif_synapse::exp, lif_synapse::alpha}) {
        list_recipe r(1);
        r.cells[0] = quiet_cell(kind, 2.0);
        const double I = 300.0, t_on = 5.0, t_off = 30.0; // pA, ms
        r.currents[0] = {current_input{{t_on, t_off}, {I, 0.0}}};
        r.probes[0] = {probe{"v", dt}};
        simulation_options o;
        o.dt = dt;
        simulation sim(r, o);
        collecting_sink sink;
        sim.run(50.0, &sink);
        const double R = tau_m / C_m; // GΩ: mV per pA
        const double v_off = I * R * (1 - std::exp(-(t_off - t_on) / tau_m));
        for (const auto& s : sink.samples) {
            double analytic = E_L;
            if (s.time > t_on && s.time <= t_off + 1e-9)
                analytic += I * R * (1 - std::exp(-(s.time - t_on) / tau_m));
            else if (s.time > t_off)
                analytic += v_off * std::exp(-(s.time - t_off) / tau_m);
            expect_close(s.value, analytic, I * R, s.time);
        }
    }
}

// With a constant suprathreshold current, the time to reach threshold from
// V0 is T = tau_m ln((RI - V0)/(RI - theta)) (voltages from E_L). On the grid
// the spike comes at the end of the first step reaching threshold; then V is
// held at reset for t_ref and integration restarts from reset.
TEST(lif_analytic, spike_times_reset_and_refractoriness) {
    lif_cell c = quiet_cell(lif_synapse::delta, 2.0);
    c.V_th = -55.0;
    c.V_reset = -65.0;
    c.t_ref = 2.0;
    c.I_e = 500.0; // pA: R I = 20 mV > 15 mV
    list_recipe r(1);
    r.cells[0] = c;
    r.probes[0] = {probe{"v", dt}};
    simulation_options o;
    o.dt = dt;
    simulation sim(r, o);
    collecting_sink sink;
    sim.run(200.0, &sink);

    const double RI = c.I_e * tau_m / C_m, theta = c.V_th - E_L, reset = c.V_reset - E_L;
    const auto steps_to_threshold = [&](double v0) {
        return static_cast<long>(std::ceil(tau_m * std::log((RI - v0) / (RI - theta)) / dt - 1e-9));
    };
    std::vector<double> expected;
    long step = steps_to_threshold(0.0);
    const long ref_steps = std::lround(c.t_ref / dt);
    while (step * dt <= 200.0) {
        expected.push_back(step * dt);
        step += ref_steps + steps_to_threshold(reset);
    }
    ASSERT_EQ(sink.spikes.size(), expected.size());
    for (std::size_t k = 0; k < expected.size(); ++k)
        EXPECT_NEAR(sink.spikes[k].time, expected[k], 1e-9) << "spike " << k;

    // During refractoriness V stays exactly at reset.
    for (const auto& s : sink.samples)
        for (const auto& sp : sink.spikes)
            if (s.time >= sp.time - 1e-9 && s.time <= sp.time + c.t_ref - 1e-9)
                EXPECT_EQ(s.value, c.V_reset) << "t = " << s.time;
}

// A delta input arriving while the target is refractory is discarded.
TEST(lif_analytic, delta_input_during_refractoriness_is_lost) {
    list_recipe r(2);
    r.cells[0] = ranvier::testing::single_spike_driver();
    lif_cell target = quiet_cell(lif_synapse::delta, 2.0);
    target.V_th = -60;
    target.V_init = -59; // fires in step 0 too, then refractory 0.1..2.1 ms
    target.t_ref = 2.0;
    r.cells[1] = target;
    r.incoming[1] = {connection{0, 0, 5.0, 1.0}}; // arrives at 1.1 ms
    r.probes[1] = {probe{"v", dt}};
    simulation_options o;
    o.dt = dt;
    simulation sim(r, o);
    collecting_sink sink;
    sim.run(10.0, &sink);
    ASSERT_EQ(sink.samples.front().time, 0.0);
    EXPECT_EQ(sink.samples.front().value, -59.0); // the initial state, before the step-0 spike
    for (std::size_t k = 1; k < sink.samples.size(); ++k)
        EXPECT_EQ(sink.samples[k].value, -70.0) << "t = " << sink.samples[k].time; // no jump
    // Control: with no refractoriness the same input makes V jump by 5 mV.
    r.cells[1].t_ref = 0.0;
    simulation sim2(r, o);
    collecting_sink sink2;
    sim2.run(10.0, &sink2);
    double max_v = -1e9;
    for (const auto& s : sink2.samples)
        if (s.time > 0) max_v = std::max(max_v, s.value); // after the initial -59 mV at t = 0
    EXPECT_NEAR(max_v, -65.0, 1e-9);
}
