// hybrid_cable_cell: one cable cell choosing CVODE or the fixed step window by
// window. What must hold: the choice follows the cell's activity (quiet:
// CVODE; busy: fixed step), the trajectory and spikes do not depend on how
// the caller splits the run into advances, and a switching cell stays as
// accurate as the fixed step against a tight-tolerance CVODE solution.
#include "cable/cable_cell_lowering.hpp"
#include "cable/cable_state_builder.hpp"
#include "cable/hybrid_cable_cell.hpp"

#include <ranvier/errors.hpp>
#include <ranvier/network_model.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <string>
#include <vector>

namespace ranvier::cable {
namespace {

// Cell 0 of examples/ring.toml (hh soma, passive dendritic tree, one ExpSyn)
// without its kick event.
cable_state ring_cell_state() {
    static const cable_cell cell = [] {
        model_file model = load_model_file(std::string(RANVIER_SOURCE_DIR) + "/examples/ring.toml");
        const auto r = make_recipe(model);
        auto d = r->cell(0);
        cable_cell c = std::get<cable_cell>(d);
        c.events.clear();
        return c;
    }();
    cable_state_builder builder;
    lower_cable_cell(builder, cell, "test cell");
    return builder.build(cell.v_init);
}

// Input: events of `weight` uS at a steady rate over [start, stop) ms, on
// the ExpSyn, at times from a fixed random sequence (seeded).
struct train {
    double start, stop, rate_per_ms, weight;
};
std::vector<std::pair<double, double>> events_of(const std::vector<train>& trains) {
    std::vector<std::pair<double, double>> out;
    std::mt19937_64 rng(12345);
    for (const train& t : trains) {
        std::exponential_distribution<double> gap(t.rate_per_ms);
        for (double x = t.start + gap(rng); x < t.stop; x += gap(rng)) out.push_back({x, t.weight});
    }
    std::sort(out.begin(), out.end());
    return out;
}

struct outcome {
    std::vector<double> spikes;
    std::vector<double> v_at_checkpoints; // soma v at every 10 ms
    hybrid_statistics counters;
};

// Runs the cell to t_stop, scheduling each event once the committed time
// has passed a point at least `lookahead` ms before it (as an engine would,
// events never arriving after their time), advancing in chunks drawn from
// `chunk_seed` (0: 10 ms chunks aligned with the checkpoints).
outcome run(hybrid_options hybrid, cvode_options cvode, const std::vector<std::pair<double, double>>& events,
            double t_stop, unsigned chunk_seed) {
    hybrid_cable_cell cell(ring_cell_state(), 0, cvode, hybrid);
    const auto target = cell.resolve_target("ExpSyn", 0);
    std::mt19937 rng(chunk_seed);
    std::uniform_real_distribution<double> chunk(0.01, 3.0);
    outcome out;
    std::size_t next_event = 0;
    double t = 0;
    double next_checkpoint = 10;
    while (t < t_stop) {
        double t_end = chunk_seed == 0 ? t + 10 : t + chunk(rng);
        t_end = std::min({t_end, next_checkpoint, t_stop});
        // Every event before t_end is known before advancing (delay >= chunk).
        while (next_event < events.size() && events[next_event].first < t_end + 1.0) {
            cell.schedule_event(target, events[next_event].first, events[next_event].second);
            ++next_event;
        }
        cell.advance_to(t_end);
        t = t_end;
        if (t == next_checkpoint) {
            out.v_at_checkpoints.push_back(cell.voltage()[0]);
            next_checkpoint += 10;
        }
    }
    for (const cable_spike& s : cell.spikes()) out.spikes.push_back(s.time);
    out.counters = cell.hybrid_counters();
    return out;
}

hybrid_options switching(double cost = 4) {
    hybrid_options h;
    h.enabled = true;
    h.dt = 0.025;
    h.window = 5;
    h.cvode_step_cost = cost;
    return h;
}

// Quiet, then busy (a dense background and strong kicks that make the cell
// fire), then quiet.
const std::vector<train> quiet_busy_quiet{{0, 40, 0.05, 0.002},
                                          {40, 80, 4.0, 0.0005},
                                          {40, 80, 0.15, 0.05},
                                          {80, 150, 0.05, 0.002}};

TEST(hybrid_cable_cell, chooses_by_activity) {
    const auto events = events_of(quiet_busy_quiet);
    const outcome quiet = run(switching(), {}, {}, 150, 0);
    EXPECT_EQ(quiet.counters.fixed_windows, 0) << "a cell at rest never pays for the fixed step";
    EXPECT_EQ(quiet.counters.variable_windows, 30);

    const outcome mixed = run(switching(), {}, events, 150, 0);
    ASSERT_GE(mixed.spikes.size(), 3u) << "the burst must make the cell fire";
    EXPECT_GT(mixed.counters.fixed_windows, 0) << "the burst is cheaper on the fixed step";
    EXPECT_GT(mixed.counters.variable_windows, 10) << "the quiet parts stay on CVODE";
    EXPECT_GE(mixed.counters.switches, 2) << "to the fixed step and back";
    EXPECT_EQ(mixed.counters.fixed_windows + mixed.counters.variable_windows, 30);
}

TEST(hybrid_cable_cell, independent_of_how_the_run_is_split) {
    const auto events = events_of(quiet_busy_quiet);
    const outcome aligned = run(switching(), {}, events, 150, 0);
    for (const unsigned seed : {1u, 2u, 3u}) {
        const outcome split = run(switching(), {}, events, 150, seed);
        EXPECT_EQ(split.spikes, aligned.spikes) << "chunks from seed " << seed;
        EXPECT_EQ(split.v_at_checkpoints, aligned.v_at_checkpoints) << "chunks from seed " << seed;
        EXPECT_EQ(split.counters.switches, aligned.counters.switches);
    }
}

TEST(hybrid_cable_cell, off_is_plain_cvode_and_always_fixed_is_the_fixed_step) {
    const auto events = events_of(quiet_busy_quiet);
    // Switching off: the cvode_cell alone.
    hybrid_options off;
    cvode_cell plain(ring_cell_state(), 0, {});
    const auto target = plain.resolve_target("ExpSyn", 0);
    for (const auto& [t, w] : events) plain.schedule_event(target, t, w);
    plain.advance_to(150);
    std::vector<double> plain_spikes;
    for (const cable_spike& s : plain.spikes()) plain_spikes.push_back(s.time);
    EXPECT_EQ(run(off, {}, events, 150, 0).spikes, plain_spikes);

    // A prohibitive CVODE cost: fixed step from the first window boundary on,
    // so after the first spike-free 5 ms the cell is the fixed-step stepper's.
    std::vector<std::pair<double, double>> late;
    for (const auto& e : events)
        if (e.first >= 5) late.push_back(e);
    const outcome always_fixed = run(switching(1e9), {}, late, 150, 0);
    EXPECT_EQ(always_fixed.counters.variable_windows, 1);
    EXPECT_EQ(always_fixed.counters.fixed_windows, 29);
    EXPECT_EQ(always_fixed.counters.fixed_steps, 29 * 200);

    fixed_step_cable_stepper fixed(ring_cell_state(), {time_scheme::backward_euler, 0.025});
    for (std::size_t k = 0; k < late.size(); ++k) {
        // The ExpSyn is the cell's only point-process target.
        fixed.schedule_event(0, late[k].first, late[k].second);
    }
    fixed.run_until(150);
    ASSERT_EQ(always_fixed.spikes.size(), fixed.spikes().size());
    // The first 5 ms differ only by CVODE's vs backward Euler's rest state
    // (the cell starts at rest, input-free): the spikes agree to a step.
    for (std::size_t k = 0; k < fixed.spikes().size(); ++k)
        EXPECT_NEAR(always_fixed.spikes[k], fixed.spikes()[k].time, 0.025 + 1e-9) << "spike " << k;
}

TEST(hybrid_cable_cell, as_accurate_as_the_fixed_step) {
    const auto events = events_of(quiet_busy_quiet);
    cvode_options tight;
    tight.atol = 1e-6;
    hybrid_options off;
    const outcome reference = run(off, tight, events, 150, 0);
    const outcome mixed = run(switching(), {}, events, 150, 0);
    fixed_step_cable_stepper fixed(ring_cell_state(), {time_scheme::backward_euler, 0.025});
    for (const auto& [t, w] : events) fixed.schedule_event(0, t, w);
    fixed.run_until(150);
    ASSERT_EQ(mixed.spikes.size(), reference.spikes.size());
    ASSERT_EQ(fixed.spikes().size(), reference.spikes.size());
    double worst_mixed = 0, worst_fixed = 0;
    for (std::size_t k = 0; k < reference.spikes.size(); ++k) {
        worst_mixed = std::max(worst_mixed, std::abs(mixed.spikes[k] - reference.spikes[k]));
        worst_fixed = std::max(worst_fixed, std::abs(fixed.spikes()[k].time - reference.spikes[k]));
    }
    std::printf("largest spike-time error: hybrid %.4f ms, fixed step %.4f ms (%zu spikes)\n",
                worst_mixed, worst_fixed, reference.spikes.size());
    // The hybrid's fixed windows are the fixed step; its CVODE windows are
    // more accurate: never worse than the fixed step by more than a step.
    EXPECT_LE(worst_mixed, worst_fixed + 0.025);
}

TEST(hybrid_cable_cell, bad_options_are_named) {
    auto expect_error = [](hybrid_options h, cvode_options c, const std::string& key) {
        try {
            hybrid_cable_cell cell(ring_cell_state(), 0, c, h);
            ADD_FAILURE() << "accepted bad " << key;
        } catch (const user_error& e) {
            EXPECT_NE(std::string(e.what()).find(key), std::string::npos) << e.what();
        }
    };
    hybrid_options h = switching();
    h.window = 0.01;
    expect_error(h, {}, "hybrid_window");
    h = switching();
    h.cvode_step_cost = -1;
    expect_error(h, {}, "hybrid_cvode_step_cost");
    h = switching();
    h.dt = std::nan("");
    expect_error(h, {}, "dt");
    cvode_options grouped;
    grouped.event_window = 0.1;
    expect_error(switching(), grouped, "event_window");
}

} // namespace
} // namespace ranvier::cable
