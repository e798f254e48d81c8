#include "run_command.hpp"
#include "plots.hpp"
#include "progress_reporter.hpp"

#include <ranvier/errors.hpp>
#include <ranvier/execution_context.hpp>
#include <ranvier/launch_environment.hpp>
#include <ranvier/network_model.hpp>
#include <ranvier/output_files.hpp>
#include <ranvier/run_limits.hpp>
#include <ranvier/run_report.hpp>
#include <ranvier/simulation.hpp>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <filesystem>
#include <fstream>
#include <optional>
#include <nlohmann/json.hpp>
#include <unistd.h>
#include <unordered_map>

namespace ranvier::cli {

namespace {

// The simulation a signal should stop. A signal handler may only touch
// lock-free atomics; request_stop() is one atomic store.
std::atomic<simulation*> running_simulation{nullptr};
std::atomic<bool> interrupted{false};

extern "C" void on_interrupt(int) {
    interrupted.store(true);
    if (simulation* sim = running_simulation.load()) sim->request_stop();
}

// Forwards output to the CSV files and the progress display. A failed write
// (a full disk) stops the run at the end of the epoch and is reported after
// it; nothing more is written. With `[record] spikes = ["E"]` spikes.csv holds
// only those populations' spikes; with `[record] spikes = false` spikes.csv keeps
// only its header (the spikes are still counted).
class cli_sink final : public output_sink {
public:
    cli_sink(io::csv_output& files, progress_reporter& progress, simulation& sim, spike_record_filter record_spikes)
        : files_(files), progress_(progress), sim_(sim), record_spikes_(std::move(record_spikes)) {}
    void on_spikes(std::span<const spike> s) override {
        spikes_ += s.size();
        if (record_spikes_.all()) {
            guarded([&] { files_.on_spikes(s); });
        } else {
            record_spikes_.select(s, kept_); // [record] spikes = false or chosen populations
            guarded([&] { files_.on_spikes(kept_); });
        }
    }
    void on_samples(std::span<const trace_sample> s) override {
        guarded([&] { files_.on_samples(s); });
    }
    void on_progress(time_type t, time_type t_stop) override {
        guarded([&] { files_.on_progress(t, t_stop); });
        progress_.update(t, t_stop, spikes_);
    }
    bool failed() const { return error_ != nullptr; }
    void rethrow() const {
        if (error_) std::rethrow_exception(error_);
    }

private:
    template <class Write>
    void guarded(Write write) {
        if (error_) return;
        try {
            write();
        } catch (...) {
            error_ = std::current_exception();
            sim_.request_stop();
        }
    }

    io::csv_output& files_;
    progress_reporter& progress_;
    simulation& sim_;
    spike_record_filter record_spikes_;
    std::vector<spike> kept_;
    std::uint64_t spikes_ = 0;
    std::exception_ptr error_;
};

// A bad command-line value found after parsing (it depends on the model):
// reported like CLI11's errors, with exit code 2.
class usage_error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Checks the run's limits before anything is built (run_limits.hpp): a
// problem caused by --t-stop or --dt is bad usage, one of the model file's
// own values a user error naming the file.
void check_limits(const run_arguments& args, const model_file& model) {
    const std::string problem = run_length_problem(model.t_stop, model.options.dt);
    if (!problem.empty()) {
        if (args.t_stop || args.dt)
            throw usage_error(std::string(args.t_stop && args.dt ? "--t-stop, --dt"
                                          : args.t_stop        ? "--t-stop"
                                                               : "--dt") +
                              ": " + problem);
        throw user_error(source_location{model.network.origin, 0, "t_stop"}, problem);
    }
    check_options(model.options, model.network.mechanisms); // threads, dt, tolerances: the library's limits
}

// Files an earlier run may have left that this run rewrites or derives from
// the files it rewrites: removed first, so none of them is stale.
void remove_earlier_outputs(const std::filesystem::path& out) {
    for (const char* name : {"summary.json", "raster.png", "traces.png"}) {
        std::error_code ec;
        std::filesystem::remove(out / name, ec);
        if (ec)
            throw user_error("cannot remove '" + (out / name).string() + "' of an earlier run: " +
                             ec.message());
    }
}

// Names of probes for traces.csv, looked up once per gid.
class probe_names {
public:
    explicit probe_names(const recipe& model) : model_(model) {}
    io::csv_output::probe_label operator()(gid_type gid, std::uint32_t index) {
        auto it = names_.find(gid);
        if (it == names_.end()) {
            std::vector<io::csv_output::probe_label> names;
            for (const probe& p : model_.probes_on(gid))
                names.push_back({p.variable, probe_location_text(model_, gid, p)});
            it = names_.emplace(gid, std::move(names)).first;
        }
        return index < it->second.size() ? it->second[index] : io::csv_output::probe_label{"?", ""};
    }

private:
    const recipe& model_;
    std::unordered_map<gid_type, std::vector<io::csv_output::probe_label>> names_;
};

} // namespace

namespace {

// Reports a failure and ends the run with `status`. In a distributed run the
// message names this process, and every process ends at once (the others
// may be waiting for this one in an exchange and would otherwise hang).
int fail(const execution_context& context, int status, const std::string& message) {
    const std::string prefix = process_prefix(context);
    if (prefix.empty() || message.rfind("ranvier: ", 0) != 0)
        std::fprintf(stderr, "%s%s\n", prefix.c_str(), message.c_str());
    else // "ranvier: process 1 of 4: error: ..."
        std::fprintf(stderr, "ranvier: %s%s\n", prefix.c_str(), message.c_str() + 9);
    if (context.size() > 1) abort_all_processes(context, status);
    return status;
}

// A failure test hook (test/mpi/test_mpi_failures.py): RANVIER_TEST_FAULT =
// "<rank>:throw" makes that process fail with a user error once its cells
// are built, as a model or integrator error seen by one process would;
// "<rank>:kill" kills it (SIGKILL), as a crashed node would. Other ranks
// then wait in the first exchange: the run must still end promptly.
void test_fault_hook(const execution_context& context) {
    const char* fault = std::getenv("RANVIER_TEST_FAULT");
    if (!fault || !*fault) return;
    const std::string text(fault);
    const auto colon = text.find(':');
    if (colon == std::string::npos || text.substr(0, colon) != std::to_string(context.rank())) return;
    const std::string kind = text.substr(colon + 1);
    if (kind == "kill") std::raise(SIGKILL);
    if (kind == "throw") throw user_error("RANVIER_TEST_FAULT: a failure injected into this process");
}

} // namespace

namespace {

// This process's place in the run: a pretend world for --dry-run (no MPI:
// one process plays one rank), else as the launcher started it.
execution_context launch_context(const run_arguments& args) {
    if (!args.dry_run) return make_launch_context();
    if (launched_processes() > 1)
        throw usage_error("--dry-run: a dry run is one process playing one rank of " +
                          std::to_string(*args.dry_run) + ", but mpirun started " +
                          std::to_string(launched_processes()) + " processes (" + launcher_setting() +
                          "): run `ranvier run MODEL --dry-run N` without mpirun");
    const int rank = args.dry_run_rank.value_or(0);
    if (rank >= *args.dry_run)
        throw usage_error("--dry-run-rank " + std::to_string(rank) + ": the ranks of --dry-run " +
                          std::to_string(*args.dry_run) + " are 0 to " + std::to_string(*args.dry_run - 1));
    return make_dry_run_context(*args.dry_run, rank);
}

} // namespace

int run_command(const run_arguments& args) {
    const auto wall_start = std::chrono::steady_clock::now();
    execution_context context; // this process alone until the launch is known
    try {
        // Under mpirun, every process joins one run (MPI_COMM_WORLD); rank 0
        // writes the output and prints progress and the summary.
        context = launch_context(args);
        const bool root = context.rank() == 0 || context.dry_run; // a dry run writes its rank's output
        model_file model = args.model.empty() ? builtin_brunel_model() : load_model_file(args.model);
        if (args.threads) model.options.threads = *args.threads;
        if (args.t_stop) model.t_stop = *args.t_stop;
        if (args.seed) model.options.seed = *args.seed;
        if (args.mode) model.options.mode = parse_execution_mode(*args.mode);
        if (args.dt) model.options.dt = *args.dt;
        if (args.scheme) model.options.scheme = parse_cable_scheme(*args.scheme);
        if (args.group_size) model.options.group_size = *args.group_size;
        if (args.atol) model.options.atol = *args.atol;
        if (args.rtol) model.options.rtol = *args.rtol;
        if (args.event_window) model.options.event_window = *args.event_window;
        if (args.hybrid) model.options.hybrid = true;
        if (args.hybrid_window) model.options.hybrid_window = *args.hybrid_window;
        if (args.hybrid_cost) model.options.hybrid_cvode_step_cost = *args.hybrid_cost;
        check_limits(args, model);
        // The file was checked against its own options; the ones given here may differ.
        check_run_options(model.network, model.options);

        const std::filesystem::path out(args.out);
        if (root) {
            std::error_code ec;
            std::filesystem::create_directories(args.out, ec);
            if (ec) throw user_error("cannot create output directory '" + args.out + "': " + ec.message());
            remove_earlier_outputs(out);
        }

        if (!args.quiet && root) {
            std::string processes;
            if (context.dry_run)
                processes = "dry run: rank " + std::to_string(context.rank()) + " of " +
                            std::to_string(context.size()) + " processes, ";
            else if (context.size() > 1)
                processes = std::to_string(context.size()) + " processes, ";
            std::fprintf(stderr, "ranvier: building %s (%u cells, %s, %s%u thread%s%s)\n",
                         model.network.origin.c_str(), model.network.num_cells(),
                         to_string(model.options.mode).c_str(), processes.c_str(), model.options.threads,
                         model.options.threads == 1 ? "" : "s",
                         context.size() > 1 && !context.dry_run ? " each" : "");
        }
        io::run_description run;
        run.model = model.network.origin;
        run.version = RANVIER_VERSION;
        run.t_stop = model.t_stop;
        run.memory_before_build = io::current_memory_bytes();

        // The simulation estimates the network's memory before building it.
        const auto model_recipe = make_recipe(model);
        simulation sim(*model_recipe, model.options, context);

        // Only rank 0 writes files (the engines bring every spike and sample
        // there); the other processes' output stays empty.
        std::optional<io::csv_output> files;
        if (root)
            files.emplace((out / "spikes.csv").string(), (out / "traces.csv").string(),
                          probe_names(*model_recipe));
        progress_reporter progress(stderr, isatty(STDERR_FILENO), args.quiet || !root);
        std::optional<cli_sink> sink;
        if (root) sink.emplace(*files, progress, sim, spike_record_filter(model.network));

        test_fault_hook(context);
        running_simulation.store(&sim);
        auto previous_int = std::signal(SIGINT, on_interrupt);
        auto previous_term = std::signal(SIGTERM, on_interrupt);
        try {
            sim.run(model.t_stop, sink ? &*sink : nullptr);
        } catch (...) {
            running_simulation.store(nullptr);
            std::signal(SIGINT, previous_int);
            std::signal(SIGTERM, previous_term);
            throw;
        }
        running_simulation.store(nullptr);
        std::signal(SIGINT, previous_int);
        std::signal(SIGTERM, previous_term);
        progress.finish();
        if (!root) return 0; // rank 0 reports the run
        if (sink->failed()) {
            try {
                sink->rethrow();
            } catch (const user_error& e) {
                char when[64];
                std::snprintf(when, sizeof when, "%.3f", sim.statistics().t_reached);
                throw user_error(std::string(e.what()) + "; the run stopped at t = " + when +
                                 " ms and summary.json was not written");
            }
        }
        files->close(); // every row on disk, or an error naming the file

        run.interrupted = interrupted.load();
        run.total_wall_s =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
        const std::string summary = io::run_summary_json(run, model.options, sim.statistics());
        io::write_run_summary((out / "summary.json").string(), summary);

        std::vector<std::string> written{"spikes.csv", "traces.csv", "summary.json"};
        std::string plot_problem;
        if (args.plot && !run.interrupted) {
            plot_problem = draw_plots(args.out, sim.statistics().cells);
            for (const char* png : {"raster.png", "traces.png"})
                if (std::filesystem::exists(out / png)) written.emplace_back(png);
        }
        if (!args.quiet) {
            std::fputs(io::console_summary(summary, args.out, written).c_str(), stdout);
            if (std::fflush(stdout) != 0 || std::ferror(stdout))
                throw user_error(std::string("cannot write the summary to standard output: ") +
                                 std::strerror(errno));
        }
        if (run.interrupted) {
            std::fprintf(stderr, "ranvier: interrupted at t = %.3f ms; the output written so far "
                                 "is complete up to that time\n", sim.statistics().t_reached);
            return 130;
        }
        if (!plot_problem.empty()) {
            std::fprintf(stderr, "ranvier: the run succeeded but %s\n", plot_problem.c_str());
            return 4;
        }
        return 0;
    } catch (const usage_error& e) {
        return fail(context, 2, std::string(e.what()) + "\nRun with --help for more information.");
    } catch (const user_error& e) {
        return fail(context, 1, std::string("ranvier: error: ") + e.what());
    } catch (const internal_error& e) {
        return fail(context, 3, std::string("ranvier: ") + e.what());
    } catch (const std::exception& e) {
        return fail(context, 3, std::string("ranvier: unexpected error: ") + e.what());
    }
}

int plot_command(const std::string& out_dir) {
    namespace fs = std::filesystem;
    if (!fs::exists(fs::path(out_dir) / "spikes.csv")) {
        std::fprintf(stderr, "ranvier: error: %s/spikes.csv not found; give the output directory "
                             "of a `ranvier run`\n", out_dir.c_str());
        return 1;
    }
    // The cell count (for the raster's y range) comes from summary.json if present.
    unsigned long long cells = 0;
    if (std::ifstream summary(fs::path(out_dir) / "summary.json"); summary) {
        const auto j = nlohmann::json::parse(summary, nullptr, /*allow_exceptions=*/false);
        if (j.is_object() && j.contains("cells") && j["cells"].is_number_unsigned())
            cells = j["cells"].get<unsigned long long>();
    }
    const std::string problem = draw_plots(out_dir, cells);
    if (!problem.empty()) {
        std::fprintf(stderr, "ranvier: error: %s\n", problem.c_str());
        return 1;
    }
    return 0;
}

} // namespace ranvier::cli
