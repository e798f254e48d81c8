#include "io/run_summary.hpp"
#include "io/resource_usage.hpp"

#include <ranvier/errors.hpp>

#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>

namespace ranvier::io {

void write_run_summary(const std::string& path, const run_description& run,
                       const simulation_options& options, const run_statistics& stats) {
    using nlohmann::json;
    const double bio_s = stats.t_reached * 1e-3;
    const double simulate = stats.wall.update + stats.wall.deliver + stats.wall.communicate +
                            stats.wall.output;
    const std::uint64_t peak = peak_memory_bytes();
    const std::uint64_t network_bytes =
        peak > run.memory_before_build ? peak - run.memory_before_build : 0;

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
    j["mean_rate_hz"] = stats.cells && bio_s > 0 ? stats.spikes / (stats.cells * bio_s) : 0.0;
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
    }
    j["peak_memory_bytes"] = peak;
    j["connection_table_bytes"] = stats.connection_bytes;
    // Two views: the connection tables alone, and all memory the network
    // added to the process (peak RSS minus RSS before building).
    j["bytes_per_synapse"] =
        stats.synapses ? static_cast<double>(network_bytes) / stats.synapses : 0.0;
    j["table_bytes_per_synapse"] =
        stats.synapses ? static_cast<double>(stats.connection_bytes) / stats.synapses : 0.0;

    const std::string tmp = path + ".tmp";
    {
        std::ofstream out(tmp);
        if (!out) throw user_error("cannot write '" + path + "'");
        out << j.dump(2) << "\n";
    }
    if (std::rename(tmp.c_str(), path.c_str()) != 0)
        throw user_error("cannot write '" + path + "'");
}

} // namespace ranvier::io
