// Small recipes and sinks used by the C++ tests.
#pragma once

#include <ranvier/recipe.hpp>
#include <ranvier/simulation.hpp>

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

} // namespace ranvier::testing
