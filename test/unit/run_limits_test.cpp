// Run limits (include/ranvier/run_limits.hpp): options, the length of a run
// and the memory a network needs are checked by the library before anything
// is built, so the C++ API, the command line and Python answer alike.
#include "support/test_recipes.hpp"

#include <ranvier/errors.hpp>
#include <ranvier/run_limits.hpp>
#include <ranvier/simulation.hpp>

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>

namespace ranvier {
namespace {

using testing::list_recipe;

// The message of the user_error `f` throws ("" if none).
template <class F>
std::string user_error_of(F f) {
    try {
        f();
    } catch (const user_error& e) {
        return e.what();
    }
    return "";
}

// A LIF network of any size described without storing it: `indegree`
// connections onto every cell, delay 1.5 ms.
struct huge_recipe final : recipe {
    gid_type n;
    unsigned indegree;
    huge_recipe(gid_type cells, unsigned k) : n(cells), indegree(k) {}
    gid_type num_cells() const override { return n; }
    cell_kind kind(gid_type) const override { return cell_kind::lif; }
    cell_description cell(gid_type) const override { return testing::network_cell(lif_synapse::delta); }
    std::vector<connection> connections_on(gid_type gid) const override {
        std::vector<connection> in(indegree);
        for (unsigned i = 0; i < indegree; ++i) in[i] = {(gid + 1 + i) % n, 0, 0.1, 1.5};
        return in;
    }
};

TEST(RunLimits, TimeStepOutsideItsRangeIsRejected) {
    for (double dt : {0.0, -0.1, 1e-300, 1e-11, 1e-7, 1000.5, 1e300,
                      std::numeric_limits<double>::infinity(), std::nan("")}) {
        simulation_options o;
        o.dt = dt;
        const std::string message = user_error_of([&] { check_options(o); });
        EXPECT_NE(message.find("'dt'"), std::string::npos) << dt;
        EXPECT_NE(message.find("from 1e-06 to 1000"), std::string::npos) << message;
        EXPECT_FALSE(dt_problem(dt).empty()) << dt;
    }
    for (double dt : {min_dt, 0.025, 0.1, 1.0, max_dt}) {
        simulation_options o;
        o.dt = dt;
        EXPECT_NO_THROW(check_options(o)) << dt;
        EXPECT_TRUE(dt_problem(dt).empty()) << dt;
    }
}

TEST(RunLimits, ThreadsAreLimitedByOneConstant) {
    simulation_options o;
    o.threads = max_threads;
    EXPECT_NO_THROW(check_options(o));
    for (unsigned threads : {0u, max_threads + 1, 4096u}) {
        o.threads = threads;
        const std::string message = user_error_of([&] { check_options(o); });
        EXPECT_NE(message.find("from 1 to 1024"), std::string::npos) << message;
    }
}

TEST(RunLimits, TolerancesMustBeFinite) {
    simulation_options o;
    o.atol = std::numeric_limits<double>::infinity();
    EXPECT_NE(user_error_of([&] { check_options(o); }).find("'atol'"), std::string::npos);
    o = {};
    o.rtol = -1;
    EXPECT_NE(user_error_of([&] { check_options(o); }).find("'rtol'"), std::string::npos);
    o = {};
    o.event_window = std::nan("");
    EXPECT_NE(user_error_of([&] { check_options(o); }).find("'event_window'"), std::string::npos);
}

TEST(RunLimits, RunLengthBeyondTheTimeGridIsRejected) {
    for (double t_stop : {1e308, 1e18, 1e15, std::numeric_limits<double>::infinity(), std::nan(""),
                          -1.0}) {
        const std::string message = user_error_of([&] { check_run_length(t_stop, 0.1); });
        EXPECT_NE(message.find("'t_stop'"), std::string::npos) << t_stop << ": " << message;
    }
    // The message gives the longest run the grid allows at this dt.
    EXPECT_NE(run_length_problem(1e18, 0.1).find("use t_stop <= 1.1259e+14 ms"), std::string::npos)
        << run_length_problem(1e18, 0.1);
    EXPECT_TRUE(run_length_problem(0, 0.1).empty());
    EXPECT_TRUE(run_length_problem(1e7, 0.1).empty());
    EXPECT_TRUE(run_length_problem(static_cast<double>(max_steps) * 0.1, 0.1).empty());
    EXPECT_FALSE(run_length_problem(static_cast<double>(max_steps) * 0.1 * 1.01, 0.1).empty());
}

TEST(RunLimits, SimulationRejectsLongRunsBeforeRunning) {
    list_recipe model(2);
    simulation sim(model, {});
    EXPECT_THROW(sim.run(1e18), user_error);
    EXPECT_THROW(sim.run(std::numeric_limits<double>::infinity()), user_error);
    EXPECT_EQ(sim.statistics().t_reached, 0.0);
    sim.run(1.0); // still usable
    EXPECT_DOUBLE_EQ(sim.statistics().t_reached, 1.0);
}

TEST(RunLimits, SimulationRejectsBadOptionsBeforeBuilding) {
    list_recipe model(2);
    simulation_options o;
    o.dt = 1e-11; // used to die of bad_alloc (an epoch of 1e11 steps)
    EXPECT_NE(user_error_of([&] { simulation sim(model, o); }).find("'dt'"), std::string::npos);
    o = {};
    o.threads = 4096;
    EXPECT_NE(user_error_of([&] { simulation sim(model, o); }).find("'threads'"), std::string::npos);
}

TEST(RunLimits, MemoryEstimateOfASmallNetworkIsExact) {
    // 100 LIF cells, 10 connections each with delay 1.5 ms: every cell is
    // sampled, so the counts are exact.
    huge_recipe model(100, 10);
    simulation_options o; // bsp-fixed, dt 0.1 ms
    const memory_estimate e = estimate_memory(model, o);
    EXPECT_EQ(e.cells, 100u);
    EXPECT_EQ(e.lif_cells, 100u);
    EXPECT_EQ(e.synapses, 1000u);
    EXPECT_EQ(e.buffer_steps, 16u); // delay of 15 steps, plus one
    EXPECT_EQ(e.total_bytes(), 100u * 64 + 1000u * 8 + 100u * 16 * 8);
    EXPECT_NO_THROW(check_memory(e, machine_memory_bytes()));
    // The sample's estimate of a large network is close to the truth.
    huge_recipe large(1'000'000, 10);
    EXPECT_EQ(estimate_memory(large, o).synapses, 10'000'000u);
}

TEST(RunLimits, MachineMemoryIsKnown) {
    const std::uint64_t bytes = machine_memory_bytes();
    EXPECT_GT(bytes, std::uint64_t{64} << 20); // at least 64 MB
    EXPECT_LT(bytes, std::uint64_t{1} << 60);
}

TEST(RunLimits, NetworkLargerThanTheMachineIsRejectedBeforeBuilding) {
    // 4e9 cells with 1000 connections each: 32 TB of connection tables
    // alone. Building it took minutes and gigabytes before running out.
    huge_recipe model(4'000'000'000u, 1000);
    const std::string message = user_error_of([&] { simulation sim(model, {}); });
    EXPECT_NE(message.find("needs at least"), std::string::npos) << message;
    EXPECT_NE(message.find("of this machine"), std::string::npos) << message;
    EXPECT_NE(message.find("4000000000 cells"), std::string::npos) << message;
    EXPECT_NE(message.find("simulate fewer cells"), std::string::npos) << message;
}

TEST(RunLimits, EventBuffersOfATinyStepAreCounted) {
    // No connections: a LIF group's event buffer spans one epoch of 1 ms, at
    // dt = 1e-6 ms a million steps per cell.
    list_recipe model(1000);
    simulation_options o;
    o.dt = 1e-6;
    const memory_estimate e = estimate_memory(model, o);
    EXPECT_EQ(e.synapses, 0u);
    EXPECT_EQ(e.buffer_steps, 1'000'000u);
    EXPECT_EQ(e.buffer_bytes, std::uint64_t{8'000'000'000});
    // On a machine of 1 GB that does not fit; the message says why.
    const std::string message = user_error_of([&] { check_memory(e, std::uint64_t{1} << 30); });
    EXPECT_NE(message.find("use a larger dt"), std::string::npos) << message;
    // The variable-step modes hold no such buffers.
    o.mode = execution_mode::bsp_variable;
    EXPECT_EQ(estimate_memory(model, o).buffer_bytes, 0u);
}

} // namespace
} // namespace ranvier
