// Small recipes and sinks used by the C++ tests.
#pragma once

#include "random/counter_rng.hpp"

#include <ranvier/recipe.hpp>
#include <ranvier/simulation.hpp>

#include <cstdint>
#include <functional>
#include <vector>

namespace ranvier::testing {

// Collects everything a run produces.
struct collecting_sink final : output_sink {
    std::vector<spike> spikes;
    std::vector<trace_sample> samples;
    void on_spikes(std::span<const spike> s) override { spikes.insert(spikes.end(), s.begin(), s.end()); }
    void on_samples(std::span<const trace_sample> s) override {
        samples.insert(samples.end(), s.begin(), s.end());
    }
};

// A recipe assembled from per-gid lists, for hand-made test networks.
struct list_recipe final : recipe {
    std::vector<lif_cell> cells;
    std::vector<std::vector<connection>> incoming;
    std::vector<std::vector<poisson_input>> poisson;
    std::vector<std::vector<current_input>> currents;
    std::vector<std::vector<probe>> probes;

    explicit list_recipe(std::size_t n)
        : cells(n), incoming(n), poisson(n), currents(n), probes(n) {}

    gid_type num_cells() const override { return static_cast<gid_type>(cells.size()); }
    cell_kind kind(gid_type) const override { return cell_kind::lif; }
    cell_description cell(gid_type gid) const override { return cells.at(gid); }
    std::vector<connection> connections_on(gid_type gid) const override { return incoming.at(gid); }
    std::vector<poisson_input> poisson_inputs_on(gid_type gid) const override { return poisson.at(gid); }
    std::vector<current_input> current_inputs_on(gid_type gid) const override { return currents.at(gid); }
    std::vector<probe> probes_on(gid_type gid) const override { return probes.at(gid); }
};

// A LIF cell that fires exactly once, in the first step (at t = dt), and then
// stays refractory for the rest of any test: a spike source with a known time.
inline lif_cell single_spike_driver() {
    lif_cell c;
    c.E_L = 0;
    c.V_th = 1;
    c.V_reset = 0;
    c.V_init = 2; // above threshold: spikes in step 0
    c.t_ref = 1e7;
    return c;
}

// The LIF cell of the test networks: rest 0 mV, threshold 20 mV, reset
// 10 mV, tau_m 20 ms; the rest as lif_cell's defaults.
inline lif_cell network_cell(lif_synapse kind) {
    lif_cell c;
    c.synapse = kind;
    c.E_L = 0;
    c.V_th = 20;
    c.V_reset = 10;
    c.tau_m = 20;
    return c;
}

// What the tests vary in random_network.
struct random_network_options {
    lif_synapse kind = lif_synapse::delta;
    std::uint64_t connectivity_seed = 3; // seed of the connectivity random stream
    // false: every delay on the 0.1 ms grid (1.0 .. 2.9 ms). true: odd-numbered
    // connections of a cell on that grid (ties between events), even-numbered
    // ones uniform in [1, 3) ms (off the grid).
    bool off_grid_delays = false;
};

// A random excitatory/inhibitory network driven by Poisson input, active
// enough that any change in the order events are summed changes some spike
// time: 300 network_cells with V_init uniform in [0, 20) mV, 30 connections
// onto each from random sources (every fifth gid inhibitory), a Poisson train
// onto each, and a voltage probe on cell 7 (every 0.5 ms).
inline list_recipe random_network(const random_network_options& o) {
    const std::size_t n = 300;
    list_recipe r(n);
    counter_rng rng(o.connectivity_seed, stream_purpose::connectivity, 99, 0);
    const bool delta = o.kind == lif_synapse::delta;
    for (gid_type gid = 0; gid < n; ++gid) {
        lif_cell& c = r.cells[gid];
        c = network_cell(o.kind);
        c.V_init = 20 * rng.uniform();
        for (int k = 0; k < 30; ++k) {
            // The order of the rng calls is part of the network: source, then delay.
            const auto src = static_cast<gid_type>(rng.below(n));
            const bool inhibitory = src % 5 == 0;
            const double w = delta ? (inhibitory ? -0.6 : 0.2) : (inhibitory ? -90.0 : 30.0);
            const double d = !o.off_grid_delays || k % 2
                                 ? 1.0 + 0.1 * static_cast<double>(rng.below(20))
                                 : 1.0 + 2.0 * rng.uniform();
            r.incoming[gid].push_back({src, 0, w, d});
        }
        r.poisson[gid] = {poisson_input{delta ? 12000.0 : 9000.0, delta ? 0.1 : 25.0}};
    }
    r.probes[7] = {probe{"v", 0.5}};
    return r;
}

// Four cells with connections of several weights and delays onto 1, 2 and 3
// (two from the same source onto 3): the connection-table tests' network.
inline list_recipe four_cells() {
    list_recipe r(4);
    r.incoming[1] = {{0, 0, 0.5, 1.0}, {3, 0, -1.0, 2.5}};
    r.incoming[2] = {{0, 0, 0.25, 1.5}};
    r.incoming[3] = {{0, 0, 2.0, 1.0}, {0, 0, 3.0, 1.0}};
    return r;
}

} // namespace ranvier::testing
