// Bulk-synchronous execution of continuous-time (variable-step) cell groups:
// epochs as long as the global minimum delay; every group advances to the
// epoch end in parallel, carrying its cells from event to event; then the
// epoch's spikes (at exact, off-grid times) are gathered, sorted by (time,
// gid) and delivered. LIF cells and cable cells (per-cell CVODE).
#pragma once

#include "comm/communicator.hpp"
#include "engine/decomposition.hpp"
#include "engine/engine.hpp"
#include "engine/task_pool.hpp"
#include "engine/thread_accounts.hpp"
#include "cells/variable_step_group.hpp"

#include <memory>
#include <vector>

namespace ranvier {

class bsp_variable_engine final : public engine {
public:
    // Throws user_error for anything a cell group cannot build.
    bsp_variable_engine(const recipe& model, const simulation_options& options, task_pool& pool,
                        communicator& comm, gid_range range, run_statistics& stats);

    void run(time_type t_stop, output_sink* sink, const std::atomic<bool>& stop,
             run_statistics& stats) override;

private:
    // Returns whether any process asked to stop.
    bool run_epoch(time_type t_end, time_type t_stop, output_sink* sink, bool stop_wish,
                   run_statistics& stats);

    task_pool& pool_;
    thread_accounts accounts_; // busy and waiting time per thread
    communicator& comm_;
    std::vector<std::unique_ptr<variable_step_group>> groups_;
    std::vector<group_output> outputs_; // one per group, reused every epoch
    time_type epoch_ = 1.0;             // ms, epoch length (global min delay)
    time_type t_ = 0;                   // ms, time reached
    bool started_ = false;              // has the point t = 0 been run?
};

} // namespace ranvier
