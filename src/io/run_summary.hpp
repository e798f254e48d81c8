// summary.json: what was run and how it went (see docs/outputs.md).
#pragma once

#include <ranvier/simulation.hpp>

#include <cstdint>
#include <string>

namespace ranvier::io {

struct run_description {
    std::string model;          // model file path or "builtin:brunel"
    std::string version;        // Ranvier version
    double t_stop = 0;          // ms requested
    bool interrupted = false;   // stopped early (signal)
    double total_wall_s = 0;    // whole command, s
    std::uint64_t memory_before_build = 0; // bytes of RSS before building the network
};

// Writes the summary atomically (temporary file, then rename).
void write_run_summary(const std::string& path, const run_description& run,
                       const simulation_options& options, const run_statistics& stats);

} // namespace ranvier::io
