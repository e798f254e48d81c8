// Running a model: options, the simulation object, its outputs and statistics.
#pragma once

#include <ranvier/execution_context.hpp>
#include <ranvier/recipe.hpp>
#include <ranvier/simulation_options.hpp>
#include <ranvier/types.hpp>
#include <ranvier/work_statistics.hpp>

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace ranvier {

// One sample of a probe.
struct trace_sample {
    gid_type gid = 0;
    std::uint32_t probe = 0; // index into recipe::probes_on(gid)
    time_type time = 0;      // ms
    double value = 0;
};

// Receives the run's output in time order as it is produced (once per epoch),
// so that it can be streamed to disk.
class output_sink {
public:
    virtual ~output_sink() = default;
    // Spikes of one epoch, sorted by time then gid.
    virtual void on_spikes(std::span<const spike>) {}
    // Samples of one epoch, sorted by time, then gid, then probe.
    virtual void on_samples(std::span<const trace_sample>) {}
    // Called after each epoch with the biological time reached (ms).
    virtual void on_progress(time_type /*t*/, time_type /*t_stop*/) {}
};

// Wall-clock time per phase, in seconds.
struct phase_times {
    double build = 0;        // building cells and connection tables
    double update = 0;       // integrating cells
    double deliver = 0;      // putting spikes into the targets' event buffers
    double communicate = 0;  // gathering and sorting spikes (and, later, MPI exchange)
    double output = 0;       // sinks: writing spikes and traces
};

// Work of the variable-step integrators (bsp-variable; zero in fixed-step modes).
struct integrator_statistics {
    std::uint64_t steps = 0;                 // CVODE steps of cable cells
    std::uint64_t rhs_evaluations = 0;       // right-hand-side evaluations
    std::uint64_t linear_setups = 0;         // Newton matrix rebuilds
    std::uint64_t failed_steps = 0;          // error-test and Newton failures (retried)
    std::uint64_t restarts = 0;              // restarts at events and stimulus edges
    std::uint64_t interpolated_restarts = 0; // of those, inside a step (interpolated back)
    // Hybrid stepping (simulation_options::hybrid): fixed steps taken by
    // cable cells in fixed windows, windows of each kind, scheme changes.
    std::uint64_t fixed_steps = 0;
    std::uint64_t fixed_windows = 0;
    std::uint64_t variable_windows = 0;
    std::uint64_t switches = 0;

    integrator_statistics& operator+=(const integrator_statistics& o) {
        steps += o.steps;
        rhs_evaluations += o.rhs_evaluations;
        linear_setups += o.linear_setups;
        failed_steps += o.failed_steps;
        restarts += o.restarts;
        interpolated_restarts += o.interpolated_restarts;
        fixed_steps += o.fixed_steps;
        fixed_windows += o.fixed_windows;
        variable_windows += o.variable_windows;
        switches += o.switches;
        return *this;
    }
};

struct run_statistics {
    std::uint64_t cells = 0;
    std::uint64_t synapses = 0;          // connections in the network
    std::uint64_t spikes = 0;            // spikes emitted so far
    std::uint64_t events_delivered = 0;  // spike deliveries to synapses (excluding Poisson)
    std::uint64_t connection_bytes = 0;  // memory of the connection tables
    std::uint64_t cell_groups = 0;
    time_type t_reached = 0;             // ms of biological time simulated
    phase_times wall;                    // s
    integrator_statistics integrator;
    // Where the time went (work_statistics.hpp): one entry per pool thread,
    // the lengths of the engine's group advances (ms), work per cell.
    std::vector<thread_work> threads;
    length_histogram advance_lengths;
    // Async modes: the furthest (ms) a group was integrated beyond the time
    // of a cell group or process it receives spikes from (bounded by the
    // shortest delay of the connections between the two).
    time_type max_lead = 0;
    cell_work_statistics per_cell;
    // Distributed runs (execution_context.hpp): one entry per process, in
    // rank order (one entry for a single process); the load imbalance is the
    // largest busy time of a process over the mean (1 = balanced). The
    // network-wide counts above (synapses, spikes, events, groups,
    // integrator, per_cell) cover every process; `wall`, `threads` and
    // `advance_lengths` are this process's own.
    std::vector<process_work> processes;
    double load_imbalance = 1;
    // A dry run's exchange figures (processes lists the one rank it built;
    // the network-wide counts above are that rank's).
    dry_run_statistics dry_run;
};

class simulation {
public:
    // This process alone (a local execution context).
    simulation(const recipe& model, const simulation_options& options);
    // On the processes and threads of `context` (its threads, when not 0,
    // replace options.threads). Collective: every process of the context
    // constructs its simulation with the same recipe and options, and calls
    // run() with the same times; each builds only its own cells. Output goes
    // to rank 0's sink (the others' sinks receive nothing).
    simulation(const recipe& model, const simulation_options& options, const execution_context& context);
    ~simulation();
    simulation(const simulation&) = delete;
    simulation& operator=(const simulation&) = delete;

    // Advances to t_stop (ms), streaming output to `sink` (may be null).
    // Can be called again with a later t_stop to continue.
    void run(time_type t_stop, output_sink* sink = nullptr);

    // Asks a running run() to stop at the end of the current epoch. Safe to
    // call from a signal handler or another thread.
    void request_stop();

    const run_statistics& statistics() const;
    const simulation_options& options() const;
    const execution_context& context() const;

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

} // namespace ranvier
