// The time grid: step numbers of times in ms, with the allowance for times
// written in decimal.
#include "time/time_grid.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>

using ranvier::time_grid;

TEST(time_grid, nearest_and_time_of_round_trip) {
    const time_grid g(0.1);
    EXPECT_EQ(g.step(), 0.1);
    for (std::int64_t k = 0; k < 100000; k += 7) EXPECT_EQ(g.nearest(g.time_of(k)), k);
    EXPECT_EQ(g.nearest(0.3), 3); // 0.3 / 0.1 = 2.9999999999999996
    EXPECT_EQ(g.time_of(3), 3 * 0.1);
}

TEST(time_grid, first_at_or_after_counts_decimal_times_as_on_the_grid) {
    const time_grid g(0.1);
    EXPECT_EQ(g.first_at_or_after(0.0), 0);
    EXPECT_EQ(g.first_at_or_after(0.3), 3);       // not 4, although 0.3 / 0.1 rounds up
    EXPECT_EQ(g.first_at_or_after(0.7), 7);       // 0.7 / 0.1 = 6.999999999999999
    EXPECT_EQ(g.first_at_or_after(0.30001), 4);
    EXPECT_EQ(g.first_at_or_after(1000.0), 10000);
    EXPECT_EQ(g.first_at_or_after(std::numeric_limits<double>::infinity()),
              std::numeric_limits<std::int64_t>::max());
    EXPECT_EQ(time_grid(0.025).first_at_or_after(1000.0), 40000);
}

TEST(time_grid, last_at_or_before_counts_decimal_times_as_on_the_grid) {
    const time_grid g(0.1);
    EXPECT_EQ(g.last_at_or_before(0.0), 0);
    EXPECT_EQ(g.last_at_or_before(0.3), 3);
    EXPECT_EQ(g.last_at_or_before(0.29999), 2);
    EXPECT_EQ(g.last_at_or_before(0.05), 0);
}

TEST(time_grid, one_step_with_a_relative_allowance) {
    const time_grid g(2.0);
    EXPECT_TRUE(g.shorter_than_one_step(1.5));
    EXPECT_FALSE(g.shorter_than_one_step(2.0));
    EXPECT_FALSE(g.shorter_than_one_step(2.0 * (1 - 1e-12)));
    EXPECT_TRUE(g.shorter_than_one_step(2.0 * (1 - 1e-6)));
    EXPECT_FALSE(time_grid(0.1).shorter_than_one_step(0.3 - 0.2)); // 0.09999999999999998
}

TEST(time_grid, whole_steps) {
    const time_grid g(0.1);
    EXPECT_EQ(g.whole_steps(0.3), 3);
    EXPECT_EQ(g.whole_steps(1.0), 10);
    EXPECT_FALSE(g.whole_steps(0.15));
    EXPECT_FALSE(g.whole_steps(0.04)); // below one step
    EXPECT_FALSE(g.whole_steps(0.0));
    EXPECT_FALSE(g.whole_steps(std::numeric_limits<double>::quiet_NaN()));
}

TEST(time_grid, emission_end_of_grid_stamps_and_exact_times) {
    // Grid stamps time_of(k) give k for every k, also where t / dt is an
    // ulp off k and first_at_or_after's 1e-9 allowance would not do.
    for (const double dt : {0.025, 0.1, 0.01, 0.3}) {
        const time_grid g(dt);
        for (std::int64_t k : {std::int64_t{1}, std::int64_t{7}, std::int64_t{40}, std::int64_t{123457},
                               std::int64_t{10000001}, std::int64_t{987654321}})
            for (std::int64_t j = k; j < k + 200; ++j) ASSERT_EQ(g.emission_end(g.time_of(j)), j) << dt << " " << j;
    }
    // Exact times (artificial cells' spikes) end the step they fall in.
    const time_grid g(0.025);
    EXPECT_EQ(g.emission_end(16.78189063184575), 672); // (671 dt, 672 dt]
    EXPECT_EQ(g.emission_end(0.0125), 1);
    EXPECT_EQ(g.emission_end(0.025 + 1e-12), 2);
    EXPECT_EQ(g.emission_end(0.0), 0);
}
