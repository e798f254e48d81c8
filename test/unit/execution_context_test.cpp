// The C++ API's execution context (include/ranvier/execution_context.hpp):
// the local context is one process, its thread count replaces the options',
// and a simulation built with it gives the results of the two-argument
// constructor. (Distributed contexts run under mpirun: test/mpi/.)
#include "support/test_recipes.hpp"

#include <ranvier/execution_context.hpp>
#include <ranvier/simulation.hpp>

#include <gtest/gtest.h>

namespace ranvier {
namespace {

TEST(ExecutionContext, LocalContextIsOneProcess) {
    const execution_context c = make_local_context();
    EXPECT_EQ(c.rank(), 0);
    EXPECT_EQ(c.size(), 1);
    EXPECT_EQ(process_prefix(c), "");
}

TEST(ExecutionContext, ThreadsOfTheContextReplaceTheOptions) {
    const testing::list_recipe model = testing::random_network({});
    simulation_options options;
    options.threads = 1;
    simulation alone(model, options);
    simulation with_context(model, options, make_local_context(3));
    EXPECT_EQ(alone.options().threads, 1u);
    EXPECT_EQ(with_context.options().threads, 3u);
    EXPECT_EQ(with_context.statistics().threads.size(), 3u);
    testing::collecting_sink a, b;
    alone.run(50, &a);
    with_context.run(50, &b);
    ASSERT_FALSE(a.spikes.empty());
    EXPECT_EQ(a.spikes, b.spikes);
    // One process: one entry covering the network.
    const auto& p = with_context.statistics().processes;
    ASSERT_EQ(p.size(), 1u);
    EXPECT_EQ(p[0].cells, 300u);
    EXPECT_EQ(p[0].first_gid, 0u);
    EXPECT_GT(p[0].peak_memory_bytes, 0u);
    EXPECT_EQ(with_context.statistics().load_imbalance, 1.0);
}

} // namespace
} // namespace ranvier
