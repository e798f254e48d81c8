// Poisson inputs: the per-step counts have the Poisson mean and variance, and
// a LIF neuron driven by them has the shot-noise mean and variance of V.
#include "support/test_recipes.hpp"

#include "cells/lif/poisson_counts.hpp"
#include "random/counter_rng.hpp"

#include <ranvier/simulation.hpp>

#include <gtest/gtest.h>

#include <cmath>

using namespace ranvier;

TEST(poisson_count_table, mean_and_variance) {
    for (double mean : {0.0, 0.02, 0.5, 2.0, 50.0, 400.0}) {
        const lif::poisson_count_table table(mean);
        counter_rng rng(1, stream_purpose::poisson, 0, 0);
        const int n = 200000;
        double sum = 0, sum2 = 0;
        for (int i = 0; i < n; ++i) {
            const double k = table.sample(rng.uniform());
            sum += k;
            sum2 += k * k;
        }
        const double m = sum / n, var = sum2 / n - m * m;
        // Standard error of the sample mean is sqrt(mean/n); allow 5 of them.
        EXPECT_NEAR(m, mean, 5 * std::sqrt(mean / n) + 1e-12) << "mean " << mean;
        // The sample variance of Poisson counts has SE ~ sqrt((mean + 2 mean^2)/n).
        EXPECT_NEAR(var, mean, 5 * std::sqrt((mean + 2 * mean * mean) / n) + 1e-12) << "mean " << mean;
    }
}

TEST(poisson_input, shot_noise_mean_and_variance_of_v) {
    // y_{k+1} = P22 y_k + w N_k with N_k ~ Poisson(lambda): stationary mean
    // w lambda / (1 - P22) and variance w^2 lambda / (1 - P22^2).
    const std::size_t cells = 100;
    const double rate = 10000.0, w = 0.1, tau_m = 20.0, dt = 0.1; // Hz, mV, ms, ms
    ranvier::testing::list_recipe r(cells);
    for (gid_type g = 0; g < cells; ++g) {
        r.cells[g].E_L = 0;
        r.cells[g].V_init = 0;
        r.cells[g].V_reset = 0;
        r.cells[g].V_th = 1e9;
        r.cells[g].tau_m = tau_m;
        r.poisson[g] = {poisson_input{rate, w}};
        r.probes[g] = {probe{"v", 1.0}};
    }
    simulation_options o;
    o.dt = dt;
    o.seed = 11;
    simulation sim(r, o);
    ranvier::testing::collecting_sink sink;
    sim.run(1100.0, &sink);
    double sum = 0, sum2 = 0;
    int n = 0;
    for (const auto& s : sink.samples) {
        if (s.time <= 100.0) continue; // 5 tau_m of transient
        sum += s.value;
        sum2 += s.value * s.value;
        ++n;
    }
    const double lambda = rate * dt * 1e-3, P22 = std::exp(-dt / tau_m);
    const double mean = w * lambda / (1 - P22), var = w * w * lambda / (1 - P22 * P22);
    const double m = sum / n, v = sum2 / n - m * m;
    // Samples 1 ms apart are correlated over tau_m = 20 ms: about n/40
    // independent ones (integral correlation time 2 tau_m over 1 ms spacing).
    const double independent = n / 40.0;
    EXPECT_NEAR(m, mean, 5 * std::sqrt(var / independent));
    EXPECT_NEAR(v, var, 5 * var * std::sqrt(2.0 / independent));
}
