// The public simulation object: validates options and run limits
// (include/ranvier/run_limits.hpp), picks the engine of the execution mode,
// owns the thread pool and the communicator.
#include "comm/communicator.hpp"
#include "comm/dry_run_communicator.hpp"
#include "engine/async_engine.hpp"
#include "engine/bsp_fixed_engine.hpp"
#include "engine/bsp_variable_engine.hpp"
#include "engine/decomposition.hpp"
#include "engine/own_range_sink.hpp"
#include "engine/stopwatch.hpp"
#include "engine/task_pool.hpp"
#include "cable/mechanisms/mechanism_catalogue.hpp"

#include <ranvier/errors.hpp>
#include <ranvier/execution_context.hpp>
#include <ranvier/launch_environment.hpp>
#include <ranvier/run_limits.hpp>
#include <ranvier/simulation.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <limits>
#include <string>
#include <sys/resource.h>
#include <unistd.h>
#include <variant>

namespace ranvier {

namespace {

// atol_scale names "v" or "<mechanism>.<state>" of a mechanism Ranvier knows;
// checked here for every mode and model, so a typo never passes silently (a
// cell without that mechanism simply has nothing to scale).
void check_atol_scale(const simulation_options& options,
                      const std::shared_ptr<const cable::mechanism_catalogue>& mechanisms) {
    const cable::mechanism_catalogue& catalogue = cable::catalogue_of(mechanisms);
    for (const auto& [name, factor] : options.atol_scale) {
        const std::string problem = cable::atol_scale_problem(catalogue, name, factor);
        if (!problem.empty()) throw user_error(source_location{"", 0, "atol_scale"}, problem);
    }
}

std::string number(double x) {
    char text[32];
    std::snprintf(text, sizeof text, "%g", x);
    return text;
}

std::string bytes_text(std::uint64_t bytes) {
    const double b = static_cast<double>(bytes);
    char text[32];
    if (b >= 1024.0 * 1024 * 1024 * 1024)
        std::snprintf(text, sizeof text, "%.3g TB", b / (1024.0 * 1024 * 1024 * 1024));
    else if (b >= 1024.0 * 1024 * 1024)
        std::snprintf(text, sizeof text, "%.3g GB", b / (1024.0 * 1024 * 1024));
    else
        std::snprintf(text, sizeof text, "%.3g MB", b / (1024.0 * 1024));
    return text;
}

std::uint64_t saturate(double x) {
    if (!(x > 0)) return 0;
    if (x >= 18446744073709551615.0) return std::numeric_limits<std::uint64_t>::max();
    return static_cast<std::uint64_t>(x);
}

source_location key(const char* name) { return {"", 0, name}; }

bool fixed_step(execution_mode m) {
    return m == execution_mode::bsp_fixed || m == execution_mode::async_fixed;
}

// The i-th of k samples in an order that spreads early ones over the whole
// range (bit-reversed counting), so a sample cut short still covers it.
std::uint64_t spread_index(std::uint64_t j, unsigned bits) {
    std::uint64_t r = 0;
    for (unsigned b = 0; b < bits; ++b) r |= ((j >> b) & 1u) << (bits - 1 - b);
    return r;
}

// Lower bounds of the bytes the engines hold (src/cells/, src/engine/).
constexpr double min_cell_bytes = 64;            // state and parameters per cell
constexpr double min_synapse_bytes_fixed = 8;    // connection_table entry
constexpr double min_synapse_bytes_variable = 16; // event-driven groups' entries
constexpr std::uint64_t max_buffer_steps = 65536; // longer delays are rejected at build
// Sampling stops once this many connections were generated.
constexpr std::uint64_t sample_connection_budget = std::uint64_t{1} << 24;

} // namespace

void check_options(const simulation_options& o,
                   const std::shared_ptr<const cable::mechanism_catalogue>& mechanisms) {
    if (const std::string problem = dt_problem(o.dt); !problem.empty())
        throw user_error(key("dt"), problem);
    if (o.threads < 1 || o.threads > max_threads)
        throw user_error(key("threads"), "the number of worker threads must be from 1 to " +
                                             std::to_string(max_threads) + ", got " +
                                             std::to_string(o.threads));
    if (!(o.atol > 0) || !std::isfinite(o.atol))
        throw user_error(key("atol"), "must be a finite number > 0, e.g. 1e-3; got " + number(o.atol));
    if (!(o.rtol >= 0) || !std::isfinite(o.rtol))
        throw user_error(key("rtol"), "must be a finite number >= 0, e.g. 0; got " + number(o.rtol));
    if (!(o.event_window >= 0) || !std::isfinite(o.event_window))
        throw user_error(key("event_window"),
                         "must be a finite number of ms >= 0 (0 = exact event times); got " +
                             number(o.event_window));
    check_atol_scale(o, mechanisms);
}

void check_run_length(time_type t_stop, double dt) {
    const std::string problem = run_length_problem(t_stop, dt);
    if (problem.empty()) return;
    throw user_error(key(!(dt > 0) || !std::isfinite(dt) ? "dt" : "t_stop"),
                     problem);
}

namespace {

// The estimate for the cells [first, first + n): one process's share of a
// distributed run (so that it samples only gids it will be asked about).
memory_estimate estimate_memory_of(const recipe& model, const simulation_options& options,
                                   std::uint64_t sample_size, gid_type first, std::uint64_t n) {
    memory_estimate e;
    e.cells = n;
    e.cell_bytes = saturate(static_cast<double>(n) * min_cell_bytes);
    if (n == 0) return e;
    const std::uint64_t k = std::clamp<std::uint64_t>(sample_size, 1, n);
    unsigned bits = 0;
    while ((std::uint64_t{1} << bits) < k) ++bits;
    const bool fixed = fixed_step(options.mode);

    std::uint64_t sampled = 0, lif = 0, channels = 0, connections = 0;
    double longest_delay = 0;
    for (std::uint64_t j = 0; j < (std::uint64_t{1} << bits); ++j) {
        const std::uint64_t i = spread_index(j, bits);
        if (i >= k) continue;
        const auto gid = static_cast<gid_type>(first + static_cast<unsigned __int128>(i) * n / k);
        if (model.kind(gid) == cell_kind::lif) {
            ++lif;
            if (fixed) {
                const cell_description cell = model.cell(gid);
                const auto* p = std::get_if<lif_cell>(&cell);
                channels += p && p->synapse != lif_synapse::delta ? 2 : 1;
            }
        }
        const std::vector<connection> incoming = model.connections_on(gid);
        connections += incoming.size();
        for (const connection& c : incoming)
            if (std::isfinite(c.delay)) longest_delay = std::max(longest_delay, c.delay);
        ++sampled;
        if (connections > sample_connection_budget) break;
    }
    const double scale = static_cast<double>(n) / static_cast<double>(sampled);
    e.lif_cells = saturate(static_cast<double>(lif) * scale);
    e.synapses = saturate(static_cast<double>(connections) * scale);
    e.synapse_bytes = saturate(static_cast<double>(e.synapses) *
                               (fixed ? min_synapse_bytes_fixed : min_synapse_bytes_variable));
    if (fixed && lif > 0) {
        // The LIF groups' event buffers: one slot per step up to the longest
        // delay, or one epoch (1 ms) when there are no connections.
        const double steps = connections > 0 ? std::round(longest_delay / options.dt) + 1
                                             : std::max(1.0, std::round(1.0 / options.dt));
        e.buffer_steps = connections > 0 ? std::min(saturate(steps), max_buffer_steps) : saturate(steps);
        const double per_cell_channels = static_cast<double>(channels) / static_cast<double>(lif);
        e.buffer_bytes = saturate(static_cast<double>(e.lif_cells) * static_cast<double>(e.buffer_steps) *
                                  per_cell_channels * 8);
    }
    return e;
}

} // namespace

memory_estimate estimate_memory(const recipe& model, const simulation_options& options,
                                std::uint64_t sample_size) {
    return estimate_memory_of(model, options, sample_size, 0, model.num_cells());
}

std::uint64_t machine_memory_bytes() {
    const long pages = ::sysconf(_SC_PHYS_PAGES), page = ::sysconf(_SC_PAGE_SIZE);
    std::uint64_t total = pages > 0 && page > 0 ? static_cast<std::uint64_t>(pages) *
                                                      static_cast<std::uint64_t>(page)
                                                : 0;
    // A container's limit, when lower (cgroup v2; "max" = none).
    if (std::ifstream limit("/sys/fs/cgroup/memory.max"); limit) {
        std::string text;
        if (limit >> text && text != "max") {
            try {
                const std::uint64_t bytes = std::stoull(text);
                if (bytes > 0 && (total == 0 || bytes < total)) total = bytes;
            } catch (const std::exception&) {
            }
        }
    }
    return total;
}

void check_memory(const memory_estimate& e, std::uint64_t available) {
    const std::uint64_t need = e.total_bytes();
    if (available == 0 || need <= available) return;
    const auto count = [](double x) {
        char text[32];
        std::snprintf(text, sizeof text, "%.3g", x);
        return std::string(text);
    };
    std::string parts = std::to_string(e.cells) + " cells (" + bytes_text(e.cell_bytes) +
                        " at 64 bytes or more each)";
    if (e.synapses > 0)
        parts += ", about " + count(static_cast<double>(e.synapses)) + " synapses (" +
                 bytes_text(e.synapse_bytes) + ")";
    if (e.buffer_bytes > 0)
        parts += ", event buffers of " + number(static_cast<double>(e.buffer_steps)) +
                 " steps for each of about " + count(static_cast<double>(e.lif_cells)) +
                 " LIF cells (" + bytes_text(e.buffer_bytes) + ")";
    const double room = static_cast<double>(available);
    std::string advice;
    if (e.cell_bytes >= available)
        advice = "even without connections at most about " + count(room / min_cell_bytes) +
                 " cells fit: simulate fewer cells";
    else if (e.buffer_bytes >= e.synapse_bytes)
        advice = e.synapses == 0
                     ? "without connections the event buffers span 1 ms of steps: use a larger dt"
                     : "the event buffers span the longest delay in steps of dt: use a larger dt "
                       "or shorter delays";
    else if (room > static_cast<double>(e.cell_bytes) + static_cast<double>(e.buffer_bytes))
        advice = "use fewer connections (about " +
                 count((room - static_cast<double>(e.cell_bytes) - static_cast<double>(e.buffer_bytes)) /
                       (static_cast<double>(e.synapse_bytes) / static_cast<double>(e.synapses))) +
                 " synapses would fit)";
    else
        advice = "use fewer cells and connections";
    throw user_error("the network needs at least " + bytes_text(need) + " of memory, more than the " +
                     bytes_text(available) + " of this machine: " + parts + "; " + advice +
                     ". Nothing was built.");
}

namespace {

// This process's peak resident set size (the summary's per-process memory).
std::uint64_t peak_rss_bytes() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return static_cast<std::uint64_t>(usage.ru_maxrss) * 1024; // Linux reports kB
}

// What each process contributes to the published statistics (trivially
// copyable: it travels as bytes).
struct process_record {
    process_work work;
    std::uint64_t synapses, connection_bytes, events_delivered, cell_groups, spikes;
    integrator_statistics integrator;
    cell_count_summary steps, restarts, events;
};

void merge(cell_count_summary& into, const cell_count_summary& c) {
    if (c.cells == 0) return;
    // The worst cell: the largest count, the smallest gid among equals.
    if (into.cells == 0 || c.max > into.max || (c.max == into.max && c.max_gid < into.max_gid)) {
        into.max = c.max;
        into.max_gid = c.max_gid;
    }
    into.cells += c.cells;
    into.total += c.total;
}

std::shared_ptr<communicator> communicator_of(const execution_context& context) {
    if (context.comm) return context.comm;
    return std::make_shared<local_communicator>();
}

} // namespace

struct simulation::impl {
    simulation_options options;
    execution_context context;
    std::shared_ptr<communicator> comm;
    run_statistics local; // this process's own counts (the engines write here)
    run_statistics stats; // published: network-wide counts (publish())
    std::atomic<bool> stop{false};
    task_pool pool;
    decomposition cells;  // which gids each process owns
    std::uint64_t compartments = 0; // of this process's cable cells
    std::unique_ptr<engine> eng;
    dry_run_communicator* dry = nullptr; // comm, in a dry run
    double run_wall_s = 0;               // inside run(), for the dry run's rates

    // Options and memory are checked before the thread pool starts and
    // before anything is built.
    static simulation_options checked(const recipe& model, simulation_options opts,
                                      const execution_context& context) {
        if (context.threads != 0) opts.threads = context.threads;
        check_options(opts, model.mechanisms());
        if (context.dry_run && launched_processes() > 1)
            throw user_error("a dry run is one process playing one rank of a pretend world, but this "
                             "process is one of " + std::to_string(launched_processes()) +
                             " started by an MPI launcher (" + launcher_setting() +
                             "): start the dry run without mpirun");
        if (context.size() == 1 && launched_processes() > 1) {
            if (!mpi_available()) check_single_process_launch(); // never run N copies
            throw user_error("this process is one of " + std::to_string(launched_processes()) +
                             " started by an MPI launcher (" + launcher_setting() +
                             "), but the simulation was given this process alone: every process "
                             "would simulate the whole network. Build it with make_launch_context() "
                             "(ranvier/execution_context.hpp)");
        }
        // A distributed run checks each process's share once it is known.
        if (context.size() == 1) check_memory(estimate_memory(model, opts), machine_memory_bytes());
        return opts;
    }

    impl(const recipe& model, const simulation_options& opts, const execution_context& ctx)
        : options(checked(model, opts, ctx)), context(ctx), comm(communicator_of(ctx)),
          pool(options.threads), cells(model.num_cells()),
          dry(dynamic_cast<dry_run_communicator*>(comm.get())) {
        local.threads.resize(pool.size()); // one entry per thread from the start
        const stopwatch t0;
        cells = decompose(model, *comm, options.dt);
        const gid_range range = cells.range(comm->rank());
        // From here on only this process's gids are asked about (a recipe may
        // then build only what they need: network_recipe's tables).
        if (comm->size() > 1) {
            model.will_ask_about(range.begin, range.end);
            check_memory(estimate_memory_of(model, options, 1024, range.begin, range.size()),
                         machine_memory_bytes());
        }
        compartments = count_compartments(model, range);
        local.wall.build += t0.seconds();
        switch (options.mode) {
        case execution_mode::bsp_fixed:
            eng = std::make_unique<bsp_fixed_engine>(model, options, pool, *comm, range, local);
            break;
        case execution_mode::bsp_variable:
            eng = std::make_unique<bsp_variable_engine>(model, options, pool, *comm, range, local);
            break;
        case execution_mode::async_fixed:
            eng = make_async_fixed_engine(model, options, pool, *comm, cells, local);
            break;
        case execution_mode::async_variable:
            eng = make_async_variable_engine(model, options, pool, *comm, cells, local);
            break;
        }
        publish();
    }

    // Combines every process's counts into `stats` (collective).
    void publish() {
        process_record mine{};
        process_work& w = mine.work;
        const gid_range range = cells.range(comm->rank());
        w.rank = static_cast<std::uint64_t>(comm->rank());
        w.cells = range.size();
        w.first_gid = range.begin;
        w.compartments = compartments;
        w.cell_groups = local.cell_groups;
        w.build_s = local.wall.build;
        w.update_s = local.wall.update;
        // Waiting: in the exchanges for the slowest process (bsp), plus its
        // threads' idle time (a barrier inside the process; in async, no
        // group ready: waiting for inputs, from other processes too).
        const double exchange_wait = comm->wait_seconds();
        w.communicate_s = std::max(0.0, local.wall.communicate - exchange_wait);
        w.wait_s = exchange_wait;
        for (const thread_work& t : local.threads) {
            w.busy_s += t.busy_s;
            w.wait_s += t.wait_s;
        }
        w.peak_memory_bytes = peak_rss_bytes();
        const auto sent = comm->sent(async_message_tag::spikes);
        w.messages_sent = sent.messages;
        w.message_bytes_sent = sent.bytes;
        mine.synapses = local.synapses;
        mine.connection_bytes = local.connection_bytes;
        mine.events_delivered = local.events_delivered;
        mine.cell_groups = local.cell_groups;
        mine.spikes = local.spikes;
        mine.integrator = local.integrator;
        mine.steps = local.per_cell.steps;
        mine.restarts = local.per_cell.restarts;
        mine.events = local.per_cell.events_delivered;
        // A dry run has built one rank: the others' records would be
        // copies of it (N of them: 10^5 in a large dry run).
        const std::vector<process_record> all = dry ? std::vector<process_record>{mine} : all_gather_one(*comm, mine);

        stats = local;
        stats.synapses = stats.connection_bytes = stats.events_delivered = stats.cell_groups = 0;
        stats.integrator = {};
        stats.per_cell = {};
        stats.processes.clear();
        double busy_max = 0, busy_sum = 0;
        for (const process_record& r : all) {
            stats.synapses += r.synapses;
            stats.connection_bytes += r.connection_bytes;
            stats.events_delivered += r.events_delivered;
            stats.cell_groups += r.cell_groups;
            // The bsp engines count every spike on every process; the async
            // ones count the network's on rank 0 and their own elsewhere.
            stats.spikes = std::max(stats.spikes, r.spikes);
            stats.integrator += r.integrator;
            merge(stats.per_cell.steps, r.steps);
            merge(stats.per_cell.restarts, r.restarts);
            merge(stats.per_cell.events_delivered, r.events);
            stats.processes.push_back(r.work);
            busy_max = std::max(busy_max, r.work.busy_s);
            busy_sum += r.work.busy_s;
        }
        stats.load_imbalance = busy_sum > 0 ? busy_max * static_cast<double>(all.size()) / busy_sum : 1.0;
        if (dry) publish_dry_run(w.cells);
    }

    void publish_dry_run(std::uint64_t rank_cells) {
        const auto& x = dry->exchanges();
        dry_run_statistics& d = stats.dry_run;
        d.processes = static_cast<std::uint64_t>(comm->size());
        d.rank = static_cast<std::uint64_t>(comm->rank());
        d.cells = rank_cells;
        d.epochs = x.epochs;
        d.local_spikes = x.local_spikes;
        d.max_local_spikes_per_epoch = x.max_local_spikes;
        d.exchange_bytes_sent = x.bytes_sent;
        d.exchange_bytes_received = x.bytes_received;
        d.modelled_spikes = x.copies + local.dry_run.modelled_spikes; // bsp's, async's
        d.sources_without_counterpart = x.sources_without_counterpart;
        const auto spikes = dry->messages(async_message_tag::spikes);
        const auto needs = dry->messages(async_message_tag::needs);
        d.messages = spikes.messages;
        d.message_bytes = spikes.bytes;
        d.message_destinations = spikes.destinations;
        d.build_messages = needs.messages;
        d.build_message_bytes = needs.bytes;
        d.run_wall_s = run_wall_s;
        d.model_bytes = dry->model_bytes();
        // The bsp engines counted the modelled copies they delivered too:
        // the rank's own spikes are the ones it put into the exchanges.
        if (options.mode == execution_mode::bsp_fixed || options.mode == execution_mode::bsp_variable)
            stats.spikes = x.local_spikes;
    }
};

simulation::simulation(const recipe& model, const simulation_options& options)
    : simulation(model, options, make_local_context()) {}

simulation::simulation(const recipe& model, const simulation_options& options,
                       const execution_context& context)
    : impl_(std::make_unique<impl>(model, options, context)) {}

simulation::~simulation() = default;

void simulation::run(time_type t_stop, output_sink* sink) {
    check_run_length(t_stop, impl_->options.dt);
    impl_->stop.store(false);
    const stopwatch t0;
    if (impl_->dry && sink) {
        // The one process of a dry run writes its rank's output.
        own_range_sink own(*sink, impl_->cells.range(impl_->comm->rank()));
        impl_->eng->run(t_stop, &own, impl_->stop, impl_->local);
    } else {
        // Output is written by rank 0 alone (the engines send it there).
        impl_->eng->run(t_stop, impl_->comm->rank() == 0 ? sink : nullptr, impl_->stop, impl_->local);
    }
    impl_->run_wall_s += t0.seconds();
    impl_->publish();
}

void simulation::request_stop() { impl_->stop.store(true); }

const run_statistics& simulation::statistics() const { return impl_->stats; }
const simulation_options& simulation::options() const { return impl_->options; }
const execution_context& simulation::context() const { return impl_->context; }

} // namespace ranvier
