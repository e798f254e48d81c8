// Bad cable-cell descriptions, through the engine (user_error naming the gid
// and what is valid) and through the model file (file:line: 'key').
#include <ranvier/cable_cell.hpp>
#include <ranvier/network_model.hpp>
#include <ranvier/recipe.hpp>
#include <ranvier/simulation.hpp>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <unistd.h>

using namespace ranvier;

namespace {

cable_cell small_cell() {
    morphology_builder b;
    b.add_section({1, 20, 20, {}, -1, 1.0, "soma"});
    b.add_section({3, 100, 2, {}, 0, 1.0, ""});
    cable_cell c;
    c.morph = b.build();
    c.paintings.push_back({std::string("soma"), "hh", {}});
    c.paintings.push_back({std::string("dend"), "pas", {}});
    c.synapses.push_back({{"dend[0]", 0.5}, "ExpSyn", {{"tau", 2}}});
    c.detector = {{"soma", 0.5}, 10};
    return c;
}

// Two cable cells; cell 1 is the one being broken.
struct two_cells final : recipe {
    cable_cell broken = small_cell();
    std::vector<connection> onto_1{{0, 0, 0.01, 1.0}};
    std::vector<probe> probes_1;
    gid_type num_cells() const override { return 2; }
    cell_kind kind(gid_type) const override { return cell_kind::cable; }
    cell_description cell(gid_type gid) const override { return gid == 1 ? broken : small_cell(); }
    std::vector<connection> connections_on(gid_type gid) const override {
        return gid == 1 ? onto_1 : std::vector<connection>{};
    }
    std::vector<probe> probes_on(gid_type gid) const override {
        return gid == 1 ? probes_1 : std::vector<probe>{};
    }
};

// The message of the user_error thrown when building a simulation of r.
std::string build_error(const recipe& r) {
    simulation_options o;
    o.dt = 0.025;
    try {
        simulation sim(r, o);
    } catch (const user_error& e) {
        return e.what();
    }
    return "(no error)";
}

void expect_contains(const std::string& text, const std::vector<std::string>& parts) {
    for (const auto& p : parts)
        EXPECT_NE(text.find(p), std::string::npos) << "'" << p << "' not in: " << text;
}

} // namespace

TEST(cable_cell_errors, valid_two_cells_build) {
    two_cells r;
    r.probes_1 = {probe{"hh.m", 0.1, "soma(0.5)"}, probe{"v", 0.1, "dend[0](1)"}};
    EXPECT_EQ(build_error(r), "(no error)");
}

// Group-wide settings that differ put the cells in separate groups rather
// than failing.
TEST(cable_cell_errors, different_temperature_is_not_an_error) {
    two_cells r;
    r.broken.celsius = 20;
    r.broken.v_init = -70;
    EXPECT_EQ(build_error(r), "(no error)");
}

TEST(cable_cell_errors, unknown_mechanism) {
    two_cells r;
    r.broken.paintings[1].mechanism = "pass";
    expect_contains(build_error(r), {"cell 1", "pass", "pas"});
}

TEST(cable_cell_errors, unknown_parameter) {
    two_cells r;
    r.broken.paintings[0].parameters = {{"gnabarr", 0.1}};
    expect_contains(build_error(r), {"cell 1", "gnabarr"});
}

TEST(cable_cell_errors, unknown_region) {
    two_cells r;
    r.broken.paintings[0].where = std::string("somma");
    expect_contains(build_error(r), {"cell 1", "somma"});
}

TEST(cable_cell_errors, synapse_site_out_of_range) {
    two_cells r;
    r.onto_1[0].target_site = 3;
    expect_contains(build_error(r), {"cell 1", "synapse 3", "1 synapse", "(0..0)"});
}

TEST(cable_cell_errors, probe_on_missing_state) {
    two_cells r;
    r.probes_1 = {probe{"hh.q", 0.1, "soma(0.5)"}};
    expect_contains(build_error(r), {"cell 1", "probe 0", "no state or current 'q'", "m, h, n", "ina (mA/cm2)"});
    r.probes_1 = {probe{"hh.m", 0.1, "dend[0](0.5)"}}; // hh only on the soma
    expect_contains(build_error(r), {"cell 1", "no hh at dend[0](0.5)"});
    r.probes_1 = {probe{"kdr.n", 0.1, ""}};
    expect_contains(build_error(r), {"cell 1", "'kdr' is not one"});
}

TEST(cable_cell_errors, location_outside_morphology) {
    two_cells r;
    r.broken.synapses[0].location = {"dend[7]", 0.5};
    expect_contains(build_error(r), {"cell 1", "dend[7]", "soma"});
    r.broken = small_cell();
    r.broken.detector.location = {"5", 0.5};
    expect_contains(build_error(r), {"cell 1", "section 5 does not exist", "2 sections"});
    r.broken = small_cell();
    r.probes_1 = {probe{"v", 0.1, "soma(1.5)"}};
    expect_contains(build_error(r), {"cell 1", "outside [0, 1]"});
}

TEST(cable_cell_errors, stimulus_as_synapse) {
    two_cells r;
    r.broken.synapses[0].mechanism = "IClamp";
    expect_contains(build_error(r), {"cell 1", "receives no events"});
}

// ---- model file --------------------------------------------------------------

namespace {

const std::string good_cable = R"toml(
[simulation]
dt = "0.025 ms"
t_stop = "5 ms"

[[population]]
name = "c"
size = 2
cell = "cable"
sections = [
    { name = "soma", length = "20 um", diam = "20 um", tag = 1 },
    { name = "dend", parent = "soma", length = "100 um", diam = "2 um" },
]
paint = [{ region = "soma", mechanism = "hh", gnabar = "0.12 S/cm2" }]
synapses = [{ location = "dend(0.5)", mechanism = "ExpSyn", tau = "2 ms" }]
stimuli = [{ location = "soma", mechanism = "IClamp", del = "1 ms", dur = "1 ms", amp = "1 nA" }]

[[projection]]
source = "c"
target = "c"
rule = "one_to_one"
synapse = 0
weight = "0.01 uS"
delay = "1 ms"
)toml";

// The message of loading `text` with `from` replaced by `to`.
std::string load_error(const std::string& from, const std::string& to) {
    std::string text = good_cable;
    const auto at = text.find(from);
    if (at == std::string::npos) return "(pattern not found: " + from + ")";
    text.replace(at, from.size(), to);
    try {
        parse_model_file(text, "m.toml");
    } catch (const user_error& e) {
        return e.what();
    }
    return "(no error)";
}

} // namespace

TEST(cable_model_file, good_file_loads_and_converts_units) {
    const model_file m = parse_model_file(good_cable, "m.toml");
    ASSERT_EQ(m.network.populations.size(), 1u);
    const auto& c = m.network.populations[0].cable;
    EXPECT_EQ(m.network.populations[0].kind, cell_kind::cable);
    EXPECT_EQ(c.morph.size(), 2u);
    ASSERT_EQ(c.stimuli.size(), 1u);
    // "1 nA" is stored in the IClamp's declared unit, nA.
    EXPECT_DOUBLE_EQ(c.stimuli[0].parameters[0].second + c.stimuli[0].parameters[1].second +
                         c.stimuli[0].parameters[2].second,
                     3.0);
    // "0.01 uS" onto a cable cell is stored in uS.
    EXPECT_DOUBLE_EQ(m.network.projections[0].weight.a, 0.01);
    EXPECT_EQ(make_recipe(m)->connections_on(1).at(0).target_site, 0u);
    // It also builds and runs: the IClamp makes both cells fire.
    const auto r = make_recipe(m);
    simulation sim(*r, m.options);
    sim.run(m.t_stop);
    EXPECT_GE(sim.statistics().spikes, 2u);
}

TEST(cable_model_file, errors_name_file_line_and_key) {
    expect_contains(
        load_error(R"(mechanism = "hh")", R"(mechanism = "hhh")"),
        {"m.toml:14", "paint[0].mechanism", "unknown mechanism 'hhh'", "did you mean 'hh'"});
    expect_contains(load_error("gnabar", "gnabarr"),
                    {"m.toml:14", "gnabarr", "hh has no parameter"});
    expect_contains(load_error(R"(gnabar = "0.12 S/cm2")", R"(gnabar = "0.12 mV")"),
                    {"m.toml:14", "gnabar", "specific conductance"});
    expect_contains(load_error(R"(region = "soma")", R"(region = "somma")"),
                    {"m.toml:14", "region", "somma"});
    expect_contains(load_error("dend(0.5)", "axon(0.5)"),
                    {"m.toml:15", "location", "no section 'axon'"});
    expect_contains(load_error("dend(0.5)", "dend(2)"),
                    {"m.toml:15", "location", "outside [0, 1]"});
    expect_contains(load_error("synapse = 0", "synapse = 1"), {"m.toml:", "synapse", "[0, 0]"});
    expect_contains(load_error(R"(weight = "0.01 uS")", R"(weight = "0.01 mV")"),
                    {"m.toml:", "weight", "uS"});
    expect_contains(load_error(R"(mechanism = "ExpSyn")", R"(mechanism = "IClamp")"),
                    {"m.toml:15", "receives no events"});
    expect_contains(load_error(R"(parent = "soma")", R"(parent = "som")"),
                    {"m.toml:", "parent", "som"});
    expect_contains(
        load_error(R"(cell = "cable")", "cell = \"cable\"\nmorphology = \"missing.swc\""),
        {"m.toml", "morphology", "exactly one"});
}

// morphology = "<path>" is read relative to the model file's directory.
TEST(cable_model_file, swc_morphology_relative_to_model_file) {
    namespace fs = std::filesystem;
    const fs::path dir =
        fs::temp_directory_path() / ("ranvier_cable_swc_" + std::to_string(::getpid()));
    fs::create_directories(dir / "cells");
    fs::copy_file(fs::path(RANVIER_SOURCE_DIR) / "test/data/morphologies/branched_taper.swc",
                  dir / "cells" / "cell.swc", fs::copy_options::overwrite_existing);
    const std::string model = R"toml(
[simulation]
dt = "0.025 ms"
[[population]]
name = "c"
size = 1
cell = "cable"
morphology = "cells/cell.swc"
paint = [{ region = "soma", mechanism = "hh" }, { region = "dend", mechanism = "pas" }]
)toml";
    std::ofstream(dir / "model.toml") << model;
    const model_file m = load_model_file((dir / "model.toml").string());
    EXPECT_GT(m.network.populations[0].cable.morph.size(), 1u);
    EXPECT_EQ(m.network.populations[0].cable.detector.location.section,
              m.network.populations[0].cable.morph[0].name);

    std::string broken = model;
    broken.replace(broken.find("cells/cell.swc"), 14, "cells/none.swc");
    std::ofstream(dir / "broken.toml") << broken;
    try {
        load_model_file((dir / "broken.toml").string());
        ADD_FAILURE() << "a missing SWC file loaded";
    } catch (const user_error& e) {
        expect_contains(e.what(), {"broken.toml:8", "morphology", "none.swc"});
    }
    fs::remove_all(dir);
}
