// A run's report (part of the formats library, ranvier_formats): its
// statistics rendered once, as the JSON object of summary.json
// (docs/outputs.md). The same text is written to summary.json, printed as the
// console summary of `ranvier run` and returned by Python's
// Simulation.statistics, so the three cannot drift apart.
#pragma once

#include <ranvier/simulation.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace ranvier::io {

// What was run, beyond the simulation's options and statistics.
struct run_description {
    std::string model;          // model file path or "builtin:brunel"
    std::string version;        // Ranvier version
    double t_stop = 0;          // ms requested
    bool interrupted = false;   // stopped early (signal)
    double total_wall_s = 0;    // whole command (or Python: build and runs), s
    std::uint64_t memory_before_build = 0; // bytes of RSS before building the network
};

// The JSON text of summary.json (an object, indented by 2, ending in a
// newline): every key of docs/outputs.md. Peak memory is read at the call.
std::string run_summary_json(const run_description& run, const simulation_options& options,
                             const run_statistics& stats);

// Writes `json_text` to `path` atomically (a temporary file `path`.tmp, then a
// rename). Every write, the flush and the close are checked: throws
// user_error naming `path` and the operating system's reason ("No space left
// on device"); an earlier file at `path` is then left untouched.
void write_run_summary(const std::string& path, const std::string& json_text);

// The console summary of `ranvier run` (several lines, each ending in a
// newline), from the text run_summary_json() gave: the network, spikes and
// rate, wall time per phase, the variable-step integrators' work (when they
// took steps), peak memory, and the files of `out_dir` this run wrote.
std::string console_summary(const std::string& summary_json, const std::string& out_dir,
                            const std::vector<std::string>& files_written);

// Peak resident set size of this process so far, in bytes.
std::uint64_t peak_memory_bytes();
// Current resident set size, in bytes (0 if unknown).
std::uint64_t current_memory_bytes();

} // namespace ranvier::io
