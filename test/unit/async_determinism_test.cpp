// The determinism contract of the asynchronous modes (DESIGN.md): async-fixed
// gives bit-identical spikes and samples to bsp-fixed, and async-variable to
// bsp-variable, for any number of threads and any split into cell groups;
// a run continued in pieces equals one run.
#include "support/test_recipes.hpp"

#include <ranvier/cable_cell.hpp>
#include <ranvier/errors.hpp>
#include <ranvier/network_model.hpp>
#include <ranvier/simulation.hpp>
#include <ranvier/spike_source_cell.hpp>

#include <gtest/gtest.h>

#include <cmath>
#include <initializer_list>
#include <memory>
#include <string>
#include <tuple>

using namespace ranvier;
using ranvier::testing::collecting_sink;
using ranvier::testing::list_recipe;
using ranvier::testing::random_network;

namespace {

// The shared random network with delays on and off the grid, and a second
// probe so that samples of two cells in different groups are compared.
list_recipe async_network(lif_synapse kind) {
    list_recipe r =
        random_network({.kind = kind, .connectivity_seed = 11, .off_grid_delays = true});
    r.probes[123] = {probe{"v", 0.3}};
    return r;
}

// A feed-forward chain: only cell 0 gets input, every cell excites the next
// with delays of 1-3 ms. Groups far down the chain wait for the ones before
// them, so groups run far apart in time: the case the asynchronous schedule
// exists for.
list_recipe chain_network() {
    const std::size_t n = 120;
    list_recipe r(n);
    for (gid_type gid = 0; gid < n; ++gid) {
        lif_cell& c = r.cells[gid];
        c.synapse = lif_synapse::delta;
        c.E_L = 0;
        c.V_th = 15;
        c.V_reset = 0;
        c.tau_m = 10;
        // 20 mV jumps: every spike of a cell makes the next one fire.
        if (gid > 0) r.incoming[gid].push_back({gid - 1, 0, 20.0, 1.0 + 0.7 * static_cast<double>(gid % 3)});
    }
    r.poisson[0] = {poisson_input{4000.0, 0.5}}; // drives cell 0 to ~20 mV mean: regular firing
    r.probes[60] = {probe{"v", 1.0}};
    return r;
}

// Pairwise horizons: two halves (gids [0, n) and [n, 2n)) with short delays
// inside each (1.0-1.4 ms) and long ones between them (8.0-8.9 ms), so
// a group may run much further ahead of the other half's groups than of its
// own. Groups of most sizes straddle the halves, and every group receives
// from both: deliveries to a group then mix sources of both delays.
constexpr double short_delay(std::uint64_t k) { return 1.0 + 0.1 * static_cast<double>(k % 5); }
constexpr double long_delay(std::uint64_t k) { return 8.0 + 0.1 * static_cast<double>(k % 10); }

// LIF cells (random_network's cells and input): 20 connections from the own
// half, 10 from the other.
list_recipe two_halves_lif(lif_synapse kind) {
    const gid_type n = 150;
    list_recipe r(2 * n);
    counter_rng rng(21, stream_purpose::connectivity, 99, 0);
    const bool delta = kind == lif_synapse::delta;
    for (gid_type gid = 0; gid < 2 * n; ++gid) {
        r.cells[gid] = ranvier::testing::network_cell(kind);
        r.cells[gid].V_init = 20 * rng.uniform();
        const gid_type own = gid < n ? 0 : n, other = n - own;
        for (int k = 0; k < 30; ++k) {
            const bool near = k < 20;
            const auto src = static_cast<gid_type>((near ? own : other) + rng.below(n));
            const bool inhibitory = src % 5 == 0;
            const double w = delta ? (inhibitory ? -0.6 : 0.2) : (inhibitory ? -90.0 : 30.0);
            const std::uint64_t d = rng.below(10);
            r.incoming[gid].push_back({src, 0, w, near ? short_delay(d) : long_delay(d)});
        }
        r.poisson[gid] = {poisson_input{delta ? 12000.0 : 9000.0, delta ? 0.1 : 25.0}};
    }
    r.probes[7] = {probe{"v", 0.5}};
    r.probes[200] = {probe{"v", 0.5}};
    return r;
}

// HH cable cells with an ExpSyn, driven by Poisson spike sources (two per
// half, after the cells); 4 connections from the own half, 2 from the other.
// `heavy_b`: the second half's cells carry a long dendrite of 200
// compartments, so they cost far more than the first half's.
struct two_halves_cable final : recipe {
    static constexpr gid_type n = 12, drives = 4;
    bool heavy_b = false;

    gid_type num_cells() const override { return 2 * n + drives; }
    cell_kind kind(gid_type gid) const override { return gid < 2 * n ? cell_kind::cable : cell_kind::spike_source; }
    cell_description cell(gid_type gid) const override {
        if (gid >= 2 * n) {
            spike_source_cell s;
            s.rate = 150;
            return s;
        }
        morphology_builder b;
        b.add_section({1, 20, 20, {}, -1, 1.0, "soma"});
        const bool heavy = heavy_b && gid >= n;
        if (heavy) b.add_section({3, 1000, 2, {}, 0, 1.0, "dend"});
        cable_cell c;
        c.morph = b.build();
        if (heavy) c.discretization.nseg_for_section["dend"] = 200;
        c.paintings.push_back({std::string("soma"), "hh", {}});
        if (heavy) c.paintings.push_back({std::string("dend"), "pas", {}});
        c.synapses.push_back({{"soma", 0.5}, "ExpSyn", {}});
        c.detector = {{"soma", 0.5}, 0};
        return c;
    }
    std::vector<connection> connections_on(gid_type gid) const override {
        std::vector<connection> in;
        if (gid >= 2 * n) return in;
        counter_rng rng(23, stream_purpose::connectivity, 99, gid);
        const gid_type own = gid < n ? 0 : n, other = n - own;
        const gid_type drive = 2 * n + (gid < n ? 0 : 2);
        in.push_back({drive, 0, 0.03, 1.0});
        in.push_back({drive + 1, 0, 0.03, 1.0});
        for (int k = 0; k < 6; ++k) {
            const bool near = k < 4;
            const auto src = static_cast<gid_type>((near ? own : other) + rng.below(n));
            const std::uint64_t d = rng.below(10);
            in.push_back({src, 0, near ? 0.004 : 0.008, near ? short_delay(d) : long_delay(d)});
        }
        return in;
    }
    std::vector<probe> probes_on(gid_type gid) const override {
        if (gid == 3 || gid == n + 5) return {probe{"v", 0.25, ""}};
        return {};
    }
};

// A late batch by construction: spike source 0 reaches the cable cell (gid
// 2) with delays 1.0 ms (tiny weight) and 1.6 ms (strong), source 1 with
// 8.0 ms (tiny); in groups of one cell, D(source 0, cell) = 1 ms and
// D(source 1, cell) = 8 ms. Both events arrive at T_k (10.5 ms, then every
// 4-8 ms, half a millisecond and a step or two past a whole ms, so that g
// differs from cycle to cycle): source 0 fires at
// T_k - 1.6, source 1 at T_k - 8. The advance to floor(T_k) takes source
// 0's spike (T_k - 1.6 < floor(T_k) - 1) but not source 1's, so the cell is
// handed the later spike first; bsp hands it the earlier one first. The
// strong weight added before or after the tiny one often rounds g
// differently, so the traces show whether the cell kept bsp's order.
struct late_batch_recipe final : recipe {
    // Gaps of 4-8 ms: g before each arrival has bits of its own.
    static double arrival(int k) {
        double t = 10.5;
        for (int j = 0; j < k; ++j) t += 4.0 + static_cast<double>(j * 3 % 5);
        return t + 0.025 * (k % 3);
    }
    gid_type num_cells() const override { return 3; }
    cell_kind kind(gid_type gid) const override { return gid < 2 ? cell_kind::spike_source : cell_kind::cable; }
    cell_description cell(gid_type gid) const override {
        if (gid < 2) {
            spike_source_cell s;
            for (int k = 0; k < 12; ++k) s.times.push_back(arrival(k) - (gid == 0 ? 1.6 : 8.0));
            return s;
        }
        morphology_builder b;
        b.add_section({1, 20, 20, {}, -1, 1.0, "soma"});
        cable_cell c;
        c.morph = b.build();
        c.paintings.push_back({std::string("soma"), "hh", {}});
        // tau 2 ms: g before an arrival holds the decayed earlier ones,
        // so its last bits differ from cycle to cycle.
        c.synapses.push_back({{"soma", 0.5}, "ExpSyn", {{"tau", 2.0}}});
        c.detector = {{"soma", 0.5}, 0};
        return c;
    }
    std::vector<connection> connections_on(gid_type gid) const override {
        if (gid != 2) return {};
        // 1.5 units in the last place of g (~0.05 uS) after the strong event:
        // added after it, the sum is a tie that rounds to even; added before,
        // it is rounded together with g, so the two orders often differ.
        return {{0, 0, 3.3e-12, 1.0}, {0, 0, 0.05, 1.6}, {1, 0, std::ldexp(1.5, -57), 8.0}};
    }
    std::vector<probe> probes_on(gid_type gid) const override {
        if (gid != 2) return {};
        return {probe{"v", 0.1, ""}, probe{"ExpSyn.g", 0.1, ""}};
    }
};

// The same late batch onto a fixed-step LIF cell (delta synapses, no
// spikes: V keeps every rounding). Its ring slots sum events in delivery
// order: with source 0's two connections of 1.6 ms (5 mV, then 0.5 ulp of
// 5 mV) and source 1's tiny one (1.25 ulp), ((0 + c) + a) + b and
// ((0 + a) + b) + c round apart. The group keeps its shortest delay for
// every source (canonical_event_order() false), so the slot is filled in
// bsp's order; checked: with the pair delays it fails.
struct late_batch_lif_recipe final : recipe {
    gid_type num_cells() const override { return 3; }
    cell_kind kind(gid_type gid) const override { return gid < 2 ? cell_kind::spike_source : cell_kind::lif; }
    cell_description cell(gid_type gid) const override {
        if (gid < 2) {
            spike_source_cell s;
            for (int k = 0; k < 12; ++k)
                s.times.push_back(late_batch_recipe::arrival(k) - (gid == 0 ? 1.6 : 8.0));
            return s;
        }
        lif_cell c;
        c.E_L = 0;
        c.V_init = 0;
        c.V_th = 1e6; // never fires
        return c;
    }
    std::vector<connection> connections_on(gid_type gid) const override {
        if (gid != 2) return {};
        const double ulp = std::ldexp(1.0, -50); // of 5 mV
        return {{0, 0, 1.0, 1.0}, {0, 0, 5.0, 1.6}, {0, 0, 0.5 * ulp, 1.6}, {1, 0, 1.25 * ulp, 8.0}};
    }
    std::vector<probe> probes_on(gid_type gid) const override {
        if (gid != 2) return {};
        return {probe{"v", 0.1, ""}};
    }
};

collecting_sink run(const recipe& r, execution_mode mode, unsigned threads, std::size_t group_size,
                    double t_stop = 200.0) {
    simulation_options o;
    o.mode = mode;
    o.dt = 0.1;
    o.threads = threads;
    o.group_size = group_size;
    o.seed = 5;
    simulation sim(r, o);
    collecting_sink sink;
    sim.run(t_stop, &sink);
    EXPECT_DOUBLE_EQ(sim.statistics().t_reached, t_stop);
    EXPECT_EQ(sim.statistics().spikes, sink.spikes.size());
    return sink;
}

void expect_same(const collecting_sink& a, const collecting_sink& b, const std::string& what) {
    ASSERT_EQ(a.spikes.size(), b.spikes.size()) << what;
    for (std::size_t k = 0; k < a.spikes.size(); ++k)
        ASSERT_EQ(a.spikes[k], b.spikes[k]) << what << ", spike " << k;
    ASSERT_EQ(a.samples.size(), b.samples.size()) << what;
    for (std::size_t k = 0; k < a.samples.size(); ++k) {
        ASSERT_EQ(a.samples[k].gid, b.samples[k].gid) << what;
        ASSERT_EQ(a.samples[k].time, b.samples[k].time) << what;
        ASSERT_EQ(a.samples[k].value, b.samples[k].value) << what << ", sample " << k;
    }
}

// Expects run_async(threads, group_size), a run in mode `async`, to equal
// `reference` for every combination of the given threads and group sizes.
template <class Run>
void expect_async_same_as(const collecting_sink& reference, execution_mode async,
                          std::initializer_list<unsigned> threads,
                          std::initializer_list<std::size_t> group_sizes, Run run_async) {
    for (const unsigned t : threads)
        for (const std::size_t group_size : group_sizes)
            expect_same(run_async(t, group_size), reference,
                        to_string(async) + ", " + std::to_string(t) + " threads, groups of " +
                            std::to_string(group_size));
}

struct mode_pair {
    execution_mode bsp, async;
};

} // namespace

class async_vs_bsp : public ::testing::TestWithParam<std::tuple<mode_pair, lif_synapse>> {};

TEST_P(async_vs_bsp, random_network_identical_for_any_threads_and_groups) {
    const auto [modes, kind] = GetParam();
    const auto r = async_network(kind);
    const collecting_sink reference = run(r, modes.bsp, 1, 300);
    ASSERT_GT(reference.spikes.size(), 500u) << "the network must be active";
    expect_async_same_as(reference, modes.async, {1u, 2u, 3u}, {300u, 64u, 17u},
                         [&](unsigned threads, std::size_t group_size) {
                             return run(r, modes.async, threads, group_size);
                         });
}

TEST_P(async_vs_bsp, continuing_a_run_equals_one_run) {
    const auto [modes, kind] = GetParam();
    const auto r = async_network(kind);
    const collecting_sink whole = run(r, modes.async, 2, 64, 200.0);
    simulation_options o;
    o.mode = modes.async;
    o.dt = 0.1;
    o.threads = 2;
    o.group_size = 64;
    o.seed = 5;
    simulation sim(r, o);
    collecting_sink pieces;
    // Fixed step: any stop on the dt grid (37.3). Variable step: stops on the
    // epoch grid (1 ms here); a stop elsewhere adds a point where the
    // event-driven LIF cells' exact propagators are evaluated, which moves
    // later spike times in their last bits (docs/architecture.md).
    const double first = modes.async == execution_mode::async_fixed ? 37.3 : 37.0;
    for (const double t : {first, 100.0, 100.0, 200.0}) sim.run(t, &pieces);
    expect_same(pieces, whole, "in pieces");
}

std::string param_name(const ::testing::TestParamInfo<std::tuple<mode_pair, lif_synapse>>& info) {
    const mode_pair modes = std::get<0>(info.param);
    const lif_synapse kind = std::get<1>(info.param);
    const std::string synapse = kind == lif_synapse::delta ? "delta" : kind == lif_synapse::exp ? "exp" : "alpha";
    return (modes.async == execution_mode::async_fixed ? "fixed_" : "variable_") + synapse;
}

INSTANTIATE_TEST_SUITE_P(
    modes, async_vs_bsp,
    ::testing::Combine(::testing::Values(mode_pair{execution_mode::bsp_fixed, execution_mode::async_fixed},
                                         mode_pair{execution_mode::bsp_variable, execution_mode::async_variable}),
                       ::testing::Values(lif_synapse::delta, lif_synapse::exp, lif_synapse::alpha)),
    param_name);

TEST(async_chain, identical_to_bsp_for_any_threads_and_groups) {
    const auto r = chain_network();
    for (const auto& modes : {mode_pair{execution_mode::bsp_fixed, execution_mode::async_fixed},
                              mode_pair{execution_mode::bsp_variable, execution_mode::async_variable}}) {
        const collecting_sink reference = run(r, modes.bsp, 1, 120);
        ASSERT_GT(reference.spikes.size(), 200u) << "activity must travel down the chain";
        expect_async_same_as(reference, modes.async, {1u, 2u, 3u}, {120u, 8u, 1u},
                             [&](unsigned threads, std::size_t group_size) {
                                 return run(r, modes.async, threads, group_size);
                             });
    }
}

// The ring example for 60 ms with options `o` in `mode`, threads and group size.
static collecting_sink run_ring(const recipe& r, simulation_options o, execution_mode mode, unsigned threads,
                         std::size_t group_size) {
    o.mode = mode;
    o.threads = threads;
    o.group_size = group_size;
    simulation sim(r, o);
    collecting_sink sink;
    sim.run(60.0, &sink);
    return sink;
}

// Cable cells: the ring example (HH cells, ExpSyn events, CVODE in the
// variable mode), with a voltage probe added.
TEST(async_cable, ring_identical_to_bsp_for_any_threads_and_groups) {
    model_file model = load_model_file(std::string(RANVIER_SOURCE_DIR) + "/examples/ring.toml");
    const auto r = make_recipe(model);
    for (const auto& modes : {mode_pair{execution_mode::bsp_fixed, execution_mode::async_fixed},
                              mode_pair{execution_mode::bsp_variable, execution_mode::async_variable}}) {
        const collecting_sink reference = run_ring(*r, model.options, modes.bsp, 1, 16);
        ASSERT_GT(reference.spikes.size(), 30u);
        expect_async_same_as(reference, modes.async, {1u, 2u}, {16u, 3u},
                             [&](unsigned threads, std::size_t group_size) {
                                 return run_ring(*r, model.options, modes.async, threads, group_size);
                             });
    }
}

// Hybrid stepping: each cell's choice of CVODE or the fixed step depends on
// its own inputs only, so the spikes and traces are the same for bsp and
// async, any threads and groups. The cost is set so that the ring's cells
// take both kinds of windows and switch between them.
TEST(async_cable, hybrid_stepping_identical_to_bsp_for_any_threads_and_groups) {
    model_file model = load_model_file(std::string(RANVIER_SOURCE_DIR) + "/examples/ring.toml");
    const auto r = make_recipe(model);
    simulation_options o = model.options;
    o.hybrid = true;
    o.hybrid_window = 2.0;
    o.hybrid_cvode_step_cost = 20;
    o.mode = execution_mode::bsp_variable;
    o.threads = 1;
    o.group_size = 16;
    simulation bsp(*r, o);
    collecting_sink reference;
    bsp.run(60.0, &reference);
    ASSERT_GT(reference.spikes.size(), 30u);
    const integrator_statistics& in = bsp.statistics().integrator;
    EXPECT_GT(in.fixed_windows, 0u) << "some windows must take the fixed step";
    EXPECT_GT(in.variable_windows, 0u) << "some windows must take CVODE";
    EXPECT_GT(in.switches, 0u);
    EXPECT_EQ(in.fixed_steps, in.fixed_windows * 80u) << "2 ms windows of dt 0.025 ms";
    expect_async_same_as(reference, execution_mode::async_variable, {1u, 2u}, {16u, 3u},
                         [&](unsigned threads, std::size_t group_size) {
                             return run_ring(*r, o, execution_mode::async_variable, threads, group_size);
                         });
}

// A failing group (CVODE asked for more accuracy than doubles hold) stops the
// asynchronous run with the group's error, on any number of threads: the other
// threads must not wait for it forever.
TEST(async_cable, integrator_failure_is_reported_not_hung) {
    model_file model = load_model_file(std::string(RANVIER_SOURCE_DIR) + "/examples/ring.toml");
    const auto r = make_recipe(model);
    for (const unsigned threads : {1u, 2u, 3u}) {
        simulation_options o = model.options;
        o.mode = execution_mode::async_variable;
        o.atol = 1e-300;
        o.threads = threads;
        o.group_size = 3;
        simulation sim(*r, o);
        try {
            sim.run(20.0);
            FAIL() << "the run must fail";
        } catch (const user_error& e) {
            const std::string what = e.what();
            EXPECT_NE(what.find("cell gid"), std::string::npos) << what;
            EXPECT_NE(what.find("CV_TOO_MUCH_ACC"), std::string::npos) << what;
        }
    }
}

// Pairwise horizons (docs/architecture.md): with delays that differ by pair,
// async stays bit-identical to bsp: LIF groups (fixed step: the group's
// shortest delay for every source; event-driven: pairwise).
TEST(async_pairwise, two_halves_lif_identical_to_bsp) {
    for (const lif_synapse kind : {lif_synapse::delta, lif_synapse::alpha}) {
        const auto r = two_halves_lif(kind);
        for (const auto& modes : {mode_pair{execution_mode::bsp_fixed, execution_mode::async_fixed},
                                  mode_pair{execution_mode::bsp_variable, execution_mode::async_variable}}) {
            const collecting_sink reference = run(r, modes.bsp, 1, 300);
            ASSERT_GT(reference.spikes.size(), 500u) << "the network must be active";
            expect_async_same_as(reference, modes.async, {1u, 2u, 3u}, {300u, 64u, 17u},
                                 [&](unsigned threads, std::size_t group_size) {
                                     return run(r, modes.async, threads, group_size);
                                 });
        }
    }
}

// Cable cells, fixed step and CVODE: events of sources with different pair
// delays reach a group in batches that depend on timing; each cell applies
// simultaneous events in the order of their spikes (cable/event_origin.hpp).
TEST(async_pairwise, two_halves_cable_identical_to_bsp) {
    const two_halves_cable r;
    for (const auto& modes : {mode_pair{execution_mode::bsp_fixed, execution_mode::async_fixed},
                              mode_pair{execution_mode::bsp_variable, execution_mode::async_variable}}) {
        simulation_options o;
        o.dt = 0.025;
        o.seed = 5;
        const auto run_cable = [&](execution_mode mode, unsigned threads, std::size_t group_size) {
            o.mode = mode;
            o.threads = threads;
            o.group_size = group_size;
            simulation sim(r, o);
            collecting_sink sink;
            sim.run(90.0, &sink);
            return sink;
        };
        const collecting_sink reference = run_cable(modes.bsp, 1, 28);
        ASSERT_GT(reference.spikes.size(), 40u) << "the network must be active";
        std::size_t recurrent = 0;
        for (const spike& s : reference.spikes) recurrent += s.gid < 2 * two_halves_cable::n;
        ASSERT_GT(recurrent, 20u) << "the cable cells must fire";
        expect_async_same_as(reference, modes.async, {1u, 2u, 3u}, {28u, 5u, 2u},
                             [&](unsigned threads, std::size_t group_size) {
                                 return run_cable(modes.async, threads, group_size);
                             });
    }
}

// The pair rule lets a group run ahead of a group it receives from by up to
// the delay between the two, not only the shortest delay onto it (1 ms
// here): while a thread integrates the costly second half (one group),
// another takes the cheap first half up to 8 ms ahead of it. With the group's
// shortest delay for every source, no group ever got more than 1 ms ahead.
TEST(async_pairwise, groups_run_ahead_of_long_delay_sources) {
    two_halves_cable r;
    r.heavy_b = true;
    for (const execution_mode mode : {execution_mode::async_fixed, execution_mode::async_variable}) {
        simulation_options o;
        o.dt = 0.025;
        o.seed = 5;
        o.mode = mode;
        o.threads = 2;
        o.group_size = two_halves_cable::n; // each half one group
        simulation sim(r, o);
        sim.run(60.0);
        EXPECT_GT(sim.statistics().max_lead, 3.0) << to_string(mode);
        EXPECT_LE(sim.statistics().max_lead, 8.9 + 1e-6) << to_string(mode) << ": never beyond the longest pair delay";
    }
}

// Checked: fails when cable cells apply simultaneous events in the order
// delivered (cable/event_origin.hpp's origin ignored).
TEST(async_pairwise, late_batch_of_a_long_delay_source_keeps_bsp_order) {
    const late_batch_recipe r;
    for (const auto& modes : {mode_pair{execution_mode::bsp_fixed, execution_mode::async_fixed},
                              mode_pair{execution_mode::bsp_variable, execution_mode::async_variable}}) {
        const auto run_late = [&](execution_mode mode, unsigned threads, std::size_t group_size) {
            simulation_options o;
            o.dt = 0.025;
            o.mode = mode;
            o.threads = threads;
            o.group_size = group_size;
            simulation sim(r, o);
            collecting_sink sink;
            sim.run(90.0, &sink);
            return sink;
        };
        const collecting_sink reference = run_late(modes.bsp, 1, 1);
        ASSERT_GT(reference.spikes.size(), 20u) << "the strong events must make the cell fire";
        expect_async_same_as(reference, modes.async, {1u, 2u}, {1u},
                             [&](unsigned threads, std::size_t group_size) {
                                 return run_late(modes.async, threads, group_size);
                             });
    }
}

TEST(async_pairwise, lif_fixed_step_keeps_the_global_order) {
    const late_batch_lif_recipe r;
    const auto run_late = [&](execution_mode mode, unsigned threads) {
        simulation_options o;
        o.dt = 0.025;
        o.mode = mode;
        o.threads = threads;
        o.group_size = 1;
        simulation sim(r, o);
        collecting_sink sink;
        sim.run(90.0, &sink);
        return sink;
    };
    const collecting_sink reference = run_late(execution_mode::bsp_fixed, 1);
    ASSERT_GT(reference.samples.size(), 800u);
    expect_async_same_as(reference, execution_mode::async_fixed, {1u, 2u}, {1u},
                         [&](unsigned threads, std::size_t) { return run_late(execution_mode::async_fixed, threads); });
}
