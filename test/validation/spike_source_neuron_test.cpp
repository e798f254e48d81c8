// A cable cell driven by spike sources against NEURON 8.2 driving the same
// cell with NetStims (test/validation/reference/neuron/spike_source_drive.py,
// which writes spike_source_drive.json; the model here is built from that
// file's numbers so the two cannot drift apart). Each NetStim becomes a
// spike_source population of one cell with the NetStim's times, its NetCon a
// [[projection]] with the same delay and weight.
//
// Fixed step (bsp-fixed, async-fixed; dt 0.025 ms, backward Euler): every
// source time is on the grid, where NEURON's fixed step (events at the
// nearest step) and Ranvier's (source spikes moved up to the grid) agree.
//   - the cell's spikes within 1e-9 ms (both stamp the end of the step after
//     which v >= threshold; NEURON adds 1e-10 ms and accumulates t by
//     addition, as in cable_network_test.cpp), so one step off fails;
//   - v at the soma every 0.1 ms within 1e-4 mV (the same arithmetic as
//     NEURON; measured 4e-11 mV, as cable_neuron_reference.cpp finds). The
//     weights are binary fractions, exact in the connection table's single
//     precision; a weight such as 0.0012 uS would be rounded by 5e-8
//     relative, which the slow approach to the first threshold crossing
//     amplifies to about 1e-4 mV.
// Variable step (bsp-variable, async-variable; atol 1e-3, the default):
//   - the cell's spikes against NEURON's CVODE at atol = rtol = 1e-9, within
//     the error of NEURON's own fixed step (dt 0.025 ms) against that CVODE,
//     read from the file: the requirement cable_cvode_reference.cpp sets for
//     Ranvier's CVODE, here with the events coming from spike sources.
#include "support/reference_files.hpp"
#include "support/test_recipes.hpp"

#include <ranvier/network_model.hpp>
#include <ranvier/simulation.hpp>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

using namespace ranvier;
using ranvier::testing::collecting_sink;

namespace {

const std::string reference_file =
    std::string(RANVIER_SOURCE_DIR) + "/test/validation/reference/neuron/spike_source_drive.json";

const nlohmann::json& reference() {
    static const nlohmann::json j = [] {
        nlohmann::json r;
        std::ifstream(reference_file) >> r;
        return r;
    }();
    return j;
}

std::string number(double x) {
    char text[40];
    std::snprintf(text, sizeof text, "%.17g", x);
    return text;
}

// The NetStim train of `s`: start + k * interval for k < number.
std::vector<double> train(const nlohmann::json& s) {
    std::vector<double> t;
    for (int k = 0; k < s["number"].get<int>(); ++k)
        t.push_back(s["start_ms"].get<double>() + k * s["interval_ms"].get<double>());
    return t;
}

// gid 0: the cell; gid 1 + i: the source of NetStim i.
std::string model_text() {
    const auto& r = reference();
    const auto& c = r["cell"];
    std::ostringstream m;
    m << "[simulation]\ndt = \"" << number(r["runs"]["dt_ms"]) << " ms\"\n"
      << "[[population]]\nname = \"cell\"\nsize = 1\ncell = \"cable\"\n"
      << "sections = [{ name = \"soma\", length = \"" << number(c["soma_L_um"]) << " um\", diam = \""
      << number(c["soma_diam_um"]) << " um\" }]\n"
      << "discretization = { Ra = \"" << number(c["Ra_ohm_cm"]) << " ohm*cm\", cm = \""
      << number(c["cm_uF_per_cm2"]) << " uF/cm2\" }\n"
      << "paint = [{ region = \"soma\", mechanism = \"hh\" }]\n"
      << "synapses = [{ location = \"soma(0.5)\", mechanism = \"ExpSyn\", tau = \""
      << number(c["expsyn"]["tau_ms"]) << " ms\", e = \"" << number(c["expsyn"]["e_mV"]) << " mV\" }]\n"
      << "detector = { location = \"soma(0.5)\", threshold = \"" << number(c["detector"]["threshold_mV"])
      << " mV\" }\n"
      << "celsius = \"" << number(c["celsius_degC"]) << " degC\"\nv_init = \"" << number(c["v_init_mV"])
      << " mV\"\n";
    for (std::size_t i = 0; i < r["stims"].size(); ++i) {
        const auto& s = r["stims"][i];
        m << "[[population]]\nname = \"stim" << i << "\"\nsize = 1\ncell = \"spike_source\"\ntimes = [";
        for (const double t : train(s)) m << "\"" << number(t) << " ms\", ";
        m << "]\n";
    }
    for (std::size_t i = 0; i < r["stims"].size(); ++i) {
        const auto& s = r["stims"][i];
        m << "[[projection]]\nsource = \"stim" << i << "\"\ntarget = \"cell\"\nrule = \"all_to_all\"\n"
          << "weight = \"" << number(s["weight_uS"]) << " uS\"\ndelay = \"" << number(s["delay_ms"]) << " ms\"\n";
    }
    m << "[record]\nvoltage = { gids = [0], interval = \"" << number(r["runs"]["sample_ms"]) << " ms\" }\n";
    return m.str();
}

collecting_sink run(execution_mode mode) {
    model_file m = parse_model_file(model_text(), "spike_source_drive.toml");
    m.options.mode = mode;
    m.options.threads = 2;
    const auto r = make_recipe(m);
    simulation sim(*r, m.options);
    collecting_sink sink;
    sim.run(reference()["runs"]["tstop_ms"].get<double>(), &sink);
    return sink;
}

std::vector<double> times_of(const collecting_sink& s, gid_type gid) {
    std::vector<double> t;
    for (const spike& x : s.spikes)
        if (x.gid == gid) t.push_back(x.time);
    return t;
}

} // namespace

TEST(SpikeSourceNeuron, SourceTimesAreNetStimTimes) {
    ASSERT_TRUE(ranvier::testing::committed_file(reference_file, ranvier::testing::neuron_reference_script));
    // NEURON's NetStims spike at the times the model gives the sources (NEURON
    // accumulates t, hence the 1e-9 ms).
    const auto& r = reference();
    for (std::size_t i = 0; i < r["stims"].size(); ++i) {
        const auto expected = train(r["stims"][i]);
        for (const char* run_name : {"fixed", "cvode"}) {
            const auto got = r[run_name]["stim_spikes_ms"][i].get<std::vector<double>>();
            ASSERT_EQ(got.size(), expected.size()) << run_name << " stim " << i;
            for (std::size_t k = 0; k < got.size(); ++k) EXPECT_NEAR(got[k], expected[k], 1e-9);
        }
    }
}

TEST(SpikeSourceNeuron, FixedStepMatchesNeuronSpikesAndTrace) {
    ASSERT_TRUE(ranvier::testing::committed_file(reference_file, ranvier::testing::neuron_reference_script));
    const auto& r = reference();
    const auto expected = r["fixed"]["spikes_ms"].get<std::vector<double>>();
    const auto t_ref = r["fixed"]["t_ms"].get<std::vector<double>>();
    const auto v_ref = r["fixed"]["v_mV"].get<std::vector<double>>();
    ASSERT_GE(expected.size(), 3u);
    for (const auto mode : {execution_mode::bsp_fixed, execution_mode::async_fixed}) {
        const auto out = run(mode);
        const auto got = times_of(out, 0);
        ASSERT_EQ(got.size(), expected.size()) << to_string(mode);
        for (std::size_t k = 0; k < got.size(); ++k)
            EXPECT_NEAR(got[k], expected[k], 1e-9) << to_string(mode) << " spike " << k;
        // Samples at k * 0.1 ms, k >= 0, as NEURON records them.
        std::size_t compared = 0;
        double worst = 0;
        for (const trace_sample& s : out.samples) {
            const auto row = static_cast<std::size_t>(std::llround(s.time / r["runs"]["sample_ms"].get<double>()));
            ASSERT_LT(row, t_ref.size());
            ASSERT_NEAR(t_ref[row], s.time, 1e-9);
            worst = std::max(worst, std::fabs(s.value - v_ref[row]));
            ++compared;
        }
        EXPECT_EQ(compared, t_ref.size());
        EXPECT_LT(worst, 1e-4) << to_string(mode);
        std::printf("[%s] %zu spikes, %zu samples, max |v - v_NEURON| = %.3g mV\n", to_string(mode).c_str(),
                    got.size(), compared, worst);
    }
}

TEST(SpikeSourceNeuron, VariableStepBeatsNeuronFixedStepAgainstNeuronCvode) {
    ASSERT_TRUE(ranvier::testing::committed_file(reference_file, ranvier::testing::neuron_reference_script));
    const auto& r = reference();
    const auto truth = r["cvode"]["spikes_ms"].get<std::vector<double>>();
    const auto fixed = r["fixed"]["spikes_ms"].get<std::vector<double>>();
    ASSERT_EQ(truth.size(), fixed.size());
    double fixed_error = 0;
    for (std::size_t k = 0; k < truth.size(); ++k) fixed_error = std::max(fixed_error, std::fabs(fixed[k] - truth[k]));
    for (const auto mode : {execution_mode::bsp_variable, execution_mode::async_variable}) {
        const auto got = times_of(run(mode), 0);
        ASSERT_EQ(got.size(), truth.size()) << to_string(mode);
        double worst = 0;
        for (std::size_t k = 0; k < got.size(); ++k) worst = std::max(worst, std::fabs(got[k] - truth[k]));
        EXPECT_LT(worst, fixed_error) << to_string(mode);
        std::printf("[%s] max |t - t_NEURON_cvode| = %.3g ms (NEURON fixed step: %.3g ms)\n",
                    to_string(mode).c_str(), worst, fixed_error);
    }
}
