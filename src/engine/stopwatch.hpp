// Wall-clock time of the engine's phases (run_statistics::wall), one clock
// for every engine.
#pragma once

#include <chrono>

namespace ranvier {

class stopwatch {
public:
    using clock_type = std::chrono::steady_clock;
    stopwatch() : start_(clock_type::now()) {}
    // Seconds since construction or the last restart().
    double seconds() const { return std::chrono::duration<double>(clock_type::now() - start_).count(); }
    void restart() { start_ = clock_type::now(); }

private:
    clock_type::time_point start_;
};

} // namespace ranvier
