// One cable cell that chooses, window by window, between CVODE (cvode_cell)
// and the fixed step (fixed_step_cable_stepper, backward Euler), by which
// would have cost it less: busy cells stop paying for variable step, quiet
// cells keep its long steps. With switching off it is a cvode_cell.
//
// Time is cut into windows of `window` ms (a whole number of fixed steps).
// At each window boundary b the cell decides the next window's scheme from
// its own past alone, so its trajectory never depends on how far it is
// asked to advance (epochs, horizons, threads, groups):
//   CVODE's expected steps in the next window S = (its average steps per
//   CVODE window) x (the cell's average events + 1 per window, recent) /
//   (the average events + 1 of its CVODE windows);
//   after a CVODE window: fixed if cost * S > steps per window;
//   after a fixed window: CVODE if cost * (S + 15) < 0.8 * steps per window
//   (15: a restart's extra steps; 0.8: a margin against flip-flopping).
// Switching at b: CVODE's solution at b becomes the fixed step's state, or
// the fixed step's state at b becomes CVODE's initial value (a restart).
//
// Events: in a CVODE window an event acts at its exact time; in a fixed
// window, before the step from t_k, if its time <= t_k + dt/2 (NEURON's
// rule). An event left over from a fixed window (time in (b - dt/2, b)) acts
// at b in a following CVODE window. Spikes: CVODE's root-found times, or
// the fixed step's first step end above threshold.
// See docs/numerics-variable-step.md ("Hybrid stepping").
#pragma once

#include "cable/cvode/cvode_cell.hpp"
#include "cable/fixed_step_cable_stepper.hpp"

#include <cstdint>
#include <memory>
#include <queue>
#include <span>
#include <string>
#include <vector>

namespace ranvier::cable {

struct hybrid_options {
    bool enabled = false;
    double dt = 0.025;           // ms, the fixed step (backward Euler)
    double window = 5;           // ms between decisions; a whole number of dt
    double cvode_step_cost = 4;  // one CVODE step of a cell, in fixed steps of it
};

struct hybrid_statistics {
    long fixed_steps = 0;
    long fixed_windows = 0;
    long variable_windows = 0;
    long switches = 0; // scheme changes at window boundaries
};

class hybrid_cable_cell {
public:
    // Starts at t = 0 in a CVODE window. Throws user_error for bad options
    // (naming the key) or what cvode_cell rejects.
    hybrid_cable_cell(cable_state state, std::int64_t gid, const cvode_options& cvode,
                      const hybrid_options& hybrid);

    // cvode_cell's contract: every event before t_end has been scheduled;
    // afterwards every spike before t_end is in spikes().
    void advance_to(double t_end);

    using event_target = cvode_cell::event_target;
    event_target resolve_target(const std::string& mechanism, std::size_t instance) {
        return cvode_.resolve_target(mechanism, instance);
    }
    // Events at equal times act in the order of their origins (the spikes
    // they come from, event_origin.hpp), in either scheme.
    void schedule_event(event_target target, double time, double weight, const event_origin& origin = {});
    // A connection's event carrying NET_RECEIVE argument storage (cvode_cell's).
    // Hybrid stepping refuses such mechanisms at construction (not yet).
    void schedule_event(event_target target, double time, double weight, double* args, std::uint32_t nargs,
                        const event_origin& origin = {});
    // Takes the state's arrays as the solution at t = 0 again, after
    // NET_RECEIVE INITIAL blocks (which may assign states) ran on state().
    void reload_initial_state();

    double time() const { return enabled() ? t_ : cvode_.time(); }
    std::int64_t gid() const { return cvode_.gid(); }
    // v of every node and the state at time() (the fixed step's grid state
    // in a fixed window: time() must then be a grid time).
    std::span<const double> voltage() const;
    cable_state& state();
    std::span<const cable_spike> spikes() const { return enabled() ? spikes_ : cvode_.spikes(); }

    cvode_statistics statistics() const { return cvode_.statistics(); }
    const hybrid_statistics& hybrid_counters() const { return counters_; }
    bool in_fixed_window() const { return fixed_; }

private:
    struct queued_event {
        double time;
        std::uint64_t order;
        event_target target;
        double weight;
        event_origin origin;
    };
    struct later_event {
        bool operator()(const queued_event& x, const queued_event& y) const { return acts_after(x, y); }
    };

    bool enabled() const { return stepper_ != nullptr; }
    double window_end() const { return static_cast<double>(window_end_step_) * options_.dt; }
    void take_cvode_spikes();
    void end_window(); // at window_end(): decide and set up the next window
    void feed_cvode();  // queued events acting before window_end() -> CVODE

    hybrid_options options_;
    // Owns the state when switching is on (CVODE borrows it); heap-held so
    // that the state never moves under CVODE's pointers.
    std::unique_ptr<fixed_step_cable_stepper> stepper_;
    cvode_cell cvode_;

    double t_ = 0; // committed time
    bool fixed_ = false;
    std::int64_t steps_per_window_ = 0;
    std::int64_t window_end_step_ = 0;
    long window_cvode_steps_at_start_ = 0;
    long window_events_ = 0;
    double cvode_steps_per_window_ = 0;  // CVODE steps per CVODE window, averaged
    double cvode_events_per_window_ = 1; // events + 1 per CVODE window, averaged
    double events_per_window_ = 0;       // events + 1 per window, averaged over all windows

    std::priority_queue<queued_event, std::vector<queued_event>, later_event> queue_;
    std::uint64_t order_ = 0;
    std::size_t cvode_spikes_taken_ = 0;
    std::vector<cable_spike> held_;   // found, not yet before a committed time
    std::vector<cable_spike> spikes_; // committed
    hybrid_statistics counters_;
};

} // namespace ranvier::cable
