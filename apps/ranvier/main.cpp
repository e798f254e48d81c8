// The `ranvier` command line: parses arguments and dispatches to a command.
#include "run_command.hpp"

#include <CLI/CLI.hpp>

#include <cmath>
#include <exception>
#include <string>

#include <iostream>

namespace {

// Readable range checks for real-valued options (CLI11's PositiveNumber
// prints the whole range of double in its message).
const CLI::Validator positive_number(
    [](std::string& text) -> std::string {
        try {
            std::size_t used = 0;
            const double v = std::stod(text, &used);
            if (used == text.size() && v > 0 && std::isfinite(v)) return {};
        } catch (const std::exception&) {
        }
        return "must be a number > 0, got '" + text + "'";
    },
    "NUMBER > 0");

const CLI::Validator non_negative_number(
    [](std::string& text) -> std::string {
        try {
            std::size_t used = 0;
            const double v = std::stod(text, &used);
            if (used == text.size() && v >= 0 && std::isfinite(v)) return {};
        } catch (const std::exception&) {
        }
        return "must be a number >= 0, got '" + text + "'";
    },
    "NUMBER >= 0");

} // namespace

int main(int argc, char** argv) {
    using namespace ranvier::cli;
    CLI::App app{"Ranvier " RANVIER_VERSION
                 ": simulates networks of spiking neurons, from leaky integrate-and-fire\n"
                 "point neurons to Hodgkin-Huxley cable cells, with bulk-synchronous and\n"
                 "asynchronous, fixed- and variable-step execution.\n"
                 "Documentation: docs/ (model files: docs/model-file.md; outputs: docs/outputs.md)."};
    app.require_subcommand(1);
    app.set_version_flag("--version", RANVIER_VERSION);

    run_arguments run;
    auto* run_cmd = app.add_subcommand(
        "run", "Simulate a model and write spikes.csv, traces.csv, summary.json and raster.png.\n"
               "Without MODEL, runs the built-in Brunel (2000) balanced network\n"
               "(12,500 LIF neurons, 1 s; identical to examples/brunel.toml).");
    run_cmd->add_option("MODEL", run.model, "Model file (TOML, see docs/model-file.md)")
        ->check(CLI::ExistingFile);
    run_cmd->add_option("--out,-o", run.out, "Output directory (created if missing)")
        ->capture_default_str();
    run_cmd->add_option("--threads,-t", run.threads,
                        "Worker threads (default: the model's, else 1); results do not depend on it")
        ->check(CLI::Range(1u, 1024u));
    run_cmd->add_option("--t-stop", run.t_stop,
                        "Biological time to simulate, in ms (overrides the model's t_stop)")
        ->check(positive_number);
    run_cmd->add_option("--seed", run.seed, "Random seed (overrides the model's seed)");
    run_cmd->add_option("--mode", run.mode,
                        "Execution mode: bsp-fixed, bsp-variable, async-fixed, async-variable");
    run_cmd->add_option("--dt", run.dt, "Time step in ms (overrides the model's dt)")
        ->check(positive_number);
    run_cmd->add_option("--group-size", run.group_size,
                        "Cells per cell group (performance tuning; default: automatic; "
                        "results do not depend on it)")
        ->check(CLI::Range(std::size_t{1}, std::size_t{65536}));
    run_cmd->add_option("--scheme", run.scheme,
                        "Fixed-step scheme of cable cells: backward-euler (NEURON's default) or "
                        "crank-nicolson (NEURON's secondorder = 2); overrides the model's scheme");
    run_cmd->add_option("--atol", run.atol,
                        "Variable-step modes: absolute tolerance, in each state's unit (mV for v); "
                        "default 1e-3 (overrides the model's atol)")
        ->check(positive_number);
    run_cmd->add_option("--rtol", run.rtol,
                        "Variable-step modes: relative tolerance; default 0 (overrides the model's rtol)")
        ->check(non_negative_number);
    run_cmd->add_option("--event-window", run.event_window,
                        "Variable-step modes: events within this many ms of the earliest pending one "
                        "act together at the window's end (fewer restarts, each event at most this "
                        "late); default 0 = exact")
        ->check(non_negative_number);
    run_cmd->add_flag("!--no-plot", run.plot, "Do not draw raster.png / traces.png");
    run_cmd->add_flag("--quiet,-q", run.quiet, "No progress output");

    std::string plot_dir = "ranvier-out";
    auto* plot_cmd = app.add_subcommand(
        "plot", "Redraw raster.png (and traces.png) from an output directory of `ranvier run`.");
    plot_cmd->add_option("DIR", plot_dir, "Output directory")->capture_default_str();

    // Bad usage exits with 2 (docs/outputs.md), whatever CLI11's own code
    // for the kind of mistake; --help and --version exit with 0.
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        const int code = app.exit(e);
        return code == 0 ? 0 : 2;
    }
    if (run_cmd->parsed()) return run_command(run);
    if (plot_cmd->parsed()) return plot_command(plot_dir);
    return 2;
}
