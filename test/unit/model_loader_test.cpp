// Tests of loading valid model files: every value of
// test/data/models/all_features.toml, the defaults, and the built-in Brunel model;
// the variable-step keys of [simulation] (atol, rtol, atol_scale, event_window),
// read, defaulted and rejected when bad.
#include "support/test_recipes.hpp"

#include <ranvier/errors.hpp>
#include <ranvier/network_model.hpp>
#include <ranvier/simulation.hpp>

#include <gtest/gtest.h>

#include <cmath>
#include <optional>
#include <string>

using namespace ranvier;

namespace {

std::string model_path(const std::string& name) {
    return std::string(RANVIER_SOURCE_DIR) + "/test/data/models/" + name;
}

// Values go through one multiplication by a power of ten: a few ulps.
constexpr double tol = 1e-12;

} // namespace

TEST(ModelLoader, Simulation) {
    const model_file m = load_model_file(model_path("all_features.toml"));
    EXPECT_EQ(m.network.origin, model_path("all_features.toml"));
    EXPECT_NEAR(m.t_stop, 200, tol);
    EXPECT_NEAR(m.options.dt, 0.05, tol);
    EXPECT_EQ(m.options.seed, 42u);
    EXPECT_EQ(m.options.mode, execution_mode::async_fixed);
    EXPECT_EQ(m.options.threads, 2u);
}

TEST(ModelLoader, Populations) {
    const model_file m = load_model_file(model_path("all_features.toml"));
    ASSERT_EQ(m.network.populations.size(), 3u);
    EXPECT_EQ(m.network.num_cells(), 40u);
    const population_spec& a = m.network.populations[0];
    EXPECT_EQ(a.name, "A");
    EXPECT_EQ(a.first_gid, 0u);
    EXPECT_EQ(a.where.line, 11);
    EXPECT_EQ(a.lif.synapse, lif_synapse::delta);
    EXPECT_NEAR(a.lif.tau_m, 20, tol);
    EXPECT_NEAR(a.lif.C_m, 250, tol); // "0.25 nF"
    EXPECT_NEAR(a.lif.E_L, -65, tol);
    EXPECT_NEAR(a.lif.V_th, -50, tol);
    EXPECT_NEAR(a.lif.V_reset, -60, tol);
    EXPECT_NEAR(a.lif.t_ref, 2, tol);
    EXPECT_NEAR(a.lif.I_e, 100, tol); // "0.1 nA"
    EXPECT_EQ(a.v_init.type, distribution::kind::normal);
    EXPECT_NEAR(a.v_init.a, -60, tol);
    EXPECT_NEAR(a.v_init.b, 3, tol);
    EXPECT_FALSE(a.v_init.low.has_value());
    ASSERT_TRUE(a.v_init.high.has_value());
    EXPECT_NEAR(*a.v_init.high, -51, tol);

    const population_spec& b = m.network.populations[1];
    EXPECT_EQ(b.first_gid, 20u);
    EXPECT_EQ(b.lif.synapse, lif_synapse::exp);
    EXPECT_NEAR(b.lif.tau_syn_ex, 5, tol);
    EXPECT_NEAR(b.lif.tau_syn_in, 10, tol);
    EXPECT_EQ(b.v_init.type, distribution::kind::constant);
    EXPECT_NEAR(b.v_init.a, -68, tol);
    EXPECT_EQ(m.network.populations[2].first_gid, 30u);
    EXPECT_EQ(m.network.populations[2].lif.synapse, lif_synapse::alpha);
}

TEST(ModelLoader, Projections) {
    const model_file m = load_model_file(model_path("all_features.toml"));
    ASSERT_EQ(m.network.projections.size(), 6u);
    const projection_spec& p0 = m.network.projections[0];
    EXPECT_EQ(p0.rule, connection_rule::fixed_indegree);
    EXPECT_EQ(p0.count, 5u);
    EXPECT_FALSE(p0.allow_autapses);
    EXPECT_FALSE(p0.allow_multapses);
    EXPECT_EQ(p0.weight.type, distribution::kind::uniform);
    EXPECT_NEAR(p0.weight.a, 0.1, tol);
    EXPECT_NEAR(p0.weight.b, 0.3, tol);
    EXPECT_EQ(p0.delay.type, distribution::kind::normal);
    EXPECT_NEAR(*p0.delay.low, 0.5, tol);

    const projection_spec& p1 = m.network.projections[1];
    EXPECT_EQ(p1.sources, (std::vector<std::string>{"A", "B"}));
    EXPECT_EQ(p1.targets, (std::vector<std::string>{"B", "C"}));
    EXPECT_EQ(p1.rule, connection_rule::pairwise_bernoulli);
    EXPECT_DOUBLE_EQ(p1.probability, 0.2);
    // lognormal with mean -20 pA, std 5 pA: magnitude has sigma^2 = ln(1 + 1/16).
    EXPECT_EQ(p1.weight.type, distribution::kind::lognormal);
    EXPECT_TRUE(p1.weight.negative);
    EXPECT_NEAR(p1.weight.b * p1.weight.b, std::log1p(1.0 / 16), 1e-12);
    EXPECT_NEAR(p1.weight.a, std::log(20.0) - 0.5 * std::log1p(1.0 / 16), 1e-12);

    EXPECT_EQ(m.network.projections[2].rule, connection_rule::one_to_one);
    EXPECT_NEAR(m.network.projections[2].weight.a, 10, tol);
    EXPECT_EQ(m.network.projections[3].rule, connection_rule::fixed_outdegree);
    EXPECT_EQ(m.network.projections[3].count, 3u);
    EXPECT_NEAR(m.network.projections[3].weight.a, -0.2, tol);
    EXPECT_EQ(m.network.projections[4].rule, connection_rule::all_to_all);

    // Explicit pairs are indices into the source (A: gids 0..19) and target
    // (C: gids 30..39) populations, stored as gids.
    const projection_spec& p5 = m.network.projections[5];
    EXPECT_EQ(p5.rule, connection_rule::explicit_list);
    const std::vector<std::pair<gid_type, gid_type>> pairs{{0, 31}, {19, 39}, {0, 31}};
    EXPECT_EQ(p5.pairs(), pairs);
    EXPECT_NEAR(p5.weight.a, 3, tol);
}

TEST(ModelLoader, Inputs) {
    const model_file m = load_model_file(model_path("all_features.toml"));
    ASSERT_EQ(m.network.poisson_inputs.size(), 2u);
    const poisson_spec& p = m.network.poisson_inputs[0];
    EXPECT_NEAR(p.rate, 10, tol);
    EXPECT_EQ(p.count, 100u);
    EXPECT_NEAR(p.weight, 0.1, tol);
    EXPECT_NEAR(p.start, 10, tol);
    EXPECT_NEAR(p.stop, 150, tol);
    const poisson_spec& q = m.network.poisson_inputs[1];
    EXPECT_EQ(q.count, 1u);
    EXPECT_EQ(q.start, 0);
    EXPECT_EQ(q.stop, time_infinity);
    EXPECT_NEAR(q.weight, 20, tol);

    ASSERT_EQ(m.network.currents.size(), 2u);
    EXPECT_EQ(m.network.currents[0].current.time, (std::vector<double>{20, 80}));
    EXPECT_EQ(m.network.currents[0].current.amplitude, (std::vector<double>{50, 0}));
    EXPECT_EQ(m.network.currents[1].current.time, (std::vector<double>{0, 50, 100}));
    ASSERT_EQ(m.network.currents[1].current.amplitude.size(), 3u);
    EXPECT_NEAR(m.network.currents[1].current.amplitude[1], 200, tol);

    EXPECT_FALSE(m.network.record.spikes);
    EXPECT_EQ(m.network.record.voltage_gids, (std::vector<gid_type>{0, 25, 39}));
    EXPECT_NEAR(m.network.record.voltage_interval, 0.5, tol);
}

TEST(ModelLoader, Defaults) {
    const model_file m = load_model_file(model_path("minimal.toml"));
    const lif_cell defaults;
    EXPECT_EQ(m.t_stop, 1000.0);
    EXPECT_EQ(m.options.dt, 0.1);
    EXPECT_EQ(m.options.seed, 0u);
    EXPECT_EQ(m.options.mode, execution_mode::bsp_fixed);
    ASSERT_EQ(m.network.populations.size(), 1u);
    EXPECT_EQ(m.network.populations[0].lif.tau_m, defaults.tau_m);
    EXPECT_EQ(m.network.populations[0].lif.synapse, lif_synapse::delta);
    // V_init defaults to the resting potential.
    EXPECT_EQ(m.network.populations[0].v_init.type, distribution::kind::constant);
    EXPECT_EQ(m.network.populations[0].v_init.a, defaults.E_L);
    EXPECT_TRUE(m.network.record.spikes);
    EXPECT_TRUE(m.network.record.voltage_gids.empty());
}

TEST(ModelLoader, BuiltinBrunel) {
    const model_file m = builtin_brunel_model();
    EXPECT_EQ(m.network.origin, "builtin:brunel");
    EXPECT_EQ(m.network.num_cells(), 12500u);
    ASSERT_EQ(m.network.projections.size(), 2u);
    EXPECT_EQ(m.network.projections[0].count, 1000u);
    EXPECT_EQ(m.network.projections[1].count, 250u);
    EXPECT_NEAR(m.network.projections[1].weight.a, -0.5, tol);
    EXPECT_NEAR(m.network.projections[0].delay.a, 1.5, tol);
    ASSERT_EQ(m.network.poisson_inputs.size(), 1u);
    EXPECT_EQ(m.network.poisson_inputs[0].count, 1000u);
    EXPECT_EQ(m.options.seed, 12345u);
}

TEST(ModelLoader, BuiltinMatchesTheExampleFile) {
    // The built-in text is examples/brunel.toml compiled in: same model.
    const model_file file = load_model_file(std::string(RANVIER_SOURCE_DIR) + "/examples/brunel.toml");
    const model_file builtin = builtin_brunel_model();
    EXPECT_EQ(file.network.num_cells(), builtin.network.num_cells());
    EXPECT_EQ(file.network.projections.size(), builtin.network.projections.size());
    EXPECT_EQ(file.network.record.voltage_gids, builtin.network.record.voltage_gids);
    // Same sizes are not the same model: the same run settings and the same
    // expanded connections (sources, weights, delays) for cells of every part.
    EXPECT_EQ(file.t_stop, builtin.t_stop);
    EXPECT_EQ(file.options.dt, builtin.options.dt);
    EXPECT_EQ(file.options.seed, builtin.options.seed);
    const auto rf = make_recipe(file), rb = make_recipe(builtin);
    ASSERT_EQ(rf->num_cells(), rb->num_cells());
    for (const gid_type gid : {gid_type{0}, gid_type{1}, rf->num_cells() / 2, rf->num_cells() - 1}) {
        const auto cf = rf->connections_on(gid), cb = rb->connections_on(gid);
        ASSERT_EQ(cf.size(), cb.size()) << "gid " << gid;
        ASSERT_FALSE(cf.empty()) << "gid " << gid;
        for (std::size_t k = 0; k < cf.size(); ++k) {
            EXPECT_EQ(cf[k].source, cb[k].source) << "gid " << gid << " connection " << k;
            EXPECT_EQ(cf[k].weight, cb[k].weight) << "gid " << gid << " connection " << k;
            EXPECT_EQ(cf[k].delay, cb[k].delay) << "gid " << gid << " connection " << k;
        }
    }
}

TEST(ModelLoader, ErrorsFromTextNameTheOrigin) {
    try {
        parse_model_file("[[population]]\nname = \"E\"\nsize = 0\n", "inline-model");
        FAIL() << "size 0 accepted";
    } catch (const user_error& e) {
        EXPECT_EQ(std::string(e.what()).rfind("inline-model:3: 'population.size':", 0), 0u) << e.what();
    }
}

TEST(ModelLoader, WeightUnitErrorExplainsTheSynapseKind) {
    const char* text = "[[population]]\nname = \"E\"\nsize = 2\nsynapse = \"exp\"\n"
                       "[[projection]]\nsource = \"E\"\ntarget = \"E\"\nrule = \"all_to_all\"\n"
                       "weight = \"1 mV\"\ndelay = \"1 ms\"\n";
    try {
        parse_model_file(text, "m");
        FAIL() << "mV weight onto exp synapses accepted";
    } catch (const user_error& e) {
        EXPECT_EQ(e.where().line, 9);
        EXPECT_NE(std::string(e.what()).find("weights onto exp synapses"), std::string::npos) << e.what();
    }
}

// ---- variable-step options of [simulation] ------------------------------------

namespace {

// A one-cell model whose [simulation] table holds `simulation_lines`,
// starting on line 2 of the text.
std::string with_simulation(const std::string& simulation_lines) {
    return "[simulation]\n" + simulation_lines + "\n[[population]]\nname = \"E\"\nsize = 1\n";
}

// The atol_scale factor given for `name`, if any (the order of the entries is
// not part of the contract).
std::optional<double> scale_of(const simulation_options& o, const std::string& name) {
    for (const auto& [state, factor] : o.atol_scale)
        if (state == name) return factor;
    return std::nullopt;
}

} // namespace

TEST(ModelLoader, VariableStepOptionsAreRead) {
    const model_file m = parse_model_file(
        with_simulation("mode = \"bsp-variable\"\natol = 1e-5\nrtol = 2e-4\n"
                        "atol_scale = { \"hh.m\" = 0.5, v = 10 }\nevent_window = \"100 us\""),
        "opts.toml");
    EXPECT_EQ(m.options.atol, 1e-5); // plain numbers: stored exactly as written
    EXPECT_EQ(m.options.rtol, 2e-4);
    EXPECT_NEAR(m.options.event_window, 0.1, tol); // 100 us = 0.1 ms
    ASSERT_EQ(m.options.atol_scale.size(), 2u);
    EXPECT_EQ(scale_of(m.options, "hh.m"), 0.5);
    EXPECT_EQ(scale_of(m.options, "v"), 10.0);
}

TEST(ModelLoader, VariableStepOptionsAcceptIntegersAndZero) {
    // TOML integers are numbers too; rtol = 0 and event_window = "0 ms" are the
    // lower ends of their ranges (allowed), and atol_scale may be a [table].
    const model_file m =
        parse_model_file(with_simulation("atol = 1\nrtol = 0\nevent_window = \"0 ms\"\n"
                                            "[simulation.atol_scale]\n\"Exp2Syn.B\" = 2\n"),
                            "opts.toml");
    EXPECT_EQ(m.options.atol, 1.0);
    EXPECT_EQ(m.options.rtol, 0.0);
    EXPECT_EQ(m.options.event_window, 0.0);
    ASSERT_EQ(m.options.atol_scale.size(), 1u);
    // A state of a known mechanism, whether or not any cell has it.
    EXPECT_EQ(scale_of(m.options, "Exp2Syn.B"), 2.0);
}

TEST(ModelLoader, VariableStepOptionsDefaults) {
    // The documented defaults (docs/model-file.md), both without a [simulation]
    // table and with one that leaves the keys out.
    for (const model_file& m :
         {load_model_file(model_path("minimal.toml")),
          parse_model_file(with_simulation("t_stop = \"10 ms\""), "opts.toml")}) {
        EXPECT_EQ(m.options.atol, 1e-3) << m.network.origin;
        EXPECT_EQ(m.options.rtol, 0.0) << m.network.origin;
        EXPECT_TRUE(m.options.atol_scale.empty()) << m.network.origin;
        EXPECT_EQ(m.options.event_window, 0.0) << m.network.origin;
    }
}

namespace {

struct bad_option {
    const char* name;  // test name
    const char* lines; // the [simulation] lines, from line 2
    int line;          // expected line of the error
    const char* key;   // expected dotted key
    const char* says;  // a fragment the message must contain
};

class BadVariableStepOption : public ::testing::TestWithParam<bad_option> {};

} // namespace

TEST_P(BadVariableStepOption, ErrorNamesFileLineAndKey) {
    const bad_option& bad = GetParam();
    try {
        parse_model_file(with_simulation(bad.lines), "opts.toml");
        FAIL() << bad.lines << ": accepted";
    } catch (const user_error& e) {
        const std::string msg = e.what();
        const std::string located =
            "opts.toml:" + std::to_string(bad.line) + ": '" + bad.key + "': ";
        EXPECT_EQ(msg.rfind(located, 0), 0u)
            << "expected the message to start with '" << located << "'\n  got: " << msg;
        EXPECT_EQ(e.where().line, bad.line) << msg;
        EXPECT_EQ(e.where().key, bad.key) << msg;
        EXPECT_NE(msg.find(bad.says), std::string::npos)
            << "expected '" << bad.says << "' in: " << msg;
    }
}

INSTANTIATE_TEST_SUITE_P(
    ModelLoader, BadVariableStepOption,
    ::testing::Values(
        bad_option{"atol_zero", "atol = 0", 2, "simulation.atol", "must be a number > 0"},
        bad_option{"atol_negative", "atol = -1", 2, "simulation.atol", "must be a number > 0"},
        bad_option{"atol_infinite", "t_stop = \"5 ms\"\natol = inf", 3, "simulation.atol",
                   "must be a number > 0"},
        bad_option{"atol_string", "atol = \"1e-3\"", 2, "simulation.atol",
                   "expected a plain number such as 1e-3, got a string"},
        bad_option{"rtol_negative", "rtol = -0.1", 2, "simulation.rtol", "must be a number >= 0"},
        bad_option{"event_window_negative", "event_window = \"-1 ms\"", 2,
                   "simulation.event_window", "must be >= 0 ms"},
        bad_option{"event_window_without_unit", "event_window = 0.1", 2, "simulation.event_window",
                   "(a string with a unit)"},
        bad_option{"event_window_wrong_dimension", "event_window = \"0.1 mV\"", 2,
                   "simulation.event_window", "expected a time"},
        bad_option{"atol_scale_zero", "atol_scale = { \"hh.m\" = 0 }", 2,
                   "simulation.atol_scale.hh.m", "must be a number > 0"},
        // In a [table] the error points at the entry's own line, not the header's.
        bad_option{"atol_scale_negative_in_table", "[simulation.atol_scale]\nv = 1\n\"hh.h\" = -2",
                   4, "simulation.atol_scale.hh.h", "must be a number > 0"},
        bad_option{"atol_scale_string", "atol_scale = { v = \"2\" }", 2, "simulation.atol_scale.v",
                   "expected a plain number"},
        // Unquoted, hh.m is a TOML dotted key: a table {hh = {m = 2}}.
        bad_option{"atol_scale_unquoted_name", "atol_scale = { hh.m = 2 }", 2,
                   "simulation.atol_scale.hh", "expected a plain number such as 1e-3, got a table"},
        bad_option{"atol_scale_not_a_table", "atol_scale = 3", 2, "simulation.atol_scale",
                   "expected a table"},
        bad_option{"atol_misspelt", "atl = 1e-3", 2, "simulation.atl", "did you mean 'atol'?"},
        // Not a state of any mechanism Ranvier knows: named, with the valid ones.
        bad_option{"atol_scale_unknown_state", "[simulation.atol_scale]\n\"cad.cai\" = 0.01", 3,
                   "simulation.atol_scale.cad.cai", "'cad.cai' is not a state of any mechanism; valid: v, hh.m"}),
    [](const ::testing::TestParamInfo<bad_option>& info) { return std::string(info.param.name); });

// Fixed-step modes sample at the end of steps: a voltage interval that is not
// a whole number of steps would be sampled at other times than asked, so it
// is an error naming the line and key; whole multiples written in decimal
// (0.3 ms at dt 0.1 ms) are accepted, and variable-step modes take any interval.
TEST(ModelLoader, RecordIntervalMustBeWholeStepsInFixedModes) {
    const auto model = [](const std::string& mode, const std::string& interval) {
        return "[simulation]\nmode = \"" + mode + "\"\ndt = \"0.1 ms\"\n[[population]]\nname = \"E\"\n"
               "size = 2\n[record]\nvoltage = { gids = [0], interval = \"" + interval + "\" }\n";
    };
    EXPECT_NO_THROW(parse_model_file(model("bsp-fixed", "0.3 ms"), "rec.toml"));
    EXPECT_NO_THROW(parse_model_file(model("bsp-variable", "0.25 ms"), "rec.toml"));
    try {
        parse_model_file(model("bsp-fixed", "0.25 ms"), "rec.toml");
        FAIL() << "0.25 ms at dt 0.1 ms must be rejected";
    } catch (const user_error& e) {
        const std::string what = e.what();
        EXPECT_NE(what.find("rec.toml:8"), std::string::npos) << what;
        EXPECT_NE(what.find("interval"), std::string::npos) << what;
        EXPECT_NE(what.find("whole number of time steps"), std::string::npos) << what;
    }
    EXPECT_THROW(parse_model_file(model("async-fixed", "0.05 ms"), "rec.toml"), user_error);
}

// The same rule for models built through the C++ recipe API (no model file):
// the fixed-step group names the cell and probe.
TEST(ModelLoader, ProbeIntervalCheckedByFixedStepGroups) {
    ranvier::testing::list_recipe r(2);
    r.probes[1] = {probe{"v", 0.25}};
    simulation_options o;
    o.dt = 0.1;
    try {
        simulation sim(r, o);
        FAIL() << "0.25 ms at dt 0.1 ms must be rejected";
    } catch (const user_error& e) {
        const std::string what = e.what();
        EXPECT_NE(what.find("cell 1: probe 0"), std::string::npos) << what;
        EXPECT_NE(what.find("whole number of time steps"), std::string::npos) << what;
    }
    r.probes[1] = {probe{"v", 0.3}};
    EXPECT_NO_THROW(simulation(r, o));
    r.probes[1] = {probe{"v", 0.0}};
    EXPECT_THROW(simulation(r, o), user_error);
}

// atol_scale names are checked against the mechanisms Ranvier knows when a
// simulation is built, in every mode and whatever cells the model has, so a
// typo never passes silently.
TEST(ModelLoader, AtolScaleNamesCheckedInEveryMode) {
    ranvier::testing::list_recipe r(2);
    for (const auto mode : {execution_mode::bsp_fixed, execution_mode::async_variable}) {
        simulation_options o;
        o.mode = mode;
        o.atol_scale = {{"hh.m", 0.1}, {"v", 2}, {"ExpSyn.g", 0.5}};
        EXPECT_NO_THROW(simulation(r, o)) << to_string(mode);
        o.atol_scale = {{"cad.cai", 0.01}};
        try {
            simulation sim(r, o);
            FAIL() << "an unknown mechanism must be rejected";
        } catch (const user_error& e) {
            const std::string what = e.what();
            EXPECT_NE(what.find("'cad.cai'"), std::string::npos) << what;
            EXPECT_NE(what.find("hh.n"), std::string::npos) << "lists the valid names: " << what;
        }
        o.atol_scale = {{"hh.x", 0.01}};
        EXPECT_THROW(simulation(r, o), user_error);
        o.atol_scale = {{"hh.m", -1}};
        EXPECT_THROW(simulation(r, o), user_error);
    }
}

// [simulation] scheme: the cable cells' fixed-step scheme, NEURON's names.
TEST(ModelLoader, CableSchemeIsRead) {
    EXPECT_EQ(parse_model_file(with_simulation("t_stop = \"1 ms\""), "s.toml").options.scheme,
              cable_scheme::backward_euler);
    EXPECT_EQ(parse_model_file(with_simulation("scheme = \"crank-nicolson\""), "s.toml").options.scheme,
              cable_scheme::crank_nicolson);
    try {
        parse_model_file(with_simulation("scheme = \"cn\""), "s.toml");
        FAIL() << "an unknown scheme must be rejected";
    } catch (const user_error& e) {
        const std::string what = e.what();
        EXPECT_NE(what.find("s.toml:2"), std::string::npos) << what;
        EXPECT_NE(what.find("crank-nicolson"), std::string::npos) << what;
    }
}

// [record] probes: any variable at any location of listed cells, in file
// order after the voltage probe; bad entries name their line and key.
TEST(ModelLoader, RecordProbesAreReadAndGivenToTheCells) {
    const std::string text =
        "[simulation]\ndt = \"0.1 ms\"\n[[population]]\nname = \"E\"\nsize = 4\n[record]\n"
        "voltage = { gids = [1], interval = \"1 ms\" }\n"
        "probes = [\n"
        "  { gids = [1, 2], variable = \"hh.m\", location = \"soma(0.5)\", interval = \"0.5 ms\" },\n"
        "  { gids = [1], location = \"dend[0](0.25)\" },\n"
        "]\n";
    const model_file m = parse_model_file(text, "p.toml");
    ASSERT_EQ(m.network.record.probes.size(), 2u);
    EXPECT_EQ(m.network.record.probes[1].what.variable, "v"); // the default
    EXPECT_DOUBLE_EQ(m.network.record.probes[1].what.interval, 0.1);
    const auto r = make_recipe(m);
    const auto on1 = r->probes_on(1);
    ASSERT_EQ(on1.size(), 3u);
    EXPECT_EQ(on1[0].variable, "v");
    EXPECT_EQ(on1[0].location, "");
    EXPECT_EQ(on1[1].variable, "hh.m");
    EXPECT_EQ(on1[1].location, "soma(0.5)");
    EXPECT_EQ(on1[2].location, "dend[0](0.25)");
    ASSERT_EQ(r->probes_on(2).size(), 1u);
    EXPECT_TRUE(r->probes_on(0).empty());

    const auto fails_at = [](const std::string& probes, int line, const std::string& fragment) {
        const std::string bad = "[[population]]\nname = \"E\"\nsize = 4\n[record]\nprobes = " + probes + "\n";
        try {
            parse_model_file(bad, "p.toml");
            ADD_FAILURE() << probes << " must be rejected";
        } catch (const user_error& e) {
            const std::string what = e.what();
            EXPECT_NE(what.find("p.toml:" + std::to_string(line)), std::string::npos) << what;
            EXPECT_NE(what.find(fragment), std::string::npos) << what;
        }
    };
    fails_at("[{ gids = [7] }]", 5, "gid 7 does not exist");
    fails_at("[{ gids = [1], interval = \"0.25 ms\" }]", 5, "whole number of time steps");
    fails_at("[{ gids = [1], varible = \"v\" }]", 5, "did you mean 'variable'?");
    fails_at("[{ gids = [1], variable = \"\" }]", 5, "<mechanism>.<state>");
    fails_at("[3]", 5, "expected a table");
    fails_at("{ gids = [1] }", 5, "expected a list of probes");
}

// Reading a file never depends on how it will be run beyond its own
// [simulation] table; check_run_options is what ties the two, so a dt given
// later (the command line's --dt 2) is checked against the file's delays and
// intervals with the file's line and key, not silently rounded.
TEST(ModelLoader, RunOptionsCheckedAgainstTheFileAfterChanges) {
    const std::string text = "[[population]]\nname = \"E\"\nsize = 3\n"
                             "[[projection]]\nsource = \"E\"\ntarget = \"E\"\nrule = \"all_to_all\"\n"
                             "weight = \"0.1 mV\"\ndelay = \"1.5 ms\"\n"
                             "[record]\nvoltage = { gids = [0], interval = \"1 ms\" }\n";
    model_file m = parse_model_file(text, "late.toml");
    EXPECT_NO_THROW(check_run_options(m.network, m.options)); // dt 0.1 ms
    m.options.dt = 2;
    try {
        check_run_options(m.network, m.options);
        FAIL() << "a delay of 1.5 ms at dt 2 ms must be rejected";
    } catch (const user_error& e) {
        EXPECT_EQ(e.where().file, "late.toml");
        EXPECT_EQ(e.where().line, 9);
        EXPECT_EQ(e.where().key, "projection.delay");
        EXPECT_NE(std::string(e.what()).find("at least dt = 2 ms"), std::string::npos) << e.what();
    }
    m.options.mode = execution_mode::bsp_variable; // exact delays, any interval
    EXPECT_NO_THROW(check_run_options(m.network, m.options));
    m.options.mode = execution_mode::async_fixed;
    m.options.dt = 0.3; // delay fine (1.5 = 5 steps); the 1 ms interval is not whole steps
    try {
        check_run_options(m.network, m.options);
        FAIL() << "an interval of 1 ms at dt 0.3 ms must be rejected";
    } catch (const user_error& e) {
        EXPECT_EQ(e.where().line, 11);
        EXPECT_EQ(e.where().key, "record.voltage.interval");
        EXPECT_NE(std::string(e.what()).find("whole number of time steps"), std::string::npos) << e.what();
    }
}
