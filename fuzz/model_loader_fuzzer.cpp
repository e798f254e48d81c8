// libFuzzer target: the model-file loader. Each input is a model file: it is
// parsed and validated (parse_model_file); if that succeeds and the model
// is small (see the caps below), its recipe is built, a simulation built
// from it and run for a few steps. A user_error anywhere is the right answer
// to a bad input; anything else escaping (internal_error, std::exception),
// a crash, a sanitizer report or a hang is a finding.
//
// Built with -fsanitize=fuzzer by RANVIER_FUZZ=ON (scripts/fuzz.sh), and into
// a replay driver (replay_main.cpp) that the ordinary test run uses to replay
// corpus/model_loader/ and regressions/model_loader/.
#include "cable/cable_cell_lowering.hpp"

#include <ranvier/errors.hpp>
#include <ranvier/network_model.hpp>
#include <ranvier/simulation.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace {

using namespace ranvier;

// Each input must run in milliseconds: bigger models are loaded only.
constexpr double max_cells = 64;
constexpr double max_connections = 4096;
constexpr double max_compartments = 4096; // cable nodes of all cells together
constexpr double max_poisson_events = 1e5;  // expected, over the run
constexpr double max_steps = 400;           // fixed-step modes
constexpr double max_run_ms = 20;           // biological time actually run
constexpr double max_samples = 1e5;         // probe samples over the run

double cells_of(const network_model& m, const std::vector<std::string>& names) {
    double n = 0;
    for (const auto& p : m.populations)
        if (std::find(names.begin(), names.end(), p.name) != names.end()) n += p.size;
    return n;
}

double expected_connections(const network_model& m) {
    double total = 0;
    for (const auto& p : m.projections) {
        const double s = cells_of(m, p.sources), t = cells_of(m, p.targets);
        switch (p.rule) {
        case connection_rule::fixed_indegree: total += static_cast<double>(p.count) * t; break;
        case connection_rule::fixed_outdegree: total += static_cast<double>(p.count) * s; break;
        case connection_rule::pairwise_bernoulli: total += p.probability * s * t; break;
        case connection_rule::one_to_one: total += t; break;
        case connection_rule::all_to_all: total += s * t; break;
        case connection_rule::explicit_list: total += static_cast<double>(p.pairs().size()); break;
        }
    }
    return total;
}

// Nodes of the cable cells (each population lowered once, as the loader does).
double compartments(const network_model& m) {
    double total = 0;
    for (const auto& p : m.populations)
        if (p.kind == cell_kind::cable)
            total += static_cast<double>(p.size) *
                     static_cast<double>(discretize_cable_cell(p.cable, p.name).parent.size());
    return total;
}

bool small_enough(const network_model& m, double run_ms) {
    if (m.num_cells() > max_cells) return false;
    if (expected_connections(m) > max_connections) return false;
    if (compartments(m) > max_compartments) return false;
    double poisson = 0;
    for (const auto& in : m.poisson_inputs)
        poisson += in.rate * static_cast<double>(in.count) * 1e-3 * run_ms * cells_of(m, in.targets);
    if (!(poisson <= max_poisson_events)) return false;
    // Probes sample every interval: bound the samples too.
    double samples = static_cast<double>(m.record.voltage_gids.size()) * run_ms / m.record.voltage_interval;
    for (const auto& p : m.record.probes)
        samples += static_cast<double>(p.gids.size()) * run_ms / p.what.interval;
    return samples <= max_samples;
}

// RANVIER_FUZZ_VERBOSE=1: say what became of each input (for the replay).
void say(const char* what, const std::string& detail = "") {
    static const bool verbose = std::getenv("RANVIER_FUZZ_VERBOSE") != nullptr;
    if (verbose) std::fprintf(stderr, "  %s%s%s\n", what, detail.empty() ? "" : ": ", detail.c_str());
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    // Relative morphology paths resolve against test/data/models/.
    const std::string origin = std::string(RANVIER_SOURCE_DIR) + "/test/data/models/fuzz_input.toml";
    model_file model;
    try {
        model = parse_model_file(text, origin);
    } catch (const user_error& e) {
        say("refused", e.what());
        return 0; // the right answer to a bad model file
    }
    try {
        const bool fixed = model.options.mode == execution_mode::bsp_fixed ||
                           model.options.mode == execution_mode::async_fixed;
        const double run_ms =
            std::min({model.t_stop, max_run_ms, fixed ? max_steps * model.options.dt : max_run_ms});
        if (!small_enough(model.network, run_ms)) {
            say("loaded; too large to run");
            return 0;
        }
        simulation_options options = model.options;
        options.threads = std::min(options.threads, 2u);
        const auto recipe = make_recipe(model);
        simulation sim(*recipe, options);
        sim.run(run_ms);
        say("ran", std::to_string(sim.statistics().spikes) + " spikes");
    } catch (const user_error& e) {
        say("refused by the engine", e.what());
        // A valid file the engine refuses: allowed (e.g. a probe on a
        // missing state, which is resolved when the cells are built).
    }
    return 0;
}
