// Variable-step integration of ONE cable cell with SUNDIALS CVODE (BDF,
// order <= 5, Newton iteration), NEURON's per-cell CVODE:
//   y = [v of every node with area > 0, all mechanism states]; zero-area
//   nodes are algebraic and eliminated (their v solves current balance with
//   their neighbours at every right-hand-side evaluation);
//   Newton systems solved by newton_block_solver (Hines + diagonal);
//   IClamp on/off times and synaptic events are stop points: integrate
//   exactly to them, apply, re-initialise CVODE;
//   spikes by CVODE root finding on v(detector) - threshold, upward only.
// The cell is given as a cable_group holding one cell (cable_group_builder),
// whose node arrays and mechanisms this class evaluates; the group's own
// fixed-step machinery is not used. See docs/numerics-variable-step.md.
#pragma once

#include "cable/cable_group.hpp"

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace ranvier::cable {

struct cvode_options {
    double atol = 1e-3;        // absolute tolerance (mV for v, state units for states)
    double rtol = 0;           // relative tolerance (NEURON's default is 0)
    int max_order = 5;         // BDF order limit, 1..5
    long max_steps = 500000;   // steps allowed per stop-point segment before giving up
    double max_step = 0;       // ms, largest step (0: unlimited)
};

struct cvode_statistics {
    long steps = 0;                 // CVODE steps taken
    long rhs_evaluations = 0;       // f(t, y) calls by CVODE (not counting root finding)
    long linear_setups = 0;         // Newton matrix (re)builds (di/dv, state Jacobian)
    long linear_solves = 0;         // Hines + diagonal solves
    long nonlinear_iterations = 0;  // Newton iterations
    long error_test_failures = 0;
    long convergence_failures = 0;  // Newton failures
    long root_evaluations = 0;      // threshold function calls
    long reinits = 0;               // re-initialisations at stop points
    int last_order = 0;             // BDF order of the last step
    double last_step = 0;           // ms, size of the last step
};

class cvode_cell {
public:
    // Takes the (initialised, t = 0) group; it must hold exactly one cell.
    // `gid` names the cell in error messages. Throws user_error for bad
    // options or a group that is not one cell.
    cvode_cell(cable_group group, std::int64_t gid, const cvode_options& options = {});
    ~cvode_cell();
    cvode_cell(cvode_cell&&) noexcept;
    cvode_cell& operator=(cvode_cell&&) noexcept;

    // Integrates to t_end (ms, >= time()), stopping exactly at IClamp edges
    // and at queued events on the way. Throws user_error (gid, time, CVODE's
    // failure, a hint) when CVODE fails.
    void advance_to(double t_end);

    // Queues an event of `weight` for instance `instance` of point process
    // `mechanism` (e.g. "ExpSyn", instance numbers in place() order per
    // mechanism) at `time` (ms, >= time()). It is applied exactly at `time`.
    void schedule_event(const std::string& mechanism, std::size_t instance, double time,
                        double weight);

    double time() const { return t_; } // ms
    std::int64_t gid() const { return gid_; }
    // v of every node (mV) and the mechanisms' states at time(), written into
    // the group after every advance_to (zero-area nodes solved as well).
    std::span<const double> voltage() const { return group_.voltage(); }
    cable_group& group() { return group_; }
    std::span<const cable_spike> spikes() const { return spikes_; }
    cvode_statistics statistics() const;
    const cvode_options& options() const { return options_; }

    struct solver; // CVODE state (defined in the .cpp)

private:
    cable_group group_;
    std::int64_t gid_;
    cvode_options options_;
    double t_ = 0;
    std::vector<cable_spike> spikes_;
    std::unique_ptr<solver> solver_;
};

} // namespace ranvier::cable
