// Cell groups whose event order is canonical (canonical_event_order()) give
// bit-identical results however the same spikes are split into deliver()
// calls: the asynchronous engine's pairwise horizons hand a group a
// long-delay source's spikes in a later batch than a short-delay source's
// later spikes (docs/architecture.md, "Asynchronous execution").
//
// The network: six spike sources onto one HH cable cell's ExpSyn, source s
// with delay 0.5 (s + 1) ms, each emitting so that all six events arrive
// together at a few times. In global (time, gid) order the long-delay
// sources' spikes come first; the split batching delivers the short-delay
// source's spikes first, as a late batch of the others would. ExpSyn sums the weights
// (g += w), so an order that followed the batches would change g, and so v,
// in the last bits (weight_of).
#include "cells/cable/cable_cvode_group.hpp"
#include "cells/cable/cable_fixed_step_group.hpp"
#include "cells/lif/lif_event_driven_group.hpp"

#include <ranvier/cable_cell.hpp>
#include <ranvier/lif_cell.hpp>
#include <ranvier/recipe.hpp>
#include <ranvier/spike_source_cell.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

using namespace ranvier;

namespace {

constexpr gid_type sources = 6;
constexpr gid_type target = sources; // the cable (or LIF) cell
constexpr double arrivals[] = {4.0, 4.5, 5.25, 7.25, 9.0, 11.5};
constexpr double dt = 0.025;

double delay_of(gid_type s) { return 0.5 * static_cast<double>(s + 1); }
// One strong connection (the short-delay source 0) and tiny ones: weights
// are stored in single precision, so sums of similar weights are exact in
// double; the tiny ones' sum is exact, but each tiny one added after the
// strong one rounds, so the two orders give different g (checked: each cable
// test fails with events ordered by scheduling alone).
double weight_of(gid_type s) { return s == 0 ? 0.05 : 3.1e-12 * (1.0 + 0.371 * static_cast<double>(s)); }

cable_cell hh_cell_with_expsyn() {
    morphology_builder b;
    b.add_section({1, 20, 20, {}, -1, 1.0, "soma"});
    cable_cell c;
    c.morph = b.build();
    c.paintings.push_back({std::string("soma"), "hh", {}});
    c.synapses.push_back({{"soma", 0.5}, "ExpSyn", {}});
    c.detector = {{"soma", 0.5}, 0};
    return c;
}

struct converging_recipe final : recipe {
    bool lif = false; // the target: an event-driven LIF cell instead of a cable cell
    gid_type num_cells() const override { return sources + 1; }
    cell_kind kind(gid_type gid) const override {
        return gid < sources ? cell_kind::spike_source : lif ? cell_kind::lif : cell_kind::cable;
    }
    cell_description cell(gid_type gid) const override {
        if (gid < sources) return spike_source_cell{};
        if (lif) {
            lif_cell c;
            c.synapse = lif_synapse::exp;
            return c;
        }
        return hh_cell_with_expsyn();
    }
    std::vector<connection> connections_on(gid_type gid) const override {
        std::vector<connection> in;
        if (gid == target)
            for (gid_type s = 0; s < sources; ++s) in.push_back({s, 0, lif ? 2000 * weight_of(s) : weight_of(s), delay_of(s)});
        return in;
    }
    std::vector<probe> probes_on(gid_type gid) const override {
        if (gid != target) return {};
        if (lif) return {probe{"v", 0.1, ""}};
        return {probe{"v", 0.1, ""}, probe{"ExpSyn.g", 0.1, ""}};
    }
};

// Every source's spike for every arrival, sorted by (time, gid).
std::vector<spike> all_spikes() {
    std::vector<spike> out;
    for (const double t : arrivals)
        for (gid_type s = 0; s < sources; ++s) out.push_back({s, t - delay_of(s)});
    std::sort(out.begin(), out.end(), spike_before);
    return out;
}

// Batches of the same spikes: all at once, or the shortest-delay source's
// first (each batch sorted by (time, gid), as the engine hands them).
std::vector<std::vector<spike>> batches(bool split) {
    const std::vector<spike> all = all_spikes();
    if (!split) return {all};
    std::vector<spike> early, late;
    for (const spike& s : all) (s.gid == 0 ? early : late).push_back(s);
    return {early, late};
}

template <class Group>
void deliver_in(Group& g, bool split) {
    for (const auto& b : batches(split)) g.deliver(b);
}

group_output run_fixed(bool split) {
    const converging_recipe r;
    cable_fixed_step_group g(r, {target}, dt);
    g.prepare(1000);
    deliver_in(g, split);
    group_output out;
    g.advance(0, 600, out); // 15 ms
    return out;
}

group_output run_variable(bool split, const cable::hybrid_options& hybrid = {}) {
    const converging_recipe r;
    cable::cvode_options o;
    o.atol = 1e-4;
    cable_cvode_group g(r, {target}, o, hybrid);
    deliver_in(g, split);
    group_output out;
    g.advance_to(0, out);
    g.advance_to(15, out);
    return out;
}

group_output run_event_driven_lif(bool split) {
    converging_recipe r;
    r.lif = true;
    lif_event_driven_group g(r, {target}, 1);
    deliver_in(g, split);
    group_output out;
    g.advance_to(0, out);
    g.advance_to(15, out);
    return out;
}

void expect_identical(const group_output& a, const group_output& b) {
    ASSERT_EQ(a.spikes.size(), b.spikes.size());
    for (std::size_t k = 0; k < a.spikes.size(); ++k) EXPECT_EQ(a.spikes[k], b.spikes[k]) << "spike " << k;
    ASSERT_EQ(a.samples.size(), b.samples.size());
    ASSERT_GT(a.samples.size(), 100u);
    std::size_t differ = 0;
    for (std::size_t k = 0; k < a.samples.size(); ++k) {
        EXPECT_EQ(a.samples[k].time, b.samples[k].time);
        differ += a.samples[k].value != b.samples[k].value;
    }
    EXPECT_EQ(differ, 0u) << "samples whose bits depend on the batching";
}

} // namespace

TEST(event_batch_order, cable_fixed_step_is_independent_of_batches) {
    const group_output one = run_fixed(false);
    EXPECT_FALSE(one.spikes.empty()) << "the events must make the cell fire";
    expect_identical(one, run_fixed(true));
}

TEST(event_batch_order, cable_cvode_is_independent_of_batches) {
    const group_output one = run_variable(false);
    EXPECT_FALSE(one.spikes.empty()) << "the events must make the cell fire";
    expect_identical(one, run_variable(true));
}

TEST(event_batch_order, hybrid_fixed_windows_are_independent_of_batches) {
    // A huge CVODE step cost: every window after the first takes the fixed
    // step, whose events wait in hybrid_cable_cell's own queue.
    cable::hybrid_options h;
    h.enabled = true;
    h.dt = dt;
    h.window = 2;
    h.cvode_step_cost = 1e6;
    const group_output one = run_variable(false, h);
    expect_identical(one, run_variable(true, h));
}

TEST(event_batch_order, event_driven_lif_is_independent_of_batches) {
    expect_identical(run_event_driven_lif(false), run_event_driven_lif(true));
}
