// NET_RECEIVE's extra arguments from a C++ recipe (connection::extra_weights):
// the cell groups check each connection against its target's NET_RECEIVE in
// every mode, with the connection's gids (model files are checked earlier,
// with their line: test_net_receive_events.py). Uses the test mechanisms of
// test/data/nmodl/events (GateSyn: NET_RECEIVE(w, scale, count, amp)),
// built once into their directory's cache.
#include <ranvier/cable_cell.hpp>
#include <ranvier/errors.hpp>
#include <ranvier/lif_cell.hpp>
#include <ranvier/mechanisms.hpp>
#include <ranvier/recipe.hpp>
#include <ranvier/simulation.hpp>

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

using namespace ranvier;

namespace {

std::shared_ptr<const cable::mechanism_catalogue> events_catalogue() {
    static const auto catalogue = load_mechanisms({std::string(RANVIER_SOURCE_DIR) + "/test/data/nmodl/events"});
    return catalogue;
}

cable_cell cell_with_synapses() {
    morphology_builder b;
    b.add_section({1, 20, 20, {}, -1, 1.0, "soma"});
    cable_cell c;
    c.morph = b.build();
    c.paintings.push_back({std::string("soma"), "hh", {}});
    c.synapses.push_back({{"soma", 0.5}, "GateSyn", {}}); // site 0
    c.synapses.push_back({{"soma", 0.5}, "ExpSyn", {}});  // site 1
    c.detector = {{"soma", 0.5}, 0};
    return c;
}

// gid 0: a spike source; gid 1: the cable cell; gid 2: a LIF cell.
struct events_recipe final : recipe {
    std::vector<connection> onto_1, onto_2;
    gid_type num_cells() const override { return 3; }
    cell_kind kind(gid_type gid) const override {
        return gid == 0 ? cell_kind::spike_source : gid == 1 ? cell_kind::cable : cell_kind::lif;
    }
    cell_description cell(gid_type gid) const override {
        if (gid == 0) {
            spike_source_cell s;
            s.times = {1.0, 3.0};
            return s;
        }
        if (gid == 1) return cell_with_synapses();
        return lif_cell{};
    }
    std::vector<connection> connections_on(gid_type gid) const override {
        return gid == 1 ? onto_1 : gid == 2 ? onto_2 : std::vector<connection>{};
    }
    std::shared_ptr<const cable::mechanism_catalogue> mechanisms() const override { return events_catalogue(); }
};

// The user_error of building and running r for 5 ms in `mode`, or "(no error)".
std::string run_error(const recipe& r, execution_mode mode) {
    simulation_options o;
    o.dt = 0.025;
    o.mode = mode;
    try {
        simulation sim(r, o);
        sim.run(5.0);
    } catch (const user_error& e) {
        return e.what();
    }
    return "(no error)";
}

const execution_mode modes[] = {execution_mode::bsp_fixed, execution_mode::bsp_variable,
                                execution_mode::async_fixed, execution_mode::async_variable};

} // namespace

TEST(net_receive_recipe, extra_weights_within_the_arguments_run_in_every_mode) {
    events_recipe r;
    r.onto_1 = {{0, 0, 0.004, 1.0, {0.5}}, {0, 0, 0.002, 1.5, {2.0, 1.0, 0.0}}, {0, 1, 0.01, 1.0, {}}};
    for (const auto mode : modes) EXPECT_EQ(run_error(r, mode), "(no error)") << to_string(mode);
}

TEST(net_receive_recipe, too_many_weights_name_the_connection_and_the_arguments) {
    events_recipe r;
    r.onto_1 = {{0, 0, 0.004, 1.0, {0.5, 1, 2, 3}}};
    for (const auto mode : modes)
        EXPECT_NE(run_error(r, mode).find("connection 0 -> 1: gives 5 weights (weight and 4 extra_weights), "
                                          "but its target GateSyn takes 4 (NET_RECEIVE(w, scale, count, amp))"),
                  std::string::npos)
            << to_string(mode) << ": " << run_error(r, mode);
}

TEST(net_receive_recipe, extra_weights_onto_a_one_weight_synapse_or_a_point_neuron) {
    events_recipe r;
    r.onto_1 = {{0, 1, 0.01, 1.0, {0.5}}};
    EXPECT_NE(run_error(r, execution_mode::bsp_fixed)
                  .find("connection 0 -> 1: gives 2 weights (weight and 1 extra_weights), but its target "
                        "ExpSyn has no NET_RECEIVE arguments beyond the weight"),
              std::string::npos)
        << run_error(r, execution_mode::bsp_fixed);
    r.onto_1 = {};
    r.onto_2 = {{0, 0, 1.0, 1.0, {0.5}}};
    for (const auto mode : modes)
        EXPECT_NE(run_error(r, mode).find("connection 0 -> 2: gives 1 extra weights, but its target (a point "
                                          "neuron) takes one weight only"),
                  std::string::npos)
            << to_string(mode) << ": " << run_error(r, mode);
}

TEST(net_receive_recipe, extra_weights_must_be_finite) {
    events_recipe r;
    r.onto_1 = {{0, 0, 0.004, 1.0, {std::numeric_limits<double>::quiet_NaN()}}};
    EXPECT_NE(run_error(r, execution_mode::bsp_variable).find("connection 0 -> 1: extra_weights must be finite"),
              std::string::npos)
        << run_error(r, execution_mode::bsp_variable);
}
