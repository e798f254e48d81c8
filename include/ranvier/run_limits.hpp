// What a run may ask for, checked before anything is built (docs/outputs.md,
// "Run limits"). The simulation checks these itself (its constructor: the
// options and the memory estimate; run(): the length of the run), so the C++
// API, the command line and Python give the same answers; a front end calls
// them earlier to name its own option or file.
#pragma once

#include <ranvier/recipe.hpp>
#include <ranvier/simulation.hpp>

#include <cstdint>
#include <limits>
#include <string>

namespace ranvier {

// Worker threads: 1 to max_threads, in model files, on the command line and
// from Python alike.
inline constexpr unsigned max_threads = 1024;

// The time step dt, ms. Below min_dt (1 ns) the output's 9-decimal (1 ps)
// times resolve a step by fewer than 1000 ticks and the event buffers'
// 65,535 steps hold less than 66 us of delay; above max_dt (1 s) no neuron
// model is integrated meaningfully.
inline constexpr double min_dt = 1e-6;
inline constexpr double max_dt = 1000;

// A run is at most max_steps steps of dt long (t_stop / dt): the engines
// count time in whole steps and stamp a step's time as k * dt; up to 2^50
// steps (1.1e15, e.g. 3.6 years of biological time at dt = 0.1 ms) that
// product and its inverse round trip exactly.
inline constexpr std::int64_t max_steps = std::int64_t{1} << 50;

// Empty when min_dt <= dt <= max_dt, else what is wrong and what would be
// right (for a front end to put after its own option or file location).
std::string dt_problem(double dt);
// Empty when 0 <= t_stop is finite and t_stop / dt <= max_steps, else what is
// wrong and the largest t_stop the grid allows at this dt.
std::string run_length_problem(time_type t_stop, double dt);

// Throws user_error (key "dt", "threads", "atol", "rtol", "event_window" or
// "atol_scale") for options outside these limits, saying what would be right.
// atol_scale names states of `mechanisms` (recipe::mechanisms(); null: the
// built-in mechanisms).
void check_options(const simulation_options& options,
                   const std::shared_ptr<const cable::mechanism_catalogue>& mechanisms = nullptr);

// Throws user_error (key "t_stop", or "dt" when dt is outside its limits)
// for a run_length_problem().
void check_run_length(time_type t_stop, double dt);

// A lower estimate of the memory a simulation of `model` needs, from its cell
// count and the connections of an evenly spaced sample of at most
// `sample_size` cells (asked from the recipe, which is cheap next to
// building), before anything is built.
struct memory_estimate {
    std::uint64_t cells = 0;
    std::uint64_t lif_cells = 0;       // estimated from the sample
    std::uint64_t synapses = 0;        // estimated from the sample
    std::uint64_t buffer_steps = 0;    // event buffer slots per LIF cell (fixed-step modes)
    std::uint64_t cell_bytes = 0;      // cells' state, at least 64 bytes each
    std::uint64_t synapse_bytes = 0;   // connection tables, at least 8 bytes per synapse
    std::uint64_t buffer_bytes = 0;    // LIF event buffers: steps x channels x 8 bytes per cell
    std::uint64_t total_bytes() const { // saturating
        std::uint64_t t = cell_bytes;
        for (std::uint64_t b : {synapse_bytes, buffer_bytes})
            t = b > std::numeric_limits<std::uint64_t>::max() - t ? std::numeric_limits<std::uint64_t>::max()
                                                                   : t + b;
        return t;
    }
};
memory_estimate estimate_memory(const recipe& model, const simulation_options& options,
                                std::uint64_t sample_size = 1024);

// Total memory of this machine in bytes (sysconf), or of its container
// (cgroup v2 memory.max) when that is lower; 0 if unknown.
std::uint64_t machine_memory_bytes();

// Throws user_error when `estimate` needs more than `available` bytes (0 =
// unknown: no check), naming the largest part and what would fit.
void check_memory(const memory_estimate& estimate, std::uint64_t available);

} // namespace ranvier
