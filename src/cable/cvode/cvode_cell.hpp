// Variable-step integration of ONE cable cell with SUNDIALS CVODE (BDF,
// order <= 5, Newton iteration), NEURON's per-cell CVODE:
//   y = [v of every node with area > 0, all mechanism states]; zero-area
//   nodes are algebraic and eliminated (their v solves current balance with
//   their neighbours at every right-hand-side evaluation);
//   Newton systems solved by newton_block_solver (Hines + diagonal);
//   the integrator chooses its own steps, independent of how far it is asked
//   to go: advance_to(t) commits the solution up to t but the integrator may
//   already stand beyond t (NEURON's lvardt does the same). IClamp on/off
//   times are stop points (never stepped over); a synaptic event inside the
//   last step is reached by interpolating back to it (CVodeGetDky), applied,
//   and CVODE restarts there. So the steps, and the spike times, depend only
//   on the cell's own inputs, never on the epochs of the engine driving it;
//   spikes by CVODE root finding on v(detector) - threshold, upward only.
// The cell is given as a cable_state holding one cell (cable_state_builder):
// its node arrays are the tree and v, its mechanisms give the currents
// (cable_state::add_currents), state derivatives and events. See
// docs/numerics-variable-step.md.
#pragma once

#include "cable/cable_state.hpp"
#include "cable/event_origin.hpp"
#include "cable/spike_detector.hpp"

#include <ranvier/errors.hpp>

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace ranvier::cable {

class mechanism_catalogue;

struct cvode_options {
    double atol = 1e-3;        // absolute tolerance (mV for v, state units for states)
    double rtol = 0;           // relative tolerance (NEURON's default is 0)
    int max_order = 5;         // BDF order limit, 1..5
    long max_steps = 500000;   // steps allowed in one advance_to before giving up
    double max_step = 0;       // ms, largest step (0: unlimited)
    // Event grouping window (ms, >= 0). 0: every event acts exactly at its
    // time. w > 0: the earliest pending event at t opens a window; every
    // event in [t, t + w] acts together at t + w, so a burst costs one
    // restart, and each event is late by at most w (never early, so
    // causality holds with any epochs). See docs/numerics-variable-step.md.
    double event_window = 0;
    // Per-state absolute tolerance factors, NEURON's atolscale: the state
    // named "mechanism.state" (e.g. "cad.cai") or "v" gets atol * factor; a
    // mechanism the cell does not have is ignored. Each entry is checked by
    // cable::atol_scale_problem against `mechanisms` (the check the
    // simulation and the model file make): a user_error names the problem.
    std::vector<std::pair<std::string, double>> atol_scale;
    // The model's mechanisms (recipe::mechanisms(); null: the built-ins).
    std::shared_ptr<const mechanism_catalogue> mechanisms;
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
    long reinits = 0;               // restarts at discontinuities (events, IClamp edges)
    long interpolated_restarts = 0; // of those, restarts inside a step (by interpolating back)
    long dropped_roots = 0;         // threshold crossings found after an event, re-integrated
    int last_order = 0;             // BDF order of the last step
    double last_step = 0;           // ms, size of the last step
};

class cvode_cell {
public:
    // Starts at t = 0 from `state` as given (cable_state_builder::build
    // leaves it initialised); it must hold exactly one cell. A detector
    // already above threshold spikes at t = 0. `gid` names the cell in error
    // messages. Throws user_error for bad options or a state that is not one
    // cell.
    cvode_cell(cable_state state, std::int64_t gid, const cvode_options& options = {});
    // The same on a state someone else owns (it must outlive the cell and
    // stay where it is): between restart_from_state calls another scheme may
    // advance it (hybrid_cable_cell's fixed step).
    struct borrowed_state {
        cable_state& state;
    };
    cvode_cell(borrowed_state state, std::int64_t gid, const cvode_options& options = {});
    ~cvode_cell();
    cvode_cell(cvode_cell&&) noexcept;
    cvode_cell& operator=(cvode_cell&&) noexcept;

    // Commits the solution up to t_end (ms, >= time()): every event with a
    // time before t_end must have been scheduled; every spike before t_end is
    // then in spikes() (a crossing at or after t_end waits, since an event
    // before it could still arrive and cancel it). Events due at exactly
    // t_end act in a later call. Throws user_error (gid, time, CVODE's
    // failure, a hint) when CVODE fails.
    void advance_to(double t_end);

    // Where an event acts: an instance of one of the group's mechanisms
    // (index into group().mechanism_at()), resolved once by resolve_target.
    struct event_target {
        std::size_t mechanism;
        std::size_t instance;
    };
    // The target of instance `instance` of point process `mechanism` (e.g.
    // "ExpSyn", instance numbers in place() order per mechanism). Throws
    // user_error if the cell has no such mechanism or instance, or the
    // mechanism receives no events.
    event_target resolve_target(const std::string& mechanism, std::size_t instance);

    // Queues an event of `weight` for `target` at `time` (ms, >= time()),
    // made from the spike `origin` (none: it acts before spikes' events at
    // the same time; event_origin.hpp). It acts at `time` (or at the end of
    // its grouping window). It may lie inside the integrator's last step.
    void schedule_event(event_target target, double time, double weight, const event_origin& origin = {});
    // The same for a connection keeping NET_RECEIVE arguments (`args`, nargs
    // values, its storage: it must outlive the cell's use of it).
    void schedule_event(event_target target, double time, double weight, double* args, std::uint32_t nargs,
                        const event_origin& origin = {});
    // The same, resolving the target by name first (for one-off events and
    // tests; groups resolve their targets once).
    void schedule_event(const std::string& mechanism, std::size_t instance, double time,
                        double weight) {
        schedule_event(resolve_target(mechanism, instance), time, weight);
    }

    // Takes the state's arrays (v, mechanism states), as another scheme left
    // them at time t (>= time()), as the solution at t and restarts the
    // integrator there (a restart, as at an event). No pending event may lie
    // before t. Crossings the integrator had found beyond time() are dropped.
    void restart_from_state(double t);

    double time() const { return t_; } // ms, committed time
    std::int64_t gid() const { return gid_; }
    // v of every node (mV) at time(), zero-area nodes solved as well. This
    // and state() first write the solution at time() (interpolated inside
    // the integrator's last step) into the state's arrays.
    std::span<const double> voltage() const;
    cable_state& state();
    std::span<const cable_spike> spikes() const { return spikes_; }
    cvode_statistics statistics() const;
    const cvode_options& options() const { return options_; }

    struct solver; // CVODE state and the cell's cable_state (defined in the .cpp)

private:
    void set_up(); // the integrator for the state, at t = 0
    void take_requests(); // NET_RECEIVE's self-events and spikes -> queue, spikes_
    void sync() const; // the state's arrays <- the solution at t_
    std::vector<double> tolerance_vector() const;
    // Some mechanism of the cell declares per-state atol factors (<tol> in its file).
    bool has_state_atol_scales() const;

    std::int64_t gid_;
    cvode_options options_;
    double t_ = 0;
    std::vector<cable_spike> spikes_;
    std::unique_ptr<solver> solver_;
};

} // namespace ranvier::cable
