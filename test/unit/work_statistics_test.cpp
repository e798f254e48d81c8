// Where a run's time went (run_statistics::threads, advance_lengths,
// per_cell): the histogram and per-cell summaries on known values, then every
// mode on a mixed network (spike sources, LIF, cable cells with two synapse
// sites), checked against what the recipe and the spikes imply.
#include "support/test_recipes.hpp"

#include <ranvier/network_model.hpp>
#include <ranvier/simulation.hpp>
#include <ranvier/work_statistics.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

using namespace ranvier;
using ranvier::testing::collecting_sink;

TEST(length_histogram, equal_lengths_give_exact_quantiles) {
    length_histogram h;
    h.add(1.5, 99);
    h.add(1.5);
    EXPECT_EQ(h.count(), 100u);
    for (const double p : {0.0, 0.5, 0.9, 1.0}) EXPECT_EQ(h.quantile(p), 1.5) << p;
    EXPECT_EQ(h.min(), 1.5);
    EXPECT_EQ(h.max(), 1.5);
    EXPECT_DOUBLE_EQ(h.mean(), 1.5);
}

TEST(length_histogram, quantiles_of_spread_lengths_are_within_a_bin) {
    // 1, 2, ..., 100 ms: the nearest-rank median is 50, p90 is 90. A quantile
    // is the mean of its bin's values; bins are 10^(1/20) = 12% wide.
    length_histogram h;
    for (int k = 100; k >= 1; --k) h.add(k);
    EXPECT_EQ(h.count(), 100u);
    EXPECT_EQ(h.min(), 1.0);
    EXPECT_EQ(h.max(), 100.0);
    EXPECT_DOUBLE_EQ(h.mean(), 50.5);
    EXPECT_NEAR(h.quantile(0.5), 50.0, 50.0 * 0.122);
    EXPECT_NEAR(h.quantile(0.9), 90.0, 90.0 * 0.122);
    EXPECT_LE(h.quantile(0.5), h.quantile(0.9));
    // Two distinct lengths far apart: each quantile is one of them exactly.
    length_histogram two;
    two.add(0.1, 3);
    two.add(2.0, 7);
    EXPECT_EQ(two.quantile(0.3), 0.1);
    EXPECT_EQ(two.quantile(0.31), 2.0);
    EXPECT_EQ(two.quantile(0.5), 2.0);
}

TEST(length_histogram, empty_and_out_of_range_lengths) {
    const length_histogram empty;
    EXPECT_EQ(empty.count(), 0u);
    EXPECT_EQ(empty.quantile(0.5), 0.0);
    EXPECT_EQ(empty.min(), 0.0);
    EXPECT_EQ(empty.max(), 0.0);
    length_histogram h; // below and above the binned range: still counted, exact when alone
    h.add(1e-9);
    h.add(1e9);
    EXPECT_EQ(h.quantile(0.5), 1e-9);
    EXPECT_EQ(h.quantile(1.0), 1e9);
}

TEST(cell_count_summary, worst_cell_is_the_smallest_gid_among_equals_in_any_order) {
    cell_count_summary a, b;
    const std::vector<std::pair<std::uint64_t, gid_type>> values = {{3, 9}, {7, 12}, {7, 4}, {1, 0}};
    for (const auto& [v, g] : values) a.add(v, g);
    for (auto it = values.rbegin(); it != values.rend(); ++it) b.add(it->first, it->second);
    for (const auto* s : {&a, &b}) {
        EXPECT_EQ(s->cells, 4u);
        EXPECT_EQ(s->total, 18u);
        EXPECT_EQ(s->max, 7u);
        EXPECT_EQ(s->max_gid, 4u);
        EXPECT_DOUBLE_EQ(s->mean(), 4.5);
    }
}

namespace {

// Poisson sources drive LIF cells and cable cells with two synapses (a
// projection onto each site), the LIF cells excite the cable cells and each
// other: every kind of group, and events onto sites other than a cell's first.
const char* mixed_model = R"toml(
[simulation]
t_stop = "60 ms"
dt = "0.1 ms"
seed = 5

[[population]]
name = "drive"
size = 30
cell = "poisson_source"
rate = "80 Hz"

[[population]]
name = "E"
size = 40
synapse = "exp"
tau_m = "20 ms"
V_init = { distribution = "uniform", low = "-70 mV", high = "-56 mV" }

[[population]]
name = "cable"
size = 7
cell = "cable"
sections = [{ name = "soma", length = "20 um", diam = "20 um" }]
paint = [{ region = "soma", mechanism = "hh" }]
synapses = [{ location = "soma(0.5)", mechanism = "ExpSyn", tau = "2 ms", e = "0 mV" },
            { location = "soma(0.5)", mechanism = "ExpSyn", tau = "5 ms", e = "-80 mV" }]

[[projection]]
source = "drive"
target = "E"
rule = "fixed_indegree"
indegree = 12
weight = "300 pA"
delay = "1 ms"

[[projection]]
source = "E"
target = "E"
rule = "fixed_indegree"
indegree = 4
weight = "50 pA"
delay = "1.5 ms"

[[projection]]
source = "drive"
target = "cable"
rule = "fixed_indegree"
indegree = 6
weight = "2 nS"
delay = "1 ms"
synapse = 0

[[projection]]
source = "E"
target = "cable"
rule = "fixed_indegree"
indegree = 3
weight = "1 nS"
delay = "2 ms"
synapse = 1
)toml";

constexpr gid_type sources = 30, lif_cells = 40, cable_cells = 7;
constexpr double t_stop = 60.0;

struct mode_run {
    execution_mode mode;
    unsigned threads;
    std::size_t group_size;
    bool hybrid = false; // cable cells may switch to the fixed step per window
};

std::string name_of(const mode_run& m) {
    return to_string(m.mode) + ", " + std::to_string(m.threads) + " threads, groups of " +
           std::to_string(m.group_size) + (m.hybrid ? ", hybrid" : "");
}

bool variable(execution_mode m) {
    return m == execution_mode::bsp_variable || m == execution_mode::async_variable;
}
bool bsp(execution_mode m) { return m == execution_mode::bsp_fixed || m == execution_mode::bsp_variable; }

// Events each cell receives if every spike is delivered (the bsp engines
// deliver each epoch's spikes, the last epoch's included).
std::map<gid_type, std::uint64_t> expected_events(const recipe& r, const std::vector<spike>& spikes) {
    std::map<gid_type, std::uint64_t> spikes_of, events;
    for (const spike& s : spikes) ++spikes_of[s.gid];
    for (gid_type gid = sources; gid < r.num_cells(); ++gid)
        for (const connection& c : r.connections_on(gid)) events[gid] += spikes_of[c.source];
    return events;
}

class where_time_went : public ::testing::TestWithParam<mode_run> {};

} // namespace

TEST_P(where_time_went, counts_agree_with_the_network_and_times_with_the_wall_clock) {
    const mode_run m = GetParam();
    SCOPED_TRACE(name_of(m));
    const model_file model = parse_model_file(mixed_model, "mixed.toml");
    const auto r = make_recipe(model);
    simulation_options o = model.options;
    o.mode = m.mode;
    o.threads = m.threads;
    o.group_size = m.group_size;
    o.hybrid = m.hybrid;
    simulation sim(*r, o);
    collecting_sink sink;
    sim.run(t_stop, &sink);
    const run_statistics& s = sim.statistics();
    ASSERT_GT(sink.spikes.size(), 50u);

    // Threads: one entry each; busy and waiting fit in the simulate time
    // (both are measured inside it; 1 ms covers clock reads around it).
    ASSERT_EQ(s.threads.size(), m.threads);
    const double simulate = s.wall.update + s.wall.deliver + s.wall.communicate + s.wall.output;
    std::uint64_t tasks = 0;
    double busy = 0;
    for (const thread_work& t : s.threads) {
        EXPECT_GE(t.busy_s, 0);
        EXPECT_GE(t.wait_s, 0);
        EXPECT_LE(t.busy_s + t.wait_s, simulate + 1e-3);
        tasks += t.tasks;
        busy += t.busy_s;
    }
    EXPECT_GT(busy, 0);

    // Advances: every group covers [0, t_stop) once.
    const length_histogram& a = s.advance_lengths;
    ASSERT_GT(a.count(), 0u);
    EXPECT_LE(a.min(), a.quantile(0.5));
    EXPECT_LE(a.quantile(0.5), a.quantile(0.9));
    EXPECT_LE(a.quantile(0.9), a.max());
    EXPECT_NEAR(a.mean() * static_cast<double>(a.count()), t_stop * static_cast<double>(s.cell_groups),
                1e-9 * t_stop * static_cast<double>(s.cell_groups));
    // The longest advance is the shortest delay (1 ms).
    EXPECT_NEAR(a.max(), 1.0, 1e-12);
    if (bsp(m.mode)) {
        // Epochs of 1 ms: every advance that long; an update and a delivery
        // task per group and epoch (bsp-variable: and the point t = 0).
        EXPECT_NEAR(a.min(), 1.0, 1e-12);
        EXPECT_EQ(a.count(), static_cast<std::uint64_t>(t_stop) * s.cell_groups);
        const std::uint64_t point_epochs = m.mode == execution_mode::bsp_variable ? s.cell_groups : 0;
        EXPECT_EQ(tasks, 2 * (a.count() + point_epochs));
    } else {
        // One task per advance (the delivery before it included).
        EXPECT_EQ(tasks, a.count());
    }

    // Per cell: spike sources count nothing.
    const cell_work_statistics& c = s.per_cell;
    EXPECT_EQ(c.events_delivered.cells, lif_cells + cable_cells);
    EXPECT_EQ(c.events_delivered.total, s.events_delivered);
    EXPECT_GE(static_cast<double>(c.events_delivered.max), c.events_delivered.mean());
    EXPECT_GE(c.events_delivered.max_gid, sources);
    if (bsp(m.mode)) {
        const auto expected = expected_events(*r, sink.spikes);
        std::uint64_t total = 0, max = 0;
        gid_type max_gid = 0;
        for (const auto& [gid, n] : expected) {
            total += n;
            if (n > max) max = n, max_gid = gid;
        }
        EXPECT_EQ(c.events_delivered.total, total);
        EXPECT_EQ(c.events_delivered.max, max);
        EXPECT_EQ(c.events_delivered.max_gid, max_gid);
    }
    if (variable(m.mode)) {
        // CVODE cable cells only: event-driven LIF cells take no steps.
        EXPECT_EQ(c.steps.cells, cable_cells);
        // Steps of both kinds (fixed_steps: hybrid windows on the fixed step).
        EXPECT_EQ(c.steps.total, s.integrator.steps + s.integrator.fixed_steps);
        if (m.hybrid) {
            EXPECT_GT(s.integrator.fixed_steps, 0u);
        } else {
            EXPECT_EQ(s.integrator.fixed_steps, 0u);
        }
        EXPECT_EQ(c.restarts.cells, cable_cells);
        EXPECT_EQ(c.restarts.total, s.integrator.restarts);
        EXPECT_GT(c.restarts.total, 0u);
        EXPECT_GE(static_cast<double>(c.steps.max), c.steps.mean());
        EXPECT_GE(c.steps.max_gid, sources + lif_cells);
    } else {
        // Every LIF and cable cell takes t_stop / dt steps; nothing restarts.
        EXPECT_EQ(c.steps.cells, lif_cells + cable_cells);
        EXPECT_EQ(c.steps.max, 600u);
        EXPECT_EQ(c.steps.total, 600u * (lif_cells + cable_cells));
        EXPECT_EQ(c.steps.max_gid, sources);
        EXPECT_EQ(c.restarts.cells, 0u);
    }
}

TEST_P(where_time_went, a_run_in_pieces_counts_what_one_run_counts) {
    const mode_run m = GetParam();
    SCOPED_TRACE(name_of(m));
    const model_file model = parse_model_file(mixed_model, "mixed.toml");
    const auto r = make_recipe(model);
    simulation_options o = model.options;
    o.mode = m.mode;
    o.threads = m.threads;
    o.group_size = m.group_size;
    o.hybrid = m.hybrid;
    simulation whole(*r, o), pieces(*r, o);
    whole.run(t_stop);
    pieces.run(17.0);
    pieces.run(40.0);
    pieces.run(t_stop);
    const cell_work_statistics& a = whole.statistics().per_cell;
    const cell_work_statistics& b = pieces.statistics().per_cell;
    for (const auto& [x, y] : {std::pair{a.steps, b.steps}, std::pair{a.restarts, b.restarts},
                               std::pair{a.events_delivered, b.events_delivered}}) {
        EXPECT_EQ(x.cells, y.cells);
        EXPECT_EQ(x.total, y.total);
        EXPECT_EQ(x.max, y.max);
        EXPECT_EQ(x.max_gid, y.max_gid);
    }
    EXPECT_EQ(pieces.statistics().threads.size(), m.threads);
}

INSTANTIATE_TEST_SUITE_P(modes, where_time_went,
                         ::testing::Values(mode_run{execution_mode::bsp_fixed, 1, 0},
                                           mode_run{execution_mode::bsp_fixed, 2, 9},
                                           mode_run{execution_mode::bsp_variable, 3, 9},
                                           mode_run{execution_mode::async_fixed, 2, 9},
                                           mode_run{execution_mode::async_fixed, 1, 0},
                                           mode_run{execution_mode::async_variable, 2, 9},
                                           mode_run{execution_mode::async_variable, 3, 4},
                                           mode_run{execution_mode::bsp_variable, 2, 9, true},
                                           mode_run{execution_mode::async_variable, 2, 4, true}),
                         [](const ::testing::TestParamInfo<mode_run>& info) {
                             const mode_run& m = info.param;
                             std::string name = to_string(m.mode) + "_" + std::to_string(m.threads) +
                                                "threads_groups" + std::to_string(m.group_size) +
                                                (m.hybrid ? "_hybrid" : "");
                             std::replace(name.begin(), name.end(), '-', '_');
                             return name;
                         });
