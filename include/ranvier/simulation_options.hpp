// How to run a model: the execution mode, time step, threads, seed and the
// variable-step tolerances. Plain data, shared by the simulation (which acts
// on it), model files (whose [simulation] table fills it) and front ends.
#pragma once

#include <cstddef>
#include <cstdint>
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
    // Hybrid stepping of cable cells in the variable-step modes: every
    // `hybrid_window` ms each cell chooses CVODE or the fixed step dt
    // (backward Euler) for the next window, by which cost it less given its
    // own recent activity, counting one CVODE step as `hybrid_cvode_step_cost`
    // fixed steps. Results stay independent of threads, groups and epochs.
    // See docs/numerics-variable-step.md ("Hybrid stepping").
    bool hybrid = false;
    double hybrid_window = 5;
    double hybrid_cvode_step_cost = 4;
};

} // namespace ranvier
