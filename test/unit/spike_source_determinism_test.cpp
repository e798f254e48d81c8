// The determinism contract with spike sources: a network of LIF (delta and
// exp synapses) and cable cells driven by Poisson and explicit-time sources
// gives bit-identical spikes and samples for 1, 2 and 3 threads, any split
// into groups (sources sharing groups with nothing else, one source per
// group, ...), and bsp against async, in each stepping.
#include "support/test_recipes.hpp"

#include <ranvier/network_model.hpp>
#include <ranvier/simulation.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

using namespace ranvier;
using ranvier::testing::collecting_sink;

namespace {

// gids: drive 0..79, stim 80..81, E 82..231 (exp), D 232..261 (delta),
// soma 262..264 (cable), late 265..304 (Poisson from 50 ms).
const char* network_toml = R"TOML(
[simulation]
dt = "0.1 ms"
seed = 17

[[population]]
name = "drive"
size = 80
cell = "poisson_source"
rate = "40 Hz"

[[population]]
name = "stim"
size = 2
cell = "spike_source"
times = ["5 ms", "60.05 ms", "60.05 ms", "120 ms"]

[[population]]
name = "E"
size = 150
synapse = "exp"
tau_m = "20 ms"
tau_syn_ex = "1 ms"
tau_syn_in = "3 ms"
V_init = { distribution = "uniform", low = "-70 mV", high = "-56 mV" }

[[population]]
name = "D"
size = 30
tau_m = "15 ms"

[[population]]
name = "soma"
size = 3
cell = "cable"
sections = [{ name = "soma", length = "20 um", diam = "20 um" }]
paint = [{ region = "soma", mechanism = "hh" }]
synapses = [{ location = "soma(0.5)", mechanism = "ExpSyn", tau = "2 ms", e = "0 mV" }]

[[population]]
name = "late"
size = 40
cell = "poisson_source"
rate = "100 Hz"
start = "50 ms"
stop = "150 ms"

[[projection]]
source = ["drive", "late"]
target = "E"
rule = "fixed_indegree"
indegree = 30
weight = "160 pA"
delay = { distribution = "uniform", low = "0.5 ms", high = "2.5 ms" }

[[projection]]
source = "stim"
target = "E"
rule = "all_to_all"
weight = "300 pA"
delay = "1 ms"

[[projection]]
source = "E"
target = "E"
rule = "fixed_indegree"
indegree = 15
weight = { distribution = "normal", mean = "-120 pA", std = "20 pA" }
delay = { distribution = "uniform", low = "1 ms", high = "2 ms" }

[[projection]]
source = ["drive", "stim", "E"]
target = "D"
rule = "pairwise_bernoulli"
p = 0.2
weight = "1.5 mV"
delay = "1.3 ms"

[[projection]]
source = ["drive", "stim", "late"]
target = "soma"
rule = "fixed_indegree"
indegree = 20
weight = "0.6 nS"
delay = { distribution = "uniform", low = "1 ms", high = "3 ms" }

[[projection]]
source = "soma"
target = "D"
rule = "all_to_all"
weight = "5 mV"
delay = "2 ms"

[record]
voltage = { gids = [100, 240, 263], interval = "0.5 ms" }
)TOML";

collecting_sink run(execution_mode mode, unsigned threads, std::size_t group_size) {
    model_file m = parse_model_file(network_toml, "sources_network.toml");
    m.options.mode = mode;
    m.options.threads = threads;
    m.options.group_size = group_size;
    const auto r = make_recipe(m);
    simulation sim(*r, m.options);
    collecting_sink sink;
    sim.run(150.0, &sink);
    return sink;
}

void expect_same(const collecting_sink& a, const collecting_sink& b, const std::string& what) {
    ASSERT_EQ(a.spikes.size(), b.spikes.size()) << what;
    for (std::size_t k = 0; k < a.spikes.size(); ++k) ASSERT_EQ(a.spikes[k], b.spikes[k]) << what << ", spike " << k;
    ASSERT_EQ(a.samples.size(), b.samples.size()) << what;
    for (std::size_t k = 0; k < a.samples.size(); ++k) {
        ASSERT_EQ(a.samples[k].gid, b.samples[k].gid) << what;
        ASSERT_EQ(a.samples[k].time, b.samples[k].time) << what;
        ASSERT_EQ(a.samples[k].value, b.samples[k].value) << what << ", sample " << k;
    }
}

std::size_t spikes_in(const collecting_sink& s, gid_type first, gid_type end) {
    std::size_t n = 0;
    for (const spike& x : s.spikes) n += x.gid >= first && x.gid < end;
    return n;
}

void check_stepping(execution_mode bsp, execution_mode async) {
    const collecting_sink reference = run(bsp, 1, 0);
    // The sources drive every kind of target: the comparison means something.
    EXPECT_GT(spikes_in(reference, 0, 80), 300u);   // 80 cells * 40 Hz * 0.15 s = 480 expected
    EXPECT_EQ(spikes_in(reference, 80, 82), 8u);
    EXPECT_GT(spikes_in(reference, 82, 232), 20u);  // E
    EXPECT_GT(spikes_in(reference, 232, 262), 20u); // D
    EXPECT_GT(spikes_in(reference, 262, 265), 3u);  // cable cells
    EXPECT_GT(spikes_in(reference, 265, 305), 200u); // 40 * 100 Hz * 0.1 s = 400 expected
    for (const spike& s : reference.spikes)
        if (s.gid >= 265) ASSERT_GT(s.time, 50.0);
    std::printf("%s: %zu spikes (E %zu, D %zu, cable %zu)\n", to_string(bsp).c_str(), reference.spikes.size(),
                spikes_in(reference, 82, 232), spikes_in(reference, 232, 262), spikes_in(reference, 262, 265));
    for (const auto mode : {bsp, async})
        for (const unsigned threads : {1u, 2u, 3u})
            for (const std::size_t group_size : {std::size_t{0}, std::size_t{1}, std::size_t{7}, std::size_t{64}}) {
                if (mode == bsp && threads == 1 && group_size == 0) continue;
                expect_same(reference, run(mode, threads, group_size),
                            to_string(mode) + ", " + std::to_string(threads) + " threads, groups of " +
                                std::to_string(group_size));
            }
}

} // namespace

TEST(SpikeSourceDeterminism, FixedStepBitIdenticalAcrossThreadsGroupsAndAsync) {
    check_stepping(execution_mode::bsp_fixed, execution_mode::async_fixed);
}

TEST(SpikeSourceDeterminism, VariableStepBitIdenticalAcrossThreadsGroupsAndAsync) {
    check_stepping(execution_mode::bsp_variable, execution_mode::async_variable);
}

// The same sources give the same trains in both steppings: the fixed-step
// spike of a source is its variable-step spike moved up to the step grid.
TEST(SpikeSourceDeterminism, SourceTrainsAgreeBetweenSteppings) {
    const auto fixed = run(execution_mode::bsp_fixed, 2, 0);
    const auto variable = run(execution_mode::async_variable, 2, 0);
    std::vector<std::vector<double>> f(305), v(305);
    for (const spike& s : fixed.spikes) f[s.gid].push_back(s.time);
    for (const spike& s : variable.spikes) v[s.gid].push_back(s.time);
    for (gid_type g : {0u, 1u, 40u, 79u, 80u, 81u, 265u, 300u}) {
        ASSERT_EQ(f[g].size(), v[g].size()) << "gid " << g;
        for (std::size_t k = 0; k < f[g].size(); ++k)
            EXPECT_EQ(f[g][k], std::max(1.0, std::ceil(v[g][k] / 0.1 - 1e-9)) * 0.1) << "gid " << g;
    }
}
