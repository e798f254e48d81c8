// The dry run (make_dry_run_context; docs/scaling.md): one process plays
// rank K of N and models the others as shifted copies of itself. Checked
// here: a world of one is the normal run; on a network made of identical
// halves the copy model is exact, so rank K of a dry run of 2 gives the
// spikes the whole network gives K's cells (a real 2-process run gives the
// same spikes as one process: test/mpi/); the exchange counters follow
// from the spikes; each rank builds only its share; bad worlds are refused.
#include "support/test_recipes.hpp"

#include "random/counter_rng.hpp"

#include <ranvier/errors.hpp>
#include <ranvier/execution_context.hpp>
#include <ranvier/simulation.hpp>

#include <gtest/gtest.h>

#include <algorithm>

namespace ranvier {
namespace {

constexpr execution_mode all_modes[] = {execution_mode::bsp_fixed, execution_mode::bsp_variable,
                                        execution_mode::async_fixed, execution_mode::async_variable};

simulation_options options_for(execution_mode mode, unsigned threads = 2) {
    simulation_options o;
    o.mode = mode;
    o.threads = threads;
    return o;
}

// Two identical halves of `half` cells each: cell i of either half has the
// same parameters, drive and connections by index, and each connection comes
// from this half or the other by the same random choice. Shifting every gid
// by `half` (mod 2 half) maps the network onto itself, so each half spikes
// exactly as the other: the dry run's copy model holds exactly. About half
// the connections cross between the halves, so the copies matter.
testing::list_recipe identical_halves(gid_type half) {
    testing::list_recipe r(2 * static_cast<std::size_t>(half));
    for (gid_type i = 0; i < half; ++i) {
        counter_rng rng(11, stream_purpose::connectivity, i, 0);
        lif_cell c = testing::network_cell(lif_synapse::delta);
        c.V_init = 20 * rng.uniform();
        // DC drive around threshold (R = tau_m / C_m): some cells fire on
        // their own, the rest only with input.
        const double drive_mV = 17 + 8 * rng.uniform();
        std::vector<connection> incoming;
        std::vector<bool> crosses;
        for (int k = 0; k < 20; ++k) {
            const auto source = static_cast<gid_type>(rng.below(half));
            const bool cross = rng.uniform() < 0.5;
            const bool inhibitory = source % 4 == 0;
            incoming.push_back({source, 0, inhibitory ? -0.8 : 0.4, 1.0 + 0.1 * static_cast<double>(rng.below(15))});
            crosses.push_back(cross);
        }
        for (gid_type h = 0; h < 2; ++h) {
            const gid_type gid = h * half + i;
            r.cells[gid] = c;
            r.currents[gid] = {current_input{{0.0}, {drive_mV * c.C_m / c.tau_m}}};
            for (std::size_t k = 0; k < incoming.size(); ++k) {
                connection in = incoming[k];
                in.source += (crosses[k] ? 1 - h : h) * half;
                r.incoming[gid].push_back(in);
            }
        }
    }
    r.probes[3] = {probe{"v", 0.5}};
    r.probes[half + 3] = {probe{"v", 0.5}};
    return r;
}

std::vector<spike> of_range(const std::vector<spike>& spikes, gid_type begin, gid_type end) {
    std::vector<spike> kept;
    for (const spike& s : spikes)
        if (s.gid >= begin && s.gid < end) kept.push_back(s);
    return kept;
}

TEST(DryRun, AWorldOfOneIsTheNormalRun) {
    const testing::list_recipe model = testing::random_network({});
    for (const execution_mode mode : all_modes) {
        SCOPED_TRACE(to_string(mode));
        testing::collecting_sink normal, dry;
        simulation a(model, options_for(mode));
        a.run(60, &normal);
        simulation b(model, options_for(mode), make_dry_run_context(1));
        b.run(60, &dry);
        ASSERT_GT(normal.spikes.size(), 100u);
        EXPECT_EQ(normal.spikes, dry.spikes);
        EXPECT_EQ(normal.samples.size(), dry.samples.size());
        EXPECT_TRUE(std::equal(normal.samples.begin(), normal.samples.end(), dry.samples.begin(),
                               [](const trace_sample& x, const trace_sample& y) {
                                   return x.gid == y.gid && x.time == y.time && x.value == y.value;
                               }));
        const run_statistics& s = b.statistics();
        EXPECT_EQ(s.spikes, a.statistics().spikes);
        EXPECT_EQ(s.dry_run.processes, 1u);
        EXPECT_EQ(s.dry_run.cells, 300u);
        EXPECT_EQ(s.dry_run.modelled_spikes, 0u); // nobody else to model
    }
}

TEST(DryRun, EachRankOfIdenticalHalvesSpikesAsTheWholeNetwork) {
    const gid_type half = 150;
    const testing::list_recipe model = identical_halves(half);
    for (const execution_mode mode : all_modes) {
        SCOPED_TRACE(to_string(mode));
        testing::collecting_sink whole;
        simulation full(model, options_for(mode));
        full.run(80, &whole);
        for (int rank = 0; rank < 2; ++rank) {
            SCOPED_TRACE("rank " + std::to_string(rank));
            const gid_type begin = static_cast<gid_type>(rank) * half;
            const std::vector<spike> expected = of_range(whole.spikes, begin, begin + half);
            ASSERT_GT(expected.size(), 200u);
            testing::collecting_sink dry;
            simulation sim(model, options_for(mode), make_dry_run_context(2, rank));
            sim.run(80, &dry);
            // Its own cells' spikes only, equal to the whole network's.
            EXPECT_EQ(dry.spikes, expected);
            for (const trace_sample& s : dry.samples) EXPECT_EQ(s.gid, begin + 3);
            EXPECT_FALSE(dry.samples.empty());
            const dry_run_statistics& d = sim.statistics().dry_run;
            EXPECT_EQ(d.processes, 2u);
            EXPECT_EQ(d.rank, static_cast<std::uint64_t>(rank));
            EXPECT_EQ(d.cells, half);
            EXPECT_EQ(sim.statistics().spikes, expected.size());
            EXPECT_GT(d.modelled_spikes, 0u);
            ASSERT_EQ(sim.statistics().processes.size(), 1u);
            EXPECT_EQ(sim.statistics().processes[0].first_gid, begin);
        }
    }
}

TEST(DryRun, BspExchangeCountsFollowFromTheRanksSpikes) {
    const testing::list_recipe model = identical_halves(100);
    for (const int processes : {2, 5}) {
        SCOPED_TRACE(processes);
        simulation sim(model, options_for(execution_mode::bsp_fixed), make_dry_run_context(processes, 1));
        sim.run(50);
        const dry_run_statistics& d = sim.statistics().dry_run;
        // Epochs of the shortest delay (1 ms): 50 of them.
        EXPECT_EQ(d.epochs, 50u);
        EXPECT_EQ(d.local_spikes, sim.statistics().spikes);
        ASSERT_GT(d.local_spikes, 0u);
        // Per epoch a 16-byte count and stop flag, then 16 bytes a spike;
        // every rank sends as much, so a rank receives N times its part.
        EXPECT_EQ(d.exchange_bytes_sent, 16 * d.epochs + 16 * d.local_spikes);
        EXPECT_EQ(d.exchange_bytes_received, static_cast<std::uint64_t>(processes) * d.exchange_bytes_sent);
        EXPECT_GE(d.max_local_spikes_per_epoch * d.epochs, d.local_spikes);
        EXPECT_EQ(d.messages, 0u); // no point-to-point messages in bsp
    }
}

TEST(DryRun, AsyncCountsTheMessagesOfTheRank) {
    const testing::list_recipe model = identical_halves(100);
    simulation sim(model, options_for(execution_mode::async_fixed), make_dry_run_context(2, 0));
    sim.run(50);
    const dry_run_statistics& d = sim.statistics().dry_run;
    // One receiving process (the other half); a message each time the
    // watermark rises: at least once per chunk of 1 ms, at most once per
    // advance of a group.
    EXPECT_EQ(d.message_destinations, 1u);
    EXPECT_GE(d.messages, 50u);
    EXPECT_LE(d.messages, sim.statistics().advance_lengths.count());
    // Each: an 8-byte watermark, then 16 bytes a spike; every spike of a
    // cell the other half has connections from (here, nearly all).
    EXPECT_GE(d.message_bytes, 8 * d.messages);
    EXPECT_LE(d.message_bytes, 8 * d.messages + 16 * sim.statistics().spikes);
    EXPECT_GT(d.message_bytes, 8 * d.messages + 16 * sim.statistics().spikes / 2);
    EXPECT_EQ(d.build_messages, 1u);
    EXPECT_EQ(sim.statistics().processes.at(0).messages_sent, d.messages);
    EXPECT_EQ(sim.statistics().processes.at(0).message_bytes_sent, d.message_bytes);
    EXPECT_EQ(d.epochs, 0u); // no all-gathers in async
    EXPECT_GT(d.run_wall_s, 0.0);
}

// A dry run is one process: a stop request ends it mid-run in every mode,
// as it does a single process (a real distributed async run ends together).
TEST(DryRun, AStopRequestEndsTheRunEarly) {
    const testing::list_recipe model = identical_halves(100);
    for (const execution_mode mode : all_modes) {
        SCOPED_TRACE(to_string(mode));
        simulation sim(model, options_for(mode), make_dry_run_context(4, 1));
        struct stopping_sink final : output_sink {
            simulation* sim = nullptr;
            void on_progress(time_type t, time_type) override {
                if (t >= 10) sim->request_stop();
            }
        } sink;
        sink.sim = &sim;
        sim.run(1000, &sink);
        EXPECT_GE(sim.statistics().t_reached, 10.0);
        EXPECT_LT(sim.statistics().t_reached, 100.0);
    }
}

TEST(DryRun, ARankBuildsOnlyItsShare) {
    // The connection tables of rank 0 of 8 hold an eighth of the network's
    // connections (each cell has the same indegree).
    const testing::list_recipe model = testing::random_network({});
    simulation one(model, options_for(execution_mode::bsp_fixed), make_dry_run_context(1));
    simulation eighth(model, options_for(execution_mode::bsp_fixed), make_dry_run_context(8, 3));
    const run_statistics &a = one.statistics(), &b = eighth.statistics();
    EXPECT_EQ(a.synapses, 300u * 30u);
    // Gids 3 * 300 / 8 = 112 to 4 * 300 / 8 = 150: 38 cells.
    EXPECT_EQ(b.synapses, 38u * 30u);
    EXPECT_EQ(b.processes.at(0).cells, 38u);
    EXPECT_EQ(b.processes.at(0).first_gid, 112u);
    EXPECT_LT(b.connection_bytes * 4, a.connection_bytes);
    EXPECT_GT(b.connection_bytes, 0u);
}

TEST(DryRun, ABadWorldIsRefusedNamingWhatIsRight) {
    try {
        make_dry_run_context(0);
        FAIL() << "a world of 0 processes was accepted";
    } catch (const user_error& e) {
        EXPECT_NE(std::string(e.what()).find("at least 1 process, got 0"), std::string::npos) << e.what();
    }
    try {
        make_dry_run_context(4, 4);
        FAIL() << "rank 4 of 4 was accepted";
    } catch (const user_error& e) {
        EXPECT_NE(std::string(e.what()).find("from 0 to 3"), std::string::npos) << e.what();
    }
    EXPECT_THROW(make_dry_run_context(4, -1), user_error);
    const execution_context c = make_dry_run_context(4, 2);
    EXPECT_EQ(c.size(), 4);
    EXPECT_EQ(c.rank(), 2);
    EXPECT_TRUE(c.dry_run);
    EXPECT_EQ(process_prefix(c), ""); // one real process
}

} // namespace
} // namespace ranvier
