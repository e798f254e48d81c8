// Running a model: options, the simulation object, its outputs and statistics.
#pragma once

#include <ranvier/recipe.hpp>
#include <ranvier/types.hpp>

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace ranvier {

enum class execution_mode { bsp_fixed, bsp_variable, async_fixed, async_variable };

std::string to_string(execution_mode mode);
// Parses "bsp-fixed", "bsp-variable", "async-fixed", "async-variable".
// Throws user_error listing the valid names otherwise.
execution_mode parse_execution_mode(const std::string& name);

// Fixed-step scheme of cable cells: NEURON's backward Euler (secondorder = 0,
// first order, the default) or staggered Crank-Nicolson (secondorder = 2).
enum class cable_scheme { backward_euler, crank_nicolson };
std::string to_string(cable_scheme scheme); // "backward-euler", "crank-nicolson"
// Throws user_error listing the valid names.
cable_scheme parse_cable_scheme(const std::string& name);

struct simulation_options {
    execution_mode mode = execution_mode::bsp_fixed;
    double dt = 0.1;            // ms, time step of the fixed-step modes
    cable_scheme scheme = cable_scheme::backward_euler; // cable cells, fixed-step modes
    unsigned threads = 1;       // worker threads (results do not depend on it)
    std::uint64_t seed = 0;     // seeds every random stream of the run
    std::size_t group_size = 0; // cells per cell group, 0 = automatic
    // Variable-step cable cells (per-cell CVODE): absolute tolerance (mV for v,
    // state units for states) and relative tolerance (NEURON's defaults).
    double atol = 1e-3;
    double rtol = 0;
    // Per-state atol factors, NEURON's atolscale: {"cad.cai", 0.01} gives
    // that state atol * 0.01; "v" names the membrane potential.
    std::vector<std::pair<std::string, double>> atol_scale;
    // Event grouping window of the variable-step modes (ms): 0 applies every
    // event exactly at its time; w > 0 lets the earliest pending event open a
    // window and applies every event in it together at its end (each event is
    // at most w late, never early). See docs/numerics-variable-step.md.
    double event_window = 0;
};

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

    integrator_statistics& operator+=(const integrator_statistics& o) {
        steps += o.steps;
        rhs_evaluations += o.rhs_evaluations;
        linear_setups += o.linear_setups;
        failed_steps += o.failed_steps;
        restarts += o.restarts;
        interpolated_restarts += o.interpolated_restarts;
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
};

class simulation {
public:
    simulation(const recipe& model, const simulation_options& options);
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

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

} // namespace ranvier
