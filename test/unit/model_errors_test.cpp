// One test per malformed model file in test/data/models/bad/: loading must
// fail with a user_error naming the file, the line and the key, and saying
// what is wrong or what would be right.
#include <ranvier/network_model.hpp>

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

using namespace ranvier;

namespace {

struct bad_file {
    const char* name; // in test/data/models/bad/, without ".toml"
    int line;         // expected line, 0 when the problem has none (e.g. a missing table)
    const char* key;  // expected dotted key, "" for TOML syntax errors
    const char* says; // a fragment the message must contain
};

std::string path_of(const std::string& name) {
    return std::string(RANVIER_SOURCE_DIR) + "/test/data/models/bad/" + name + ".toml";
}

class MalformedModel : public ::testing::TestWithParam<bad_file> {};

} // namespace

TEST_P(MalformedModel, ErrorNamesFileLineAndKey) {
    const bad_file& bad = GetParam();
    const std::string path = path_of(bad.name);
    try {
        load_model_file(path);
        FAIL() << bad.name << ": loaded without error";
    } catch (const user_error& e) {
        const std::string msg = e.what();
        const std::string located = bad.line > 0 ? path + ":" + std::to_string(bad.line) + ": " : path + ": ";
        EXPECT_EQ(msg.rfind(located, 0), 0u) << "expected the message to start with '" << located
                                             << "'\n  got: " << msg;
        EXPECT_EQ(e.where().file, path);
        EXPECT_EQ(e.where().line, bad.line) << msg;
        EXPECT_EQ(e.where().key, bad.key) << msg;
        if (*bad.key) EXPECT_NE(msg.find("'" + std::string(bad.key) + "'"), std::string::npos) << msg;
        EXPECT_NE(msg.find(bad.says), std::string::npos) << "expected '" << bad.says << "' in: " << msg;
    }
}

INSTANTIATE_TEST_SUITE_P(
    BadFiles, MalformedModel,
    ::testing::Values(
        bad_file{"syntax_error", 2, "", "TOML syntax error"},
        bad_file{"duplicate_key", 4, "", "TOML syntax error"},
        bad_file{"unknown_key", 4, "population.tau_mem", "did you mean 'tau_m'?"},
        bad_file{"unknown_table", 1, "simulaton", "did you mean 'simulation'?"},
        bad_file{"missing_size", 1, "population.size", "missing required key"},
        bad_file{"missing_weight", 5, "projection.weight", "missing required key"},
        bad_file{"missing_unit", 4, "population.tau_m", "expected a time such as \"20 ms\""},
        bad_file{"number_without_unit", 4, "population.tau_m", "(a string with a unit)"},
        bad_file{"wrong_dimension", 4, "population.t_ref", "which is a voltage"},
        bad_file{"unknown_unit", 2, "simulation.dt", "unknown unit 'sec'"},
        bad_file{"nonfinite_value", 4, "population.E_L", "must be finite"},
        bad_file{"zero_dt", 3, "simulation.dt", "must be > 0 ms"},
        bad_file{"negative_rate", 7, "poisson.rate", "must be >= 0 Hz"},
        bad_file{"zero_delay", 10, "projection.delay", "delays must be > 0 ms"},
        bad_file{"delay_below_dt", 14, "projection.delay", "at least dt"},
        bad_file{"normal_delay_unbounded", 10, "projection.delay", "low = \"0.1 ms\""},
        bad_file{"indegree_too_large", 9, "projection.indegree", "only 9 are available"},
        bad_file{"probability_out_of_range", 9, "projection.p", "probability in [0, 1]"},
        bad_file{"reset_above_threshold", 5, "population.V_reset", "must be below V_th"},
        bad_file{"unknown_population", 7, "projection.target", "(populations: E)"},
        bad_file{"record_gid_out_of_range", 6, "record.voltage.gids", "gid 10 does not exist"},
        bad_file{"explicit_pair_out_of_range", 11, "projection.pairs", "target index 12 is out of range"},
        bad_file{"duplicate_population", 5, "population.name", "already exists (line 1)"},
        bad_file{"explicit_weights_count", 10, "projection.weights", "has 1 values for 2 pairs"},
        bad_file{"explicit_weight_and_weights", 10, "projection.weights", "only applies to rule = \"explicit\""},
        bad_file{"poisson_cells_out_of_range", 8, "poisson.cells",
                 "cell index 10 is out of range: population 'E' has cells 0..9"},
        bad_file{"probe_cells_without_population", 6, "record.probes[0].cells", "needs population = \"name\""},
        bad_file{"record_spikes_unknown_population", 6, "record.spikes", "no population is named 'Inh'"},
        bad_file{"mixed_synapse_kinds", 12, "projection.target", "split it"},
        bad_file{"wrong_weight_unit", 9, "poisson.weight", "expected a current such as \"100 pA\""},
        bad_file{"bad_mode", 2, "simulation.mode", "valid modes are"},
        bad_file{"unknown_distribution", 4, "population.V_init.distribution",
                 "valid: constant, uniform, normal, lognormal"},
        bad_file{"uniform_high_below_low", 4, "population.V_init.high", "must be greater than low"},
        bad_file{"one_to_one_size_mismatch", 12, "projection.rule", "as many sources as targets"},
        bad_file{"parameter_of_other_rule", 10, "projection.indegree", "only applies to rule = \"fixed_indegree\""},
        bad_file{"unknown_rule", 8, "projection.rule", "did you mean 'fixed_indegree'?"},
        bad_file{"population_not_array", 1, "population", "write [[population]]"},
        bad_file{"step_lengths_differ", 9, "current.amplitudes", "one amplitude per time"},
        bad_file{"size_is_string", 3, "population.size", "expected an integer"},
        bad_file{"tau_syn_with_delta", 4, "population.tau_syn_ex", "has no effect with synapse = \"delta\""},
        bad_file{"no_population", 0, "population", "add at least one"},
        bad_file{"mechanism_global_unknown", 9, "population.globals[0].usetable",
                 "hh has no global 'usetable' (globals: none)"},
        bad_file{"mechanism_global_celsius", 8, "population.globals[0].celsius",
                 "the population's celsius"},
        bad_file{"absurd_nseg", 8, "population.discretization",
                 "long_section.swc: section dend[0] (length 2e+10 um"},
        bad_file{"invalid_utf8", 4, "", "invalid UTF-8 at column 15: the byte 0xE5 starts a 3-byte character"},
        bad_file{"projection_onto_source", 13, "projection.target", "is made of spike sources"},
        bad_file{"poisson_onto_source", 8, "poisson.target", "is made of spike sources"},
        bad_file{"probe_on_source", 12, "record.voltage.gids", "gid 5 is a spike source (population 'drive')"},
        bad_file{"source_times_and_spikes", 6, "population.spikes", "give exactly one of times"},
        bad_file{"spike_file_gid_outside", 9, "population.spikes",
                 "spike_file_gid_outside.csv:3: gid 7 is not in this population: population 'stim' has gids 4..6"},
        bad_file{"spike_file_bad_time", 5, "population.spikes",
                 "spike_file_bad_time.csv:2: the time '2 ms' is not a number"},
        bad_file{"poisson_source_missing_rate", 1, "population.rate", "missing required key"},
        bad_file{"unknown_cell_kind", 4, "population.cell", "did you mean 'poisson_source'?"},
        bad_file{"source_negative_time", 5, "population.times", "must be >= 0 ms"},
        bad_file{"poisson_source_stop_before_start", 7, "population.stop", "must be after start"}),
    [](const ::testing::TestParamInfo<bad_file>& info) { return std::string(info.param.name); });

TEST(MalformedModel, MissingFileIsAUserError) {
    const std::string path = path_of("does_not_exist");
    try {
        load_model_file(path);
        FAIL() << "no error";
    } catch (const user_error& e) {
        EXPECT_NE(std::string(e.what()).find("cannot open the model file"), std::string::npos);
        EXPECT_EQ(e.where().file, path);
    }
}

TEST(MalformedModel, EveryBadFileIsCovered) {
    // A file added to bad/ without a case above would go untested.
    std::size_t files = 0;
    for (const auto& entry : std::filesystem::directory_iterator(std::string(RANVIER_SOURCE_DIR) +
                                                                 "/test/data/models/bad"))
        files += entry.path().extension() == ".toml";
    EXPECT_EQ(files, 55u);
}
