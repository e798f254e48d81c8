// Hines solver vs a dense Gaussian elimination on random trees (two cells
// concatenated, so the multi-root path is exercised), and fast_exp, guarded_exp vs std::exp.
#include "cable/hines_solver.hpp"
#include "cable/mechanisms/fast_exp.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

namespace {

using namespace ranvier::cable;

TEST(CableHinesSolver, MatchesDenseSolveOnRandomForest) {
    std::mt19937_64 rng(7);
    std::uniform_real_distribution<double> u(0.1, 1.0);
    const int n = 40;
    std::vector<std::int32_t> parent(n);
    for (int i = 0; i < n; ++i) {
        if (i == 0 || i == 25) parent[i] = -1; // second cell starts at 25
        else parent[i] = std::uniform_int_distribution<int>(i < 25 ? 0 : 25, i - 1)(rng);
    }
    std::vector<double> a(n), b(n), d(n), rhs(n);
    std::vector<std::vector<double>> dense(n, std::vector<double>(n, 0.0));
    for (int i = 0; i < n; ++i) {
        a[i] = -u(rng), b[i] = -u(rng), d[i] = 3.0 + u(rng), rhs[i] = u(rng) - 0.5;
    }
    for (int i = 0; i < n; ++i) {
        dense[i][i] = d[i];
        if (parent[i] >= 0) {
            dense[i][parent[i]] = b[i];
            dense[parent[i]][i] = a[i];
        }
    }
    std::vector<double> x = rhs;
    // Dense elimination with partial pivoting as the reference.
    auto m = dense;
    for (int c = 0; c < n; ++c) {
        int p = c;
        for (int r = c + 1; r < n; ++r) if (std::fabs(m[r][c]) > std::fabs(m[p][c])) p = r;
        std::swap(m[p], m[c]), std::swap(x[p], x[c]);
        for (int r = c + 1; r < n; ++r) {
            const double f = m[r][c] / m[c][c];
            for (int k = c; k < n; ++k) m[r][k] -= f * m[c][k];
            x[r] -= f * x[c];
        }
    }
    for (int r = n - 1; r >= 0; --r) {
        for (int k = r + 1; k < n; ++k) x[r] -= m[r][k] * x[k];
        x[r] /= m[r][r];
    }
    hines_solve(parent, a, b, d, rhs);
    // Diagonally dominant, well conditioned: both agree to rounding (1e-12 is
    // ~1e4 ulp of the O(0.1) solution, far below any indexing error).
    for (int i = 0; i < n; ++i) EXPECT_NEAR(rhs[i], x[i], 1e-12) << "node " << i;
}

TEST(CableFastExp, WithinOneUlpOfStdExp) {
    std::mt19937_64 rng(3);
    std::uniform_real_distribution<double> u(-700, 700);
    double worst = 0;
    for (int k = 0; k < 200000; ++k) {
        const double x = (k % 2) ? u(rng) : u(rng) / 100;
        const double ref = std::exp(x);
        worst = std::max(worst, std::fabs(fast_exp(x) - ref) / (std::nextafter(ref, INFINITY) - ref));
    }
    EXPECT_LE(worst, 1.0); // measured 1 ulp; the hh rates rely on it to match NEURON to rounding
}

// guarded_exp (NMODL's exp in translated mechanisms): NEURON's hoc_Exp,
// i.e. fast_exp's value (within 1 ulp of std::exp) for |x| <= 700, 0 below
// -700, std::exp(700) above 700, NaN for NaN.
TEST(CableFastExp, GuardedExpIsNeuronsExp) {
    EXPECT_EQ(neuron_exp_700, std::exp(700.0));
    std::mt19937_64 rng(5);
    std::uniform_real_distribution<double> u(-760, 760);
    for (int k = 0; k < 200000; ++k) {
        const double x = (k % 2) ? u(rng) : u(rng) / 100;
        if (x < -700) EXPECT_EQ(guarded_exp(x), 0.0) << x;
        else if (x > 700) EXPECT_EQ(guarded_exp(x), std::exp(700.0)) << x;
        else EXPECT_EQ(guarded_exp(x), fast_exp(x)) << x;
    }
    const double below = std::nextafter(-700.0, -INFINITY), above = std::nextafter(700.0, INFINITY);
    EXPECT_EQ(guarded_exp(-700.0), fast_exp(-700.0));
    EXPECT_GT(guarded_exp(-700.0), 0.0);
    EXPECT_EQ(guarded_exp(below), 0.0);
    EXPECT_EQ(guarded_exp(700.0), fast_exp(700.0));
    EXPECT_EQ(guarded_exp(above), std::exp(700.0));
    EXPECT_EQ(guarded_exp(1e300), std::exp(700.0));
    EXPECT_EQ(guarded_exp(INFINITY), std::exp(700.0));
    EXPECT_EQ(guarded_exp(-1e300), 0.0);
    EXPECT_EQ(guarded_exp(-INFINITY), 0.0);
    EXPECT_TRUE(std::isnan(guarded_exp(NAN)));
}

} // namespace
