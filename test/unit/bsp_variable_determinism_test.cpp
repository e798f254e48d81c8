// The determinism contract for bsp-variable: spikes and samples are
// bit-identical for any number of threads and any split into cell groups, and
// across repeated runs; the seed changes the (continuous-time) Poisson input.
#include "support/test_recipes.hpp"

#include <ranvier/errors.hpp>
#include <ranvier/simulation.hpp>

#include <gtest/gtest.h>

#include <cmath>

using namespace ranvier;
using ranvier::testing::collecting_sink;
using ranvier::testing::list_recipe;
using ranvier::testing::random_network;

namespace {

// The shared random network with off-grid delays: any change in the order
// events are summed would change some spike time in its last bits.
list_recipe variable_network(lif_synapse kind, std::uint64_t seed) {
    return random_network({.kind = kind, .connectivity_seed = seed, .off_grid_delays = true});
}

collecting_sink run(const recipe& r, unsigned threads, std::size_t group_size,
                    std::uint64_t seed = 5) {
    simulation_options o;
    o.mode = execution_mode::bsp_variable;
    o.threads = threads;
    o.group_size = group_size;
    o.seed = seed;
    simulation sim(r, o);
    collecting_sink sink;
    sim.run(300.0, &sink);
    return sink;
}

} // namespace

class variable_determinism : public ::testing::TestWithParam<lif_synapse> {};

TEST_P(variable_determinism, same_spikes_for_any_threads_and_groups) {
    const auto r = variable_network(GetParam(), 3);
    const auto reference = run(r, 1, 1000);
    ASSERT_GT(reference.spikes.size(), 1000u) << "network too quiet to test anything";
    for (auto [threads, group] : {std::pair{1u, 17ul}, {2u, 0ul}, {2u, 33ul}, {3u, 64ul}, {3u, 1ul}}) {
        const auto other = run(r, threads, group);
        ASSERT_EQ(other.spikes.size(), reference.spikes.size()) << threads << " threads, groups of " << group;
        for (std::size_t k = 0; k < reference.spikes.size(); ++k)
            ASSERT_EQ(other.spikes[k], reference.spikes[k]) << "spike " << k;
        ASSERT_EQ(other.samples.size(), reference.samples.size());
        for (std::size_t k = 0; k < reference.samples.size(); ++k)
            ASSERT_EQ(other.samples[k].value, reference.samples[k].value);
    }
}

TEST_P(variable_determinism, repeated_runs_are_identical_and_seed_matters) {
    const auto r = variable_network(GetParam(), 3);
    const auto a = run(r, 2, 0), b = run(r, 2, 0);
    EXPECT_EQ(a.spikes, b.spikes);
    const auto c = run(r, 2, 0, 6);
    EXPECT_NE(a.spikes, c.spikes) << "the seed must change the Poisson input";
}

INSTANTIATE_TEST_SUITE_P(kinds, variable_determinism,
                         ::testing::Values(lif_synapse::delta, lif_synapse::exp, lif_synapse::alpha));

TEST(variable_spike_order, sorted_by_time_then_gid_and_off_grid) {
    const auto r = variable_network(lif_synapse::delta, 4);
    const auto s = run(r, 2, 0);
    std::size_t off_grid = 0;
    for (std::size_t k = 1; k < s.spikes.size(); ++k) {
        ASSERT_TRUE(spike_before(s.spikes[k - 1], s.spikes[k])) << k;
        const double steps = s.spikes[k].time / 0.1;
        off_grid += std::abs(steps - std::round(steps)) > 1e-6;
    }
    // Spike times are continuous: almost none falls on a 0.1 ms grid.
    EXPECT_GT(off_grid, s.spikes.size() * 9 / 10);
}

// Cable cells run in bsp-variable (per-cell CVODE, see
// test/validation/cable_variable_network_test.cpp); one that cannot be built
// is a user_error naming the cell.
TEST(variable_mode, bad_cable_cell_is_named) {
    struct cable_recipe final : recipe {
        gid_type num_cells() const override { return 1; }
        cell_kind kind(gid_type) const override { return cell_kind::cable; }
        cell_description cell(gid_type) const override { return cable_cell{}; }
    } r;
    simulation_options o;
    o.mode = execution_mode::bsp_variable;
    try {
        simulation sim(r, o);
        FAIL() << "expected user_error";
    } catch (const user_error& e) {
        EXPECT_NE(std::string(e.what()).find("cell 0"), std::string::npos) << e.what();
    }
}
