// The interface every execution model implements (bsp-fixed, later
// bsp-variable, async-fixed, async-variable). simulation picks one by mode.
#pragma once

#include <ranvier/simulation.hpp>

#include <atomic>

namespace ranvier {

class engine {
public:
    virtual ~engine() = default;
    // Advances to t_stop (ms) or until `stop` becomes true (checked between
    // epochs), streaming to `sink` (may be null) and adding to `stats`.
    virtual void run(time_type t_stop, output_sink* sink, const std::atomic<bool>& stop,
                     run_statistics& stats) = 0;
};

} // namespace ranvier
