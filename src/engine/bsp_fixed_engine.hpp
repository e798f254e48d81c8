// Bulk-synchronous, fixed-step execution (what NEST, NEURON and Arbor do):
// every cell group advances one epoch (the global minimum delay) in parallel,
// then the epoch's spikes are gathered, sorted and delivered into the
// targets' event buffers, all at once.
#pragma once

#include "comm/communicator.hpp"
#include "engine/decomposition.hpp"
#include "cells/cell_group.hpp"
#include "engine/engine.hpp"
#include "engine/task_pool.hpp"
#include "engine/thread_accounts.hpp"
#include "time/time_grid.hpp"

#include <memory>
#include <vector>

namespace ranvier {

class bsp_fixed_engine final : public engine {
public:
    bsp_fixed_engine(const recipe& model, const simulation_options& options, task_pool& pool,
                     communicator& comm, gid_range range, run_statistics& stats);

    void run(time_type t_stop, output_sink* sink, const std::atomic<bool>& stop,
             run_statistics& stats) override;

private:
    time_grid grid_; // steps of dt
    task_pool& pool_;
    thread_accounts accounts_; // busy and waiting time per thread
    communicator& comm_;
    std::vector<std::unique_ptr<fixed_step_group>> groups_;
    std::vector<group_output> outputs_; // one per group, reused every epoch
    std::int64_t epoch_steps_ = 1;      // steps per epoch (global min delay)
    std::int64_t step_ = 0;             // next step to integrate
};

} // namespace ranvier
