// Shows how far a run is: a bar redrawn in place on a terminal, plain lines
// (every 10 % of the run) otherwise, e.g. in CI logs or when piped.
#pragma once

#include <ranvier/simulation.hpp>

#include <chrono>
#include <cstdio>

namespace ranvier::cli {

class progress_reporter {
public:
    progress_reporter(std::FILE* out, bool terminal, bool quiet);
    void update(time_type t, time_type t_stop, std::uint64_t spikes);
    void finish();

private:
    std::FILE* out_;
    bool terminal_, quiet_;
    int last_decile_ = -1;
    bool drawn_ = false;
    std::chrono::steady_clock::time_point start_, last_draw_;
};

} // namespace ranvier::cli
