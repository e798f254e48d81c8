#include <ranvier/run_report.hpp>

#include <ranvier/errors.hpp>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <unistd.h>

namespace ranvier::io {

namespace {

using nlohmann::json;

// Per-thread busy and waiting time, their totals, and two ratios that say
// at a glance whether threads starved: waiting / (busy + waiting), and the
// busiest thread's busy time over the mean (1 = perfectly balanced).
json thread_work_json(const std::vector<thread_work>& threads) {
    json per_thread = json::array();
    double busy = 0, wait = 0, max_busy = 0;
    std::uint64_t tasks = 0;
    for (const thread_work& t : threads) {
        per_thread.push_back({{"busy_s", t.busy_s}, {"wait_s", t.wait_s}, {"tasks", t.tasks}});
        busy += t.busy_s;
        wait += t.wait_s;
        tasks += t.tasks;
        max_busy = std::max(max_busy, t.busy_s);
    }
    const double mean_busy = threads.empty() ? 0.0 : busy / static_cast<double>(threads.size());
    return {{"busy_s", busy},
            {"wait_s", wait},
            {"tasks", tasks},
            {"wait_fraction", busy + wait > 0 ? wait / (busy + wait) : 0.0},
            {"imbalance", mean_busy > 0 ? max_busy / mean_busy : 0.0},
            {"per_thread", per_thread}};
}

json advance_json(const length_histogram& h) {
    return {{"count", h.count()}, {"min", h.min()},           {"median", h.quantile(0.5)},
            {"p90", h.quantile(0.9)}, {"max", h.max()},       {"mean", h.mean()}};
}

// A count per cell: absent when no cell of the network counts it.
void add_cell_count(json& per_cell, const char* key, const cell_count_summary& c) {
    if (c.cells == 0) return;
    per_cell[key] = {{"cells", c.cells}, {"total", c.total}, {"mean", c.mean()},
                     {"max", c.max},     {"max_gid", c.max_gid}};
}

// The dry run's figures (docs/scaling.md): per epoch for the bsp exchange,
// per second of wall and of simulated time for the async messages.
json dry_run_json(const run_statistics& stats, const simulation_options& options) {
    const dry_run_statistics& d = stats.dry_run;
    json j;
    j["processes"] = d.processes;
    j["rank"] = d.rank;
    j["cells_per_process"] = d.cells;
    j["model"] = "built one rank; the other ranks are modelled as copies of its spikes shifted by "
                 "their gid offsets, which holds for statistically homogeneous networks only; "
                 "shows what the exchange costs, not how the network behaves";
    j["peak_memory_bytes"] = stats.processes.empty() ? 0 : stats.processes.front().peak_memory_bytes;
    j["model_bytes"] = d.model_bytes;
    j["build_s"] = stats.wall.build;
    j["run_wall_s"] = d.run_wall_s;
    j["modelled_spikes"] = d.modelled_spikes;
    j["sources_without_counterpart"] = d.sources_without_counterpart;
    const bool async = options.mode == execution_mode::async_fixed || options.mode == execution_mode::async_variable;
    if (!async) {
        const double epochs = static_cast<double>(d.epochs);
        const auto per_epoch = [&](double x) { return d.epochs ? x / epochs : 0.0; };
        j["bsp"] = {{"epochs", d.epochs},
                    {"spikes_sent_per_epoch", per_epoch(static_cast<double>(d.local_spikes))},
                    {"max_spikes_sent_per_epoch", d.max_local_spikes_per_epoch},
                    {"spikes_received_per_epoch",
                     per_epoch(static_cast<double>(d.local_spikes) * static_cast<double>(d.processes))},
                    {"bytes_sent_per_epoch", per_epoch(static_cast<double>(d.exchange_bytes_sent))},
                    {"bytes_received_per_epoch", per_epoch(static_cast<double>(d.exchange_bytes_received))}};
    } else {
        const double wall = d.run_wall_s, bio_s = stats.t_reached * 1e-3;
        const auto rate = [](double x, double s) { return s > 0 ? x / s : 0.0; };
        const auto m = static_cast<double>(d.messages), b = static_cast<double>(d.message_bytes);
        j["async"] = {{"messages_sent", d.messages},
                      {"bytes_sent", d.message_bytes},
                      {"destinations", d.message_destinations},
                      {"messages_per_wall_s", rate(m, wall)},
                      {"bytes_per_wall_s", rate(b, wall)},
                      {"messages_per_simulated_s", rate(m, bio_s)},
                      {"bytes_per_simulated_s", rate(b, bio_s)},
                      {"build_messages", d.build_messages},
                      {"build_bytes", d.build_message_bytes}};
    }
    return j;
}

} // namespace

std::string run_summary_json(const run_description& run, const simulation_options& options,
                             const run_statistics& stats) {
    const double bio_s = stats.t_reached * 1e-3;
    const double simulate = stats.wall.update + stats.wall.deliver + stats.wall.communicate +
                            stats.wall.output;
    const std::uint64_t peak = peak_memory_bytes();
    std::uint64_t network_bytes = peak > run.memory_before_build ? peak - run.memory_before_build : 0;
    if (stats.processes.size() > 1) {
        // Every process's peak, less what each held before building (taken
        // to be what this process held: they all run the same program).
        network_bytes = 0;
        for (const process_work& p : stats.processes)
            network_bytes += p.peak_memory_bytes > run.memory_before_build
                                 ? p.peak_memory_bytes - run.memory_before_build : 0;
    }

    json j;
    j["ranvier_version"] = run.version;
    j["model"] = run.model;
    j["mode"] = to_string(options.mode);
    j["threads"] = options.threads;
    j["seed"] = options.seed;
    j["dt_ms"] = options.dt;
    j["scheme"] = to_string(options.scheme);
    j["t_stop_ms"] = run.t_stop;
    j["t_reached_ms"] = stats.t_reached;
    j["interrupted"] = run.interrupted;
    j["cells"] = stats.cells;
    j["cell_groups"] = stats.cell_groups;
    j["synapses"] = stats.synapses;
    j["spikes"] = stats.spikes;
    // A dry run's spikes are its rank's, of its own cells.
    const std::uint64_t spiking_cells = stats.dry_run.processes ? stats.dry_run.cells : stats.cells;
    j["mean_rate_hz"] = spiking_cells && bio_s > 0 ? stats.spikes / (spiking_cells * bio_s) : 0.0;
    j["events_delivered"] = stats.events_delivered;
    j["wall_time_s"] = {{"build", stats.wall.build},
                        {"update", stats.wall.update},
                        {"deliver", stats.wall.deliver},
                        {"communicate", stats.wall.communicate},
                        {"output", stats.wall.output},
                        {"simulate", simulate},
                        {"total", run.total_wall_s}};
    j["real_time_factor"] = bio_s > 0 ? simulate / bio_s : 0.0;
    // Whole simulation wall time per delivered synaptic event (the figure
    // usually compared between simulators), and the delivery phase alone.
    j["ns_per_event"] = stats.events_delivered ? simulate * 1e9 / stats.events_delivered : 0.0;
    j["deliver_ns_per_event"] =
        stats.events_delivered ? stats.wall.deliver * 1e9 / stats.events_delivered : 0.0;
    if (options.mode == execution_mode::bsp_variable || options.mode == execution_mode::async_variable) {
        const integrator_statistics& in = stats.integrator;
        j["atol"] = options.atol;
        j["rtol"] = options.rtol;
        j["event_window_ms"] = options.event_window;
        j["integrator"] = {{"steps", in.steps},
                           {"rhs_evaluations", in.rhs_evaluations},
                           {"linear_setups", in.linear_setups},
                           {"failed_steps", in.failed_steps},
                           {"restarts", in.restarts},
                           {"interpolated_restarts", in.interpolated_restarts}};
        if (options.hybrid) {
            j["hybrid"] = {{"window_ms", options.hybrid_window},
                           {"cvode_step_cost", options.hybrid_cvode_step_cost},
                           {"fixed_steps", in.fixed_steps},
                           {"fixed_windows", in.fixed_windows},
                           {"variable_windows", in.variable_windows},
                           {"switches", in.switches}};
        }
    }
    // Where the time went (docs/outputs.md, "Where time went").
    j["thread_work"] = thread_work_json(stats.threads);
    j["advance_ms"] = advance_json(stats.advance_lengths);
    json per_cell = json::object();
    add_cell_count(per_cell, "steps", stats.per_cell.steps);
    add_cell_count(per_cell, "restarts", stats.per_cell.restarts);
    add_cell_count(per_cell, "events_delivered", stats.per_cell.events_delivered);
    j["per_cell"] = per_cell;
    j["peak_memory_bytes"] = peak;
    // Distributed runs (one entry for a single process): docs/outputs.md.
    j["processes"] = stats.processes.size();
    j["load_imbalance"] = stats.load_imbalance;
    json per_process = json::array();
    for (const process_work& p : stats.processes)
        per_process.push_back({{"rank", p.rank},
                               {"first_gid", p.first_gid},
                               {"cells", p.cells},
                               {"compartments", p.compartments},
                               {"cell_groups", p.cell_groups},
                               {"build_s", p.build_s},
                               {"update_s", p.update_s},
                               {"communicate_s", p.communicate_s},
                               {"wait_s", p.wait_s},
                               {"busy_s", p.busy_s},
                               {"peak_memory_bytes", p.peak_memory_bytes},
                               {"messages_sent", p.messages_sent},
                               {"message_bytes_sent", p.message_bytes_sent}});
    j["per_process"] = per_process;
    if (stats.dry_run.processes) j["dry_run"] = dry_run_json(stats, options);
    j["connection_table_bytes"] = stats.connection_bytes;
    // Two views: the connection tables alone, and all memory the network
    // added to the process (peak RSS minus RSS before building).
    j["bytes_per_synapse"] =
        stats.synapses ? static_cast<double>(network_bytes) / stats.synapses : 0.0;
    j["table_bytes_per_synapse"] =
        stats.synapses ? static_cast<double>(stats.connection_bytes) / stats.synapses : 0.0;
    return j.dump(2) + "\n";
}

namespace {

[[noreturn]] void cannot_write(const std::string& path, int error) {
    throw user_error("cannot write '" + path + "': " + std::strerror(error));
}

} // namespace

void write_run_summary(const std::string& path, const std::string& json_text) {
    const std::string tmp = path + ".tmp";
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (fd < 0) cannot_write(path, errno);
    const char* data = json_text.data();
    std::size_t left = json_text.size();
    int error = 0;
    while (left > 0 && error == 0) {
        const ssize_t n = ::write(fd, data, left);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            error = n < 0 ? errno : EIO;
            break;
        }
        data += n;
        left -= static_cast<std::size_t>(n);
    }
    // Data a file system accepted lazily (delayed allocation, NFS) can still
    // fail here; a device that cannot sync (EINVAL) has nothing to sync.
    if (error == 0 && ::fsync(fd) != 0 && errno != EINVAL && errno != EROFS) error = errno;
    if (::close(fd) != 0 && error == 0) error = errno;
    if (error == 0 && std::rename(tmp.c_str(), path.c_str()) != 0) error = errno;
    if (error != 0) {
        std::remove(tmp.c_str());
        cannot_write(path, error);
    }
}

namespace {

// The console lines of thread_work, advance_ms and per_cell: busy and
// waiting time per thread, advance lengths, per-cell work and the worst cell.
void append_where_time_went(const nlohmann::json& j, std::string& text) {
    auto out = std::back_inserter(text);
    const auto& tw = j.at("thread_work");
    const auto& threads = tw.at("per_thread");
    fmt::format_to(out, "  threads: busy {:.2f} s, waiting {:.2f} s ({:.0f}%), imbalance {:.2f}",
                   tw.at("busy_s").get<double>(), tw.at("wait_s").get<double>(),
                   100 * tw.at("wait_fraction").get<double>(), tw.at("imbalance").get<double>());
    // Every thread on one line while that stays readable; all are in summary.json.
    constexpr std::size_t listed = 8;
    if (threads.size() > 1) {
        fmt::format_to(out, "; busy/waiting s per thread:");
        for (std::size_t k = 0; k < std::min(listed, threads.size()); ++k)
            fmt::format_to(out, "{} {:.2f}/{:.2f}", k ? "," : "", threads[k].at("busy_s").get<double>(),
                           threads[k].at("wait_s").get<double>());
        if (threads.size() > listed) fmt::format_to(out, ", ... ({} threads)", threads.size());
    }
    fmt::format_to(out, "\n");

    const auto& adv = j.at("advance_ms");
    if (adv.at("count").get<unsigned long long>() > 0)
        fmt::format_to(out, "  group advances: {}, median {:.4g} ms, p90 {:.4g} ms, max {:.4g} ms\n",
                       adv.at("count").get<unsigned long long>(), adv.at("median").get<double>(),
                       adv.at("p90").get<double>(), adv.at("max").get<double>());

    const auto& per_cell = j.at("per_cell");
    std::string cells;
    for (const auto& [key, name] : {std::pair{"steps", "steps"}, std::pair{"restarts", "restarts"},
                                    std::pair{"events_delivered", "events"}}) {
        if (!per_cell.contains(key)) continue;
        const auto& c = per_cell.at(key);
        fmt::format_to(std::back_inserter(cells), "{}{} mean {:.1f}, max {} (gid {})",
                       cells.empty() ? "" : "; ", name, c.at("mean").get<double>(),
                       c.at("max").get<unsigned long long>(), c.at("max_gid").get<unsigned long long>());
    }
    if (!cells.empty()) fmt::format_to(out, "  per cell: {}\n", cells);
}

} // namespace

std::string console_summary(const std::string& summary_json, const std::string& out_dir,
                            const std::vector<std::string>& files_written) {
    const auto j = nlohmann::json::parse(summary_json);
    const auto u = [&](const char* key) { return j.at(key).get<unsigned long long>(); };
    const auto d = [&](const char* key) { return j.at(key).get<double>(); };
    const auto& wall = j.at("wall_time_s");
    const auto w = [&](const char* key) { return wall.at(key).get<double>(); };
    std::string text;
    auto out = std::back_inserter(text);
    fmt::format_to(out, "\nRanvier run of {}\n", j.at("model").get<std::string>());
    fmt::format_to(out, "  cells {}, synapses {}, cell groups {}\n", u("cells"), u("synapses"),
                   u("cell_groups"));
    fmt::format_to(out, "  simulated {:.1f} ms: {} spikes, mean rate {:.2f} Hz, {} synaptic events\n",
                   d("t_reached_ms"), u("spikes"), d("mean_rate_hz"), u("events_delivered"));
    fmt::format_to(out,
                   "  wall time {:.2f} s: build {:.2f}, update {:.2f}, deliver {:.2f}, "
                   "communicate {:.2f}, output {:.2f}; real-time factor {:.2f}\n",
                   w("total"), w("build"), w("update"), w("deliver"), w("communicate"), w("output"),
                   d("real_time_factor"));
    if (j.contains("integrator") && j["integrator"].at("steps").get<unsigned long long>() > 0) {
        const auto& in = j["integrator"];
        const auto n = [&](const char* key) { return in.at(key).get<unsigned long long>(); };
        const unsigned long long cells = u("cells");
        fmt::format_to(out,
                       "  variable step (atol {:g}, rtol {:g}): {} steps ({:.0f} per cell), {} rhs "
                       "evaluations, {} restarts ({} inside a step), {} failed steps\n",
                       d("atol"), d("rtol"), n("steps"),
                       cells ? static_cast<double>(n("steps")) / cells : 0.0, n("rhs_evaluations"),
                       n("restarts"), n("interpolated_restarts"), n("failed_steps"));
    }
    if (j.contains("hybrid")) {
        const auto& h = j["hybrid"];
        const auto n = [&](const char* key) { return h.at(key).get<unsigned long long>(); };
        const double windows = static_cast<double>(n("fixed_windows") + n("variable_windows"));
        fmt::format_to(out,
                       "  hybrid stepping: {:.0f} % of cell windows on the fixed step ({} fixed "
                       "steps), {} switches\n",
                       windows > 0 ? 100.0 * n("fixed_windows") / windows : 0.0,
                       n("fixed_steps"), n("switches"));
    }
    append_where_time_went(j, text);
    fmt::format_to(out, "  peak memory {:.1f} MB\n", u("peak_memory_bytes") / 1048576.0);
    if (j.contains("per_process") && j.at("per_process").size() > 1) {
        // Distributed: the spread over the processes (docs/outputs.md).
        double max_mb = 0, max_wait = 0;
        for (const auto& p : j.at("per_process")) {
            max_mb = std::max(max_mb, p.at("peak_memory_bytes").get<double>() / 1048576.0);
            max_wait = std::max(max_wait, p.at("wait_s").get<double>());
        }
        fmt::format_to(out, "  {} processes: load imbalance {:.2f}, longest wait {:.2f} s, largest peak memory {:.1f} MB\n",
                       j.at("per_process").size(), d("load_imbalance"), max_wait, max_mb);
    }
    if (j.contains("dry_run")) {
        const auto& r = j.at("dry_run");
        fmt::format_to(out, "  dry run: rank {} of {} processes ({} cells), peak memory {:.1f} MB, build {:.2f} s\n",
                       r.at("rank").get<unsigned long long>(), r.at("processes").get<unsigned long long>(),
                       r.at("cells_per_process").get<unsigned long long>(),
                       r.at("peak_memory_bytes").get<double>() / 1048576.0, r.at("build_s").get<double>());
        if (r.contains("bsp")) {
            const auto& b = r.at("bsp");
            fmt::format_to(out, "    bsp exchange per epoch ({} epochs): {:.1f} spikes sent, {:.0f} received; "
                                "{:.0f} bytes sent, {:.0f} received\n",
                           b.at("epochs").get<unsigned long long>(), b.at("spikes_sent_per_epoch").get<double>(),
                           b.at("spikes_received_per_epoch").get<double>(), b.at("bytes_sent_per_epoch").get<double>(),
                           b.at("bytes_received_per_epoch").get<double>());
        }
        if (r.contains("async")) {
            const auto& a = r.at("async");
            fmt::format_to(out, "    async messages sent to {} processes: {:.0f} per s of wall time ({:.3g} bytes/s), "
                                "{:.0f} per simulated s ({:.3g} bytes/s)\n",
                           a.at("destinations").get<unsigned long long>(), a.at("messages_per_wall_s").get<double>(),
                           a.at("bytes_per_wall_s").get<double>(), a.at("messages_per_simulated_s").get<double>(),
                           a.at("bytes_per_simulated_s").get<double>());
        }
        fmt::format_to(out, "    other processes modelled as shifted copies of this one: valid for statistically "
                            "homogeneous networks only (docs/scaling.md)\n");
    }
    std::string files;
    for (const auto& f : files_written) files += (files.empty() ? "" : ", ") + f;
    fmt::format_to(out, "  output in {}/: {}\n", out_dir, files.empty() ? "(none)" : files);
    return text;
}

} // namespace ranvier::io
