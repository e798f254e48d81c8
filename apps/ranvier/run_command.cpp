#include "run_command.hpp"
#include "plots.hpp"
#include "progress_reporter.hpp"

#include <ranvier/errors.hpp>
#include <ranvier/network_model.hpp>
#include <ranvier/output_files.hpp>
#include <ranvier/run_report.hpp>
#include <ranvier/simulation.hpp>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
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

// Forwards output to the CSV files and the progress display.
class cli_sink final : public output_sink {
public:
    cli_sink(io::csv_output& files, progress_reporter& progress)
        : files_(files), progress_(progress) {}
    void on_spikes(std::span<const spike> s) override {
        files_.on_spikes(s);
        spikes_ += s.size();
    }
    void on_samples(std::span<const trace_sample> s) override { files_.on_samples(s); }
    void on_progress(time_type t, time_type t_stop) override {
        files_.on_progress(t, t_stop);
        progress_.update(t, t_stop, spikes_);
    }

private:
    io::csv_output& files_;
    progress_reporter& progress_;
    std::uint64_t spikes_ = 0;
};

// Names of probes for traces.csv, looked up once per gid.
class probe_names {
public:
    explicit probe_names(const recipe& model) : model_(model) {}
    std::string operator()(gid_type gid, std::uint32_t index) {
        auto it = names_.find(gid);
        if (it == names_.end()) {
            std::vector<std::string> names;
            for (const probe& p : model_.probes_on(gid)) names.push_back(p.variable);
            it = names_.emplace(gid, std::move(names)).first;
        }
        return index < it->second.size() ? it->second[index] : "?";
    }

private:
    const recipe& model_;
    std::unordered_map<gid_type, std::vector<std::string>> names_;
};

} // namespace

int run_command(const run_arguments& args) {
    const auto wall_start = std::chrono::steady_clock::now();
    try {
        network_model model =
            args.model.empty() ? builtin_brunel_model() : load_network_model(args.model);
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

        std::error_code ec;
        std::filesystem::create_directories(args.out, ec);
        if (ec) throw user_error("cannot create output directory '" + args.out + "': " + ec.message());

        if (!args.quiet)
            std::fprintf(stderr, "ranvier: building %s (%u cells, %s, %u thread%s)\n",
                         model.origin.c_str(), model.num_cells(),
                         to_string(model.options.mode).c_str(), model.options.threads,
                         model.options.threads == 1 ? "" : "s");
        io::run_description run;
        run.model = model.origin;
        run.version = RANVIER_VERSION;
        run.t_stop = model.t_stop;
        run.memory_before_build = io::current_memory_bytes();

        const auto model_recipe = make_recipe(model);
        simulation sim(*model_recipe, model.options);

        const std::filesystem::path out(args.out);
        io::csv_output files((out / "spikes.csv").string(), (out / "traces.csv").string(),
                             probe_names(*model_recipe));
        progress_reporter progress(stderr, isatty(STDERR_FILENO), args.quiet);
        cli_sink sink(files, progress);

        running_simulation.store(&sim);
        auto previous_int = std::signal(SIGINT, on_interrupt);
        auto previous_term = std::signal(SIGTERM, on_interrupt);
        try {
            sim.run(model.t_stop, &sink);
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
        files.flush();

        run.interrupted = interrupted.load();
        run.total_wall_s =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
        const std::string summary = io::run_summary_json(run, model.options, sim.statistics());
        io::write_run_summary((out / "summary.json").string(), summary);
        if (!args.quiet)
            std::fputs(io::console_summary(summary, args.out,
                                           {"spikes.csv", "traces.csv", "summary.json", "raster.png"})
                           .c_str(),
                       stdout);
        if (run.interrupted) {
            std::fprintf(stderr, "ranvier: interrupted at t = %.3f ms; the output written so far "
                                 "is complete up to that time\n", sim.statistics().t_reached);
            return 130;
        }
        if (args.plot) {
            const std::string problem = draw_plots(args.out, sim.statistics().cells);
            if (!problem.empty()) {
                std::fprintf(stderr, "ranvier: the run succeeded but %s\n", problem.c_str());
                return 4;
            }
        }
        return 0;
    } catch (const user_error& e) {
        std::fprintf(stderr, "ranvier: error: %s\n", e.what());
        return 1;
    } catch (const internal_error& e) {
        std::fprintf(stderr, "ranvier: %s\n", e.what());
        return 3;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "ranvier: unexpected error: %s\n", e.what());
        return 3;
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
