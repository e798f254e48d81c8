// Per-thread busy and waiting time of an engine (run_statistics::threads).
// Clocks are read once per task (a group's advance or delivery) and once per
// barrier or wait, never per cell or step, so the accounting costs nothing
// measurable next to the work it times.
#pragma once

#include <ranvier/work_statistics.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <vector>

namespace ranvier {

class thread_accounts {
public:
    using clock_type = std::chrono::steady_clock;

    explicit thread_accounts(unsigned threads) : slots_(threads) {}

    // Runs task() on thread `thread`, counting its wall time as busy. Only
    // that thread touches its slot while the engine runs.
    template <class Task>
    void run_task(unsigned thread, Task&& task) {
        const auto t0 = clock_type::now();
        task();
        slot& s = slots_[thread];
        s.busy += seconds_since(t0);
        ++s.tasks;
    }

    // Adds time `thread` spent idle since `since` (no group ready to run).
    void add_wait_since(unsigned thread, clock_type::time_point since) {
        slots_[thread].wait += seconds_since(since);
    }

    // A parallel phase (bsp) of wall time `phase_s` has ended, all threads
    // past its barrier: each thread waited for the part of the phase it was
    // not busy (waking up, and at the barrier for the slowest). Called by
    // the thread that ran the phase, after it.
    void end_phase(double phase_s) {
        for (slot& s : slots_) {
            s.wait += std::max(0.0, phase_s - (s.busy - s.busy_before_phase));
            s.busy_before_phase = s.busy;
        }
    }

    // Adds everything counted to `out` (one entry per thread; resized if
    // shorter) and starts counting from zero.
    void move_to(std::vector<thread_work>& out) {
        if (out.size() < slots_.size()) out.resize(slots_.size());
        for (std::size_t k = 0; k < slots_.size(); ++k) {
            out[k].busy_s += slots_[k].busy;
            out[k].wait_s += slots_[k].wait;
            out[k].tasks += slots_[k].tasks;
            slots_[k] = {};
        }
    }

private:
    static double seconds_since(clock_type::time_point t0) {
        return std::chrono::duration<double>(clock_type::now() - t0).count();
    }

    // One cache line per thread: threads update their own slot only.
    struct alignas(64) slot {
        double busy = 0, wait = 0;
        double busy_before_phase = 0; // busy at the start of the current bsp phase
        std::uint64_t tasks = 0;
    };
    std::vector<slot> slots_;
};

} // namespace ranvier
