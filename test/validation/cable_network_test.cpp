// Networks of cable cells through the bsp-fixed engine: a chain of ring-test
// cells (bench/ring/README.md) must fire exactly when a single fixed_step_cable_stepper,
// driven by hand with the same events, fires; results must not depend on
// threads or groups; LIF <-> cable connections must carry spikes both ways.
// Every spike is compared with NEURON 8.2 running the same network
// (test/validation/reference/neuron/ring_networks.py, which writes
// ring_networks_spikes.json; the networks here are built from that file's
// numbers so the two cannot drift apart).
//
// Tolerance of the NEURON comparison: gid for gid, and times within 1e-9 ms.
// Both simulators use backward Euler at dt = 0.025 ms and stamp a spike at
// the end of the step after which v >= threshold; NEURON adds its event
// epsilon 1e-10 ms and accumulates t by repeated addition (measured drift
// 5e-12 ms by 60 ms in the file). 1e-9 ms covers both and is 1/25000 of a
// step: a single spike one step early or late fails.
#include "cable/cable_state_builder.hpp"
#include "cable/fixed_step_cable_stepper.hpp"
#include "cable/cable_cell_lowering.hpp"
#include "support/reference_files.hpp"

#include <ranvier/cable_cell.hpp>
#include <ranvier/network_model.hpp>
#include <ranvier/recipe.hpp>
#include <ranvier/simulation.hpp>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <fstream>
#include <string>
#include <vector>

using namespace ranvier;

namespace {

const std::string reference_file =
    std::string(RANVIER_SOURCE_DIR) + "/test/validation/reference/neuron/ring_networks_spikes.json";

// The NEURON reference (ring_networks_spikes.json): the cell, the run and,
// per network, its numbers and NEURON's spikes. Callers first
// ASSERT_TRUE(reference_present()).
const nlohmann::json& reference() {
    static const nlohmann::json j = [] {
        nlohmann::json r;
        std::ifstream(reference_file) >> r;
        return r;
    }();
    return j;
}

::testing::AssertionResult reference_present() {
    return ranvier::testing::committed_file(reference_file, ranvier::testing::neuron_reference_script);
}

const nlohmann::json& network(const std::string& name) { return reference()["networks"].at(name); }

std::vector<spike> neuron_spikes(const std::string& name) {
    const auto& s = network(name)["spikes"];
    std::vector<spike> out;
    for (std::size_t k = 0; k < s["gid"].size(); ++k)
        out.push_back({s["gid"][k].get<gid_type>(), s["time_ms"][k].get<double>()});
    return out;
}

// The NEURON runs' step (0.025 ms, the ring benchmark's), read from the file.
double dt() { return reference()["run"]["dt_ms"].get<double>(); }

// The ring benchmark's cell (bench/ring/README.md) from the reference's
// numbers: hh soma, a binary tree of pas dendrites (diam trunk * 2^(-2k/3)
// at level k), ExpSyn on the trunk, detector at soma(0.5).
cable_cell ring_cell() {
    const auto& j = reference()["cell"];
    morphology_builder b;
    b.add_section({1, j["soma_L_um"].get<double>(), j["soma_diam_um"].get<double>(), {}, -1, 1.0, "soma"});
    std::vector<int> parents{0};
    const int depth = j["branch_depth"].get<int>();
    const double trunk = j["trunk_diam_um"].get<double>();
    for (int level = 0; level <= depth; ++level) {
        std::vector<int> next;
        for (const int p : parents)
            for (int k = 0; k < (level == 0 ? 1 : 2); ++k)
                next.push_back(b.add_section(
                    {3, j["dend_L_um"].get<double>(), trunk * std::pow(2.0, -2.0 * level / 3.0), {}, p, 1.0,
                     ""}));
        parents = next;
    }
    cable_cell c;
    c.morph = b.build();
    c.discretization.nseg = j["dend_nseg"].get<int>();
    c.discretization.nseg_for_section["soma"] = j["soma_nseg"].get<int>();
    c.discretization.Ra = j["Ra_ohm_cm"].get<double>();
    c.discretization.cm = j["cm_uF_per_cm2"].get<double>();
    const auto& hh = j["hh"];
    c.paintings.push_back({std::string("soma"), "hh",
                           {{"gnabar", hh["gnabar_S_per_cm2"].get<double>()},
                            {"gkbar", hh["gkbar_S_per_cm2"].get<double>()},
                            {"gl", hh["gl_S_per_cm2"].get<double>()}, {"el", hh["el_mV"].get<double>()}}});
    // NEURON: soma.ena, soma.ek (the na and k ions hh uses).
    c.ions.push_back({std::string("soma"), "na", hh["ena_mV"].get<double>(), {}, {}});
    c.ions.push_back({std::string("soma"), "k", hh["ek_mV"].get<double>(), {}, {}});
    c.paintings.push_back({std::string("dend"), "pas",
                           {{"g", j["pas"]["g_S_per_cm2"].get<double>()}, {"e", j["pas"]["e_mV"].get<double>()}}});
    const auto& syn = j["expsyn"];
    EXPECT_EQ(syn["section"], "trunk");
    c.synapses.push_back({{"dend[0]", syn["x"].get<double>()},
                          "ExpSyn",
                          {{"tau", syn["tau_ms"].get<double>()}, {"e", syn["e_mV"].get<double>()}}});
    const auto& det = j["detector"];
    EXPECT_EQ(det["section"], "soma");
    c.detector = {{"soma", det["x"].get<double>()}, det["threshold_mV"].get<double>()};
    c.celsius = j["celsius_degC"].get<double>();
    c.v_init = j["v_init_mV"].get<double>();
    EXPECT_EQ(j["usetable_hh"], 0) << "Ranvier evaluates hh rates exactly";
    EXPECT_EQ(reference()["run"]["secondorder"], 0) << "bsp-fixed's default scheme is backward Euler";
    return c;
}

// A recipe of mixed cells given per gid.
struct mixed_recipe final : recipe {
    std::vector<cell_description> cells;
    std::vector<std::vector<connection>> incoming;
    std::vector<std::vector<probe>> probes;

    void add(cell_description c) {
        cells.push_back(std::move(c));
        incoming.emplace_back();
        probes.emplace_back();
    }
    gid_type num_cells() const override { return static_cast<gid_type>(cells.size()); }
    cell_kind kind(gid_type gid) const override {
        return std::holds_alternative<lif_cell>(cells.at(gid)) ? cell_kind::lif : cell_kind::cable;
    }
    cell_description cell(gid_type gid) const override { return cells.at(gid); }
    std::vector<connection> connections_on(gid_type gid) const override { return incoming.at(gid); }
    std::vector<probe> probes_on(gid_type gid) const override { return probes.at(gid); }
};

struct collecting_sink final : output_sink {
    std::vector<spike> spikes;
    std::vector<trace_sample> samples;
    void on_spikes(std::span<const spike> s) override {
        spikes.insert(spikes.end(), s.begin(), s.end());
    }
    void on_samples(std::span<const trace_sample> s) override {
        samples.insert(samples.end(), s.begin(), s.end());
    }
};

collecting_sink run(const recipe& r, double t_stop, unsigned threads = 1,
                    std::size_t group_size = 0) {
    simulation_options o;
    o.dt = dt();
    o.threads = threads;
    o.group_size = group_size;
    simulation sim(r, o);
    collecting_sink sink;
    sim.run(t_stop, &sink);
    return sink;
}

// Spike times of one ring cell alone in its own cable_state, with events
// scheduled by hand on its synapse.
std::vector<double> direct_spikes(const std::vector<std::pair<double, double>>& events,
                                  double t_stop) {
    cable::cable_state_builder builder;
    const cable_cell c = ring_cell();
    const auto lowered = lower_cable_cell(builder, c, "direct");
    cable::fixed_step_options o;
    o.dt = dt();
    cable::fixed_step_cable_stepper g(builder.build(c.v_init), o);
    g.clear_spikes();
    for (const auto& [t, w] : events) g.schedule_event(lowered.synapse_targets[0], t, w);
    std::vector<double> out;
    while (g.time() < t_stop - dt() / 2) {
        g.step();
        for (const auto& s : g.spikes()) out.push_back(s.time);
        g.clear_spikes();
    }
    return out;
}

std::vector<double> times_of(const std::vector<spike>& spikes, gid_type gid) {
    std::vector<double> t;
    for (const spike& s : spikes)
        if (s.gid == gid) t.push_back(s.time);
    return t;
}

// Connection tables store weights in single precision: the hand-driven
// reference uses the same rounded weight so that both see identical events.
double table_weight(double w) { return static_cast<float>(w); }

// A network of the reference file as a recipe of ring cells: its
// connections (source, target), delay, weight and external events.
mixed_recipe network_recipe(const nlohmann::json& net) {
    mixed_recipe r;
    const std::size_t n = net["cells"].get<std::size_t>();
    for (std::size_t i = 0; i < n; ++i) r.add(ring_cell());
    for (const auto& ev : net["events"])
        std::get<cable_cell>(r.cells.at(ev["gid"].get<std::size_t>()))
            .events.push_back({0, ev["time_ms"].get<double>(), ev["weight_uS"].get<double>()});
    for (const auto& c : net["connections"])
        r.incoming.at(c[1].get<std::size_t>())
            .push_back({c[0].get<gid_type>(), 0, net["weight_uS"].get<double>(), net["delay_ms"].get<double>()});
    return r;
}

// Ranvier's spikes against NEURON's (both sorted by time, then gid): the
// same gids in the same order, times within 1e-9 ms (file header).
void expect_neuron_spikes(const std::vector<spike>& got, const std::vector<spike>& neuron,
                          const std::string& what) {
    ASSERT_EQ(got.size(), neuron.size()) << what << ": spike count";
    double worst = 0;
    for (std::size_t k = 0; k < got.size(); ++k) {
        EXPECT_EQ(got[k].gid, neuron[k].gid) << what << " spike " << k << " at " << neuron[k].time << " ms";
        EXPECT_NEAR(got[k].time, neuron[k].time, 1e-9) << what << " spike " << k << " gid " << neuron[k].gid;
        worst = std::max(worst, std::fabs(got[k].time - neuron[k].time));
    }
    std::printf("[%s] %zu spikes, max |t - t_NEURON| = %.3g ms\n", what.c_str(), got.size(), worst);
}

} // namespace

TEST(cable_network, chain_matches_hand_driven_cable_group_and_neuron) {
    ASSERT_TRUE(reference_present());
    const auto& net = network("chain3");
    const double t_stop = net["tstop_ms"];
    const auto out = run(network_recipe(net), t_stop);
    expect_neuron_spikes(out.spikes, neuron_spikes("chain3"), "chain3");

    // The engine against one cable_group driven by hand with the same
    // events: bit-identical. Cell 0 gets only the external event (double
    // weight, as given); each next cell its predecessor's spike + delay.
    const auto& kick = net["events"][0];
    ASSERT_EQ(kick["gid"], 0);
    const auto ref0 = direct_spikes({{kick["time_ms"].get<double>(), kick["weight_uS"].get<double>()}}, t_stop);
    ASSERT_EQ(ref0.size(), 1u);
    EXPECT_EQ(times_of(out.spikes, 0), ref0);
    double previous = ref0[0];
    for (gid_type gid = 1; gid < 3; ++gid) {
        const double arrival = std::round((previous + net["delay_ms"].get<double>()) / dt()) * dt();
        const auto ref = direct_spikes({{arrival, table_weight(net["weight_uS"].get<double>())}}, t_stop);
        ASSERT_EQ(ref.size(), 1u) << "gid " << gid;
        EXPECT_EQ(times_of(out.spikes, gid), ref) << "gid " << gid;
        previous = ref[0];
    }
}

TEST(cable_network, ring_is_identical_on_one_and_two_threads_and_any_groups) {
    // Two rings of 8 closed on themselves (rings2x8 of the reference), 60 ms:
    // several laps.
    ASSERT_TRUE(reference_present());
    const double t_stop = 60;
    mixed_recipe r = network_recipe(network("rings2x8"));
    r.probes[3] = {probe{"v", 0.5, "dend[0](0.5)"}, probe{"hh.m", 0.5, "soma(0.5)"}};
    const auto a = run(r, t_stop, 1, 0);
    const auto b = run(r, t_stop, 2, 3);
    const auto c = run(r, t_stop, 2, 1);
    ASSERT_GT(a.spikes.size(), 16u); // more than one lap
    EXPECT_EQ(a.spikes, b.spikes);
    EXPECT_EQ(a.spikes, c.spikes);
    ASSERT_EQ(a.samples.size(), b.samples.size());
    ASSERT_EQ(a.samples.size(), c.samples.size());
    for (std::size_t k = 0; k < a.samples.size(); ++k) {
        EXPECT_EQ(a.samples[k].value, b.samples[k].value) << k;
        EXPECT_EQ(a.samples[k].value, c.samples[k].value) << k;
    }
    // NEURON's spikes of the 100 ms run up to 60 ms (none lies within a
    // step of 60 ms: the nearest are 59.4 and 61.275 ms).
    std::vector<spike> neuron;
    for (const spike& s : neuron_spikes("rings2x8"))
        if (s.time < t_stop) neuron.push_back(s);
    expect_neuron_spikes(a.spikes, neuron, "rings2x8 to 60 ms");
    // Samples: 121 per probe (t = 0 included); m is a probability, v of the dendrite moves.
    ASSERT_EQ(a.samples.size(), 242u);
    double vmax = -1e9;
    for (const auto& s : a.samples) {
        if (s.probe == 1) {
            EXPECT_GE(s.value, 0.0);
            EXPECT_LE(s.value, 1.0);
        } else {
            vmax = std::max(vmax, s.value);
        }
    }
    EXPECT_GT(vmax, -60.0); // the EPSP and back-propagating spike reach the trunk
}

TEST(cable_network, lif_drives_cable_and_cable_drives_lif) {
    ASSERT_TRUE(reference_present());
    // NEURON's kick1025: the cable cell alone, one event at 1.025 ms, which
    // is what it receives here from a LIF driver firing at 0.025 ms (delay 1 ms).
    const auto& kick = network("kick1025");
    const auto& kick_event = kick["events"][0];
    mixed_recipe r;
    lif_cell driver; // fires at t = dt, then stays refractory
    driver.E_L = 0;
    driver.V_th = 1;
    driver.V_reset = 0;
    driver.V_init = 2;
    driver.t_ref = 1e7;
    r.add(driver);
    r.add(ring_cell());
    lif_cell follower; // delta synapse: one 30 mV jump crosses threshold
    follower.E_L = 0;
    follower.V_th = 20;
    follower.V_reset = 0;
    follower.V_init = 0;
    r.add(follower);
    const double delay = 1.0; // ms
    r.incoming[1].push_back({0, 0, kick_event["weight_uS"].get<double>(), delay}); // LIF -> cable, uS
    r.incoming[2].push_back({1, 0, 30.0, 2.0});                                  // cable -> LIF, mV

    const double t_stop = kick["tstop_ms"];
    const auto out = run(r, t_stop);
    ASSERT_EQ(times_of(out.spikes, 0).size(), 1u);
    const double t_driver = times_of(out.spikes, 0)[0];
    EXPECT_NEAR(t_driver, dt(), 1e-12);
    EXPECT_NEAR(t_driver + delay, kick_event["time_ms"].get<double>(), 1e-12) << "NEURON's event time";
    // The cable cell fires as NEURON's does, and as a hand-driven cable_group.
    const auto neuron = neuron_spikes("kick1025");
    ASSERT_EQ(neuron.size(), 1u);
    std::vector<spike> cable;
    for (const spike& s : out.spikes)
        if (s.gid == 1) cable.push_back({0, s.time});
    expect_neuron_spikes(cable, neuron, "kick1025 (gid 1 here)");
    const auto ref = direct_spikes(
        {{std::round((t_driver + delay) / dt()) * dt(), table_weight(kick_event["weight_uS"].get<double>())}}, t_stop);
    ASSERT_EQ(ref.size(), 1u);
    EXPECT_EQ(times_of(out.spikes, 1), ref);
    // A delta synapse acts in the step the event is due; the LIF cell's spike
    // is stamped at that step's end: cable spike + delay exactly (grid times).
    const auto lif = times_of(out.spikes, 2);
    ASSERT_EQ(lif.size(), 1u);
    EXPECT_NEAR(lif[0], ref[0] + 2.0, 1e-9);
}

// examples/ring.toml (2 rings of 8, 100 ms) against NEURON on the same model
// (rings2x8 of the reference): every spike, gid and time.
TEST(cable_network, ring_example_reproduces_neuron) {
    ASSERT_TRUE(reference_present());
    const auto& net = network("rings2x8");
    const model_file model =
        load_model_file(std::string(RANVIER_SOURCE_DIR) + "/examples/ring.toml");
    // The example must be the network NEURON ran.
    EXPECT_EQ(model.t_stop, net["tstop_ms"].get<double>());
    EXPECT_EQ(model.options.dt, dt());
    const auto r = make_recipe(model);
    ASSERT_EQ(r->num_cells(), net["cells"].get<gid_type>());
    for (gid_type gid = 0; gid < r->num_cells(); ++gid) {
        EXPECT_EQ(r->kind(gid), cell_kind::cable);
        std::vector<std::pair<gid_type, double>> sources, expected;
        for (const auto& c : r->connections_on(gid)) sources.push_back({c.source, c.delay});
        for (const auto& c : net["connections"])
            if (c[1].get<gid_type>() == gid)
                expected.push_back({c[0].get<gid_type>(), net["delay_ms"].get<double>()});
        EXPECT_EQ(sources, expected) << "connections onto gid " << gid;
    }
    simulation sim(*r, model.options);
    collecting_sink sink;
    sim.run(model.t_stop, &sink);
    expect_neuron_spikes(sink.spikes, neuron_spikes("rings2x8"), "examples/ring.toml");
}
