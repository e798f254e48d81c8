// The determinism contract for bsp-fixed: spikes are bit-identical for any
// number of threads and any split into cell groups, and across repeated runs.
#include "support/test_recipes.hpp"

#include <ranvier/simulation.hpp>

#include <gtest/gtest.h>

using namespace ranvier;
using ranvier::testing::collecting_sink;
using ranvier::testing::random_network;

namespace {

collecting_sink run(const recipe& r, unsigned threads, std::size_t group_size) {
    simulation_options o;
    o.dt = 0.1;
    o.threads = threads;
    o.group_size = group_size;
    o.seed = 5;
    simulation sim(r, o);
    collecting_sink sink;
    sim.run(300.0, &sink);
    return sink;
}

} // namespace

class determinism : public ::testing::TestWithParam<lif_synapse> {};

TEST_P(determinism, same_spikes_for_any_threads_and_groups) {
    const auto r = random_network({.kind = GetParam(), .connectivity_seed = 3});
    const auto reference = run(r, 1, 1000);
    ASSERT_GT(reference.spikes.size(), 1000u) << "network too quiet to test anything";
    for (auto [threads, group] : {std::pair{1u, 17ul}, {2u, 0ul}, {2u, 33ul}, {3u, 64ul}}) {
        const auto other = run(r, threads, group);
        ASSERT_EQ(other.spikes.size(), reference.spikes.size()) << threads << " threads, groups of " << group;
        for (std::size_t k = 0; k < reference.spikes.size(); ++k)
            ASSERT_EQ(other.spikes[k], reference.spikes[k]) << "spike " << k;
        ASSERT_EQ(other.samples.size(), reference.samples.size());
        for (std::size_t k = 0; k < reference.samples.size(); ++k)
            ASSERT_EQ(other.samples[k].value, reference.samples[k].value);
    }
}

TEST_P(determinism, repeated_runs_are_identical_and_seed_matters) {
    const auto r = random_network({.kind = GetParam(), .connectivity_seed = 3});
    const auto a = run(r, 2, 0), b = run(r, 2, 0);
    EXPECT_EQ(a.spikes, b.spikes);
    simulation_options o;
    o.seed = 6;
    o.threads = 2;
    simulation sim(r, o);
    collecting_sink c;
    sim.run(300.0, &c);
    EXPECT_NE(a.spikes, c.spikes) << "the seed must change the Poisson input";
}

INSTANTIATE_TEST_SUITE_P(kinds, determinism,
                         ::testing::Values(lif_synapse::delta, lif_synapse::exp, lif_synapse::alpha));

TEST(spike_order, sorted_by_time_then_gid) {
    const auto r = random_network({.kind = lif_synapse::delta, .connectivity_seed = 4});
    const auto s = run(r, 2, 0);
    for (std::size_t k = 1; k < s.spikes.size(); ++k)
        ASSERT_TRUE(spike_before(s.spikes[k - 1], s.spikes[k])) << k;
}
