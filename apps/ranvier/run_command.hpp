// `ranvier run` and `ranvier plot`: the command-line front end's two jobs.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace ranvier::cli {

struct run_arguments {
    std::string model;               // model file; empty = built-in Brunel network
    std::string out = "ranvier-out"; // output directory
    std::optional<unsigned> threads;
    std::optional<double> t_stop;    // ms
    std::optional<std::uint64_t> seed;
    std::optional<std::string> mode;
    std::optional<double> dt;        // ms
    std::optional<std::string> scheme; // cable cells' fixed-step scheme
    std::optional<std::size_t> group_size; // cells per cell group (tuning only)
    std::optional<double> atol;          // variable step: absolute tolerance
    std::optional<double> rtol;          // variable step: relative tolerance
    std::optional<double> event_window;  // variable step: event grouping window, ms
    bool hybrid = false;                 // variable step: cells switch to the fixed step when busy
    std::optional<double> hybrid_window; // ms between the cells' choices
    std::optional<double> hybrid_cost;   // one CVODE step in fixed steps
    std::optional<int> dry_run;          // pretend processes (docs/scaling.md)
    std::optional<int> dry_run_rank;     // the one built; default 0
    bool plot = true;
    bool quiet = false;
};

// Returns the process exit code; reports errors on stderr.
int run_command(const run_arguments& args);
int plot_command(const std::string& out_dir);

} // namespace ranvier::cli
