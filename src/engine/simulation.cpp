// The public simulation object: validates options, picks the engine of the
// execution mode, owns the thread pool and the communicator.
#include "comm/communicator.hpp"
#include "engine/async_engine.hpp"
#include "engine/bsp_fixed_engine.hpp"
#include "engine/bsp_variable_engine.hpp"
#include "engine/task_pool.hpp"
#include "cable/mechanisms/mechanism_catalogue.hpp"

#include <ranvier/errors.hpp>
#include <ranvier/simulation.hpp>

#include <algorithm>
#include <cmath>

namespace ranvier {

namespace {

// atol_scale names "v" or "<mechanism>.<state>" of a mechanism Ranvier knows;
// checked here for every mode and model, so a typo never passes silently (a
// cell without that mechanism simply has nothing to scale).
void check_atol_scale(const simulation_options& options) {
    const auto catalogue = cable::builtin_catalogue();
    for (const auto& [name, factor] : options.atol_scale) {
        const std::string problem = cable::atol_scale_problem(catalogue, name, factor);
        if (!problem.empty()) throw user_error(source_location{"", 0, "atol_scale"}, problem);
    }
}

} // namespace

struct simulation::impl {
    simulation_options options;
    run_statistics stats;
    std::atomic<bool> stop{false};
    task_pool pool;
    local_communicator comm;
    std::unique_ptr<engine> eng;

    impl(const recipe& model, const simulation_options& opts)
        : options(opts), pool(opts.threads) {
        if (!(options.dt > 0) || !std::isfinite(options.dt))
            throw user_error("the time step dt must be a positive number of ms, got " +
                             std::to_string(options.dt));
        if (options.threads < 1) throw user_error("the number of threads must be at least 1");
        check_atol_scale(options);
        switch (options.mode) {
        case execution_mode::bsp_fixed:
            eng = std::make_unique<bsp_fixed_engine>(model, options, pool, comm, stats);
            break;
        case execution_mode::bsp_variable:
            eng = std::make_unique<bsp_variable_engine>(model, options, pool, comm, stats);
            break;
        case execution_mode::async_fixed:
            eng = make_async_fixed_engine(model, options, pool, stats);
            break;
        case execution_mode::async_variable:
            eng = make_async_variable_engine(model, options, pool, stats);
            break;
        }
    }
};

simulation::simulation(const recipe& model, const simulation_options& options)
    : impl_(std::make_unique<impl>(model, options)) {}

simulation::~simulation() = default;

void simulation::run(time_type t_stop, output_sink* sink) {
    if (!std::isfinite(t_stop) || t_stop < 0)
        throw user_error("t_stop must be a finite, non-negative time in ms");
    impl_->stop.store(false);
    impl_->eng->run(t_stop, sink, impl_->stop, impl_->stats);
}

void simulation::request_stop() { impl_->stop.store(true); }

const run_statistics& simulation::statistics() const { return impl_->stats; }
const simulation_options& simulation::options() const { return impl_->options; }

} // namespace ranvier
