// The `ranvier` command line: parses arguments and dispatches to a command.
#include "build_mechanisms_command.hpp"
#include "run_command.hpp"

#include <ranvier/errors.hpp>
#include <ranvier/run_limits.hpp>
#include <ranvier/simulation.hpp>

#include <CLI/CLI.hpp>

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <exception>
#include <string>

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

// The time step: a number > 0 within the library's limits (run_limits.hpp).
const CLI::Validator time_step(
    [](std::string& text) -> std::string {
        try {
            std::size_t used = 0;
            const double v = std::stod(text, &used);
            if (used == text.size() && v > 0 && std::isfinite(v)) return ranvier::dt_problem(v);
        } catch (const std::exception&) {
        }
        return "must be a number > 0, got '" + text + "'";
    },
    "NUMBER > 0");

// Seeds: 0 to 2^64 - 1, written in decimal digits (CLI11 would wrap -1 to 2^64 - 1).
const CLI::Validator seed_value(
    [](std::string& text) -> std::string {
        const std::string wrong = "must be a whole number from 0 to 18446744073709551615, got '" +
                                  text + "'";
        if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos) return wrong;
        errno = 0;
        std::strtoull(text.c_str(), nullptr, 10);
        return errno == ERANGE ? wrong : std::string();
    },
    "UINT64");

// A dry run's world: 1 process or more (an int, as MPI ranks are).
const CLI::Validator pretend_processes(
    [](std::string& text) -> std::string {
        char* end = nullptr;
        errno = 0;
        const long n = std::strtol(text.c_str(), &end, 10);
        if (text.empty() || *end != '\0' || errno == ERANGE || n < 1 || n > 2147483647L)
            return "the number of pretend processes must be a whole number from 1 to 2147483647, got '" +
                   text + "'";
        return {};
    },
    "N");

const CLI::Validator pretend_rank(
    [](std::string& text) -> std::string {
        char* end = nullptr;
        errno = 0;
        const long k = std::strtol(text.c_str(), &end, 10);
        if (text.empty() || *end != '\0' || errno == ERANGE || k < 0 || k > 2147483646L)
            return "the rank must be a whole number from 0 to N - 1 (N of --dry-run), got '" + text + "'";
        return {};
    },
    "K");

// Names checked by the library's parsers, whose messages list the valid names.
template <class Parse>
CLI::Validator valid_name(Parse parse, const char* description) {
    return CLI::Validator(
        [parse](std::string& text) -> std::string {
            try {
                parse(text);
                return {};
            } catch (const ranvier::user_error& e) {
                return e.what();
            }
        },
        description);
}

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
                        "Worker threads, 1 to " + std::to_string(ranvier::max_threads) +
                            " (default: the model's, else 1); results do not depend on it")
        ->check(CLI::Range(1u, ranvier::max_threads));
    run_cmd->add_option("--t-stop", run.t_stop,
                        "Biological time to simulate, in ms (overrides the model's t_stop)")
        ->check(positive_number);
    run_cmd->add_option("--seed", run.seed,
                        "Random seed, 0 to 2^64 - 1 (overrides the model's seed)")
        ->check(seed_value);
    run_cmd->add_option("--mode", run.mode,
                        "Execution mode: bsp-fixed, bsp-variable, async-fixed, async-variable")
        ->check(valid_name(&ranvier::parse_execution_mode, "MODE"));
    run_cmd->add_option("--dt", run.dt, "Time step in ms (overrides the model's dt)")
        ->check(time_step);
    run_cmd->add_option("--group-size", run.group_size,
                        "Cells per cell group (performance tuning; default: automatic; "
                        "results do not depend on it)")
        ->check(CLI::Range(std::size_t{1}, std::size_t{65536}));
    run_cmd->add_option("--scheme", run.scheme,
                        "Fixed-step scheme of cable cells: backward-euler (NEURON's default) or "
                        "crank-nicolson (NEURON's secondorder = 2); overrides the model's scheme")
        ->check(valid_name(&ranvier::parse_cable_scheme, "SCHEME"));
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
    run_cmd->add_flag("--hybrid", run.hybrid,
                      "Variable-step modes: every --hybrid-window ms each cable cell chooses CVODE "
                      "or the fixed step --dt (backward Euler) for the next window, whichever its "
                      "recent activity says is cheaper (overrides the model's hybrid)");
    run_cmd->add_option("--hybrid-window", run.hybrid_window,
                        "Hybrid stepping: ms between the cells' choices, a whole number of dt; "
                        "default 5")
        ->check(positive_number);
    run_cmd->add_option("--hybrid-cost", run.hybrid_cost,
                        "Hybrid stepping: the cost of one CVODE step in fixed steps of the same "
                        "cell; default 4")
        ->check(positive_number);
    auto* dry_run = run_cmd->add_option(
        "--dry-run", run.dry_run,
        "Dry run (docs/scaling.md): build only one process's share of an N-process run, in this "
        "one process, model the other processes as copies of it (statistically homogeneous "
        "networks only) and report memory, spikes and bytes exchanged per epoch (bsp) and "
        "messages per second (async) in summary.json's dry_run; not under mpirun")
        ->check(pretend_processes);
    run_cmd->add_option("--dry-run-rank", run.dry_run_rank,
                        "The rank the dry run builds, 0 to N - 1 (default 0)")
        ->check(pretend_rank)
        ->needs(dry_run);
    run_cmd->add_flag("!--no-plot", run.plot, "Do not draw raster.png / traces.png");
    run_cmd->add_flag("--quiet,-q", run.quiet, "No progress output");

    std::string plot_dir = "ranvier-out";
    auto* plot_cmd = app.add_subcommand(
        "plot", "Redraw raster.png (and traces.png) from an output directory of `ranvier run`.");
    plot_cmd->add_option("DIR", plot_dir, "Output directory")->capture_default_str();

    build_mechanisms_arguments build;
    auto* build_cmd = app.add_subcommand(
        "build-mechanisms",
        "Translate the NMODL files (*.mod) of DIR and compile them into a mechanism catalogue,\n"
        "cached in DIR/.ranvier/ and rebuilt only when a file, Ranvier or its compiler changes.\n"
        "Model files name such directories with mechanisms = [\"DIR\"] (docs/nmodl.md).");
    build_cmd->add_option("DIR", build.dir, "Directory of .mod files")->required();
    build_cmd->add_option("--out,-o", build.out, "Also copy the catalogue library to this file");
    build_cmd->add_flag("--quiet,-q", build.quiet, "Print nothing but errors");

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
    if (build_cmd->parsed()) return build_mechanisms_command(build);
    return 2;
}
