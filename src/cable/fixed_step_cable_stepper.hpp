// NEURON's fixed-step scheme for a group of cable cells (backward Euler,
// secondorder = 0, or the staggered Crank–Nicolson, secondorder = 2),
// advancing a cable_state: one fused assembly + Hines solve per step for the
// whole group (cells of identical shape in lockstep batches), one virtual
// call per mechanism type per step. Owns what only this scheme needs: time
// on the step grid, the queue of pending events, the step's work arrays and
// solve plan, the detected spikes. See docs/numerics-cable.md for the
// equations and the order of operations.
#pragma once

#include "cable/cable_state.hpp"
#include "cable/event_origin.hpp"
#include "cable/spike_detector.hpp"

#include <cstdint>
#include <queue>
#include <span>
#include <vector>

namespace ranvier::cable {

enum class time_scheme {
    backward_euler, // NEURON secondorder = 0: first order
    crank_nicolson, // NEURON secondorder = 2: staggered, second order
};

struct fixed_step_options {
    time_scheme scheme = time_scheme::backward_euler;
    double dt = 0.025; // ms
};

// A synaptic event or a self-event (net_send) waiting for delivery.
struct cable_event {
    double time;          // ms
    // Ties broken by acts_after (event_origin.hpp): connection events by
    // their origin, then in scheduling order; self-events (orders from
    // self_event_order) after them in the order they were sent.
    std::uint64_t order;
    std::int32_t mechanism, instance; // where it acts (a point-process target's)
    double weight;        // the target mechanism's weight unit (uS for synapses)
    double flag = 0;      // 0: a connection's event; net_send's flag
    double* args = nullptr; // the connection's NET_RECEIVE argument storage, or null: {weight}
    std::uint32_t nargs = 0;
    event_origin origin{}; // the spike of a connection event
};

class fixed_step_cable_stepper {
public:
    fixed_step_cable_stepper() = default;
    // Starts at t = 0 from `state` as given (cable_state_builder::build leaves
    // it initialised): no events pending, detectors checked at t = 0 (a node
    // already above threshold reports a spike at t = 0). Throws user_error
    // for dt <= 0.
    explicit fixed_step_cable_stepper(cable_state state, const fixed_step_options& options = {});
    fixed_step_cable_stepper(fixed_step_cable_stepper&&) = default;
    fixed_step_cable_stepper& operator=(fixed_step_cable_stepper&&) = default;

    // NEURON's finitialize(v_init): the state initialised
    // (cable_state::initialise), t = 0, pending events and recorded spikes
    // cleared, detectors checked at t = 0.
    void initialise();

    // Takes over the state as another scheme left it at step `step` (time
    // step * dt): no events pending, no spikes kept, each detector armed by
    // whether its node is above threshold now (a crossing already under way
    // is not reported again). hybrid_cable_cell's switch from CVODE.
    void continue_at(std::int64_t step);

    // One step from t_k = k dt to t_{k+1}: delivers events with time <=
    // t_k + dt/2, evaluates currents at t_k + dt/2, solves, updates v, then
    // advances states, then checks detectors (spikes stamped t_{k+1}).
    void step();
    // Steps while t < t_end - dt/2 (NEURON's run loop).
    void run_until(double t_end);
    // Delivers now the events the next step() would deliver first (time <=
    // t + dt/2), so that what they emit (net_event) is stamped t, the end of
    // the step just taken, as NEURON's exact t for events on the grid. The
    // cell groups call it after each step's samples (NEURON records before
    // it delivers); every connection event due by then is known (delays are
    // at least one step). step() still delivers whatever is left.
    void deliver_due_events();

    // Queues an event for point-process `target` at `time` (ms, not before
    // the current step's start), made from the spike `origin` (none: it acts
    // before spikes' events at the same time). Allocates only when the queue
    // grows.
    void schedule_event(std::int32_t target, double time, double weight, const event_origin& origin = {});
    // The same for a connection keeping NET_RECEIVE arguments: `args`
    // (nargs values, args[0] the weight) is the connection's storage, which
    // must outlive the stepper's use of it.
    void schedule_event(std::int32_t target, double time, double* args, std::uint32_t nargs,
                        const event_origin& origin = {});

    double time() const { return static_cast<double>(step_) * options_.dt; } // ms
    std::int64_t step_index() const { return step_; }
    const fixed_step_options& options() const { return options_; }
    void set_scheme(time_scheme s) { options_.scheme = s; }
    void set_dt(double dt_ms); // only between runs; resets nothing but the step length

    std::span<const double> voltage() const { return state_.voltage(); } // mV, per group node
    cable_state& state() { return state_; }
    const cable_state& state() const { return state_; }

    std::span<const cable_spike> spikes() const { return spikes_; }
    void clear_spikes() { spikes_.clear(); }

private:
    struct later_event {
        bool operator()(const cable_event& x, const cable_event& y) const { return acts_after(x, y); }
    };

    // Cells of identical shape, consecutive in the group, solved in lockstep.
    struct solve_batch {
        std::int32_t first_cell; // index into the state's cell offsets
        std::int32_t cells;      // 1 .. max_solve_batch
        std::int32_t size;       // nodes per cell
    };
    // Enough independent cells to hide the division latency of the
    // elimination; small enough that a batch's nodes stay in cache.
    static constexpr std::size_t max_solve_batch = 8;

    // t = 0, no events, no spikes, detectors checked at t = 0; the INITIAL
    // blocks' self-events queued.
    void restart();
    // Queues the state's self-events and spikes of the last NET_RECEIVE or
    // initialise; spikes are stamped `stamp` (ms).
    void take_requests(double stamp);
    void schedule_event(std::int32_t target, double time, double* args, std::uint32_t nargs, double weight,
                        const event_origin& origin);
    void deliver_events_until(double t_ms, double stamp);
    // Groups the cells into solve_batches_.
    void plan_solve_batches();

    fixed_step_options options_;
    cable_state state_;
    // Work arrays of one step. The mechanisms add their currents into i and
    // their di/dv straight into the diagonal d; the fused solve of step()
    // folds each child's elimination into its parent's i and d, then leaves
    // the solution x (mV; v advanced by x, or 2x for CN) in i and b/d (1) in
    // d. Two arrays, not four, keep a group's working set small enough for
    // the core's cache.
    std::vector<double> i_; // mA/cm², membrane current density (outward), then x (mV)
    std::vector<double> d_; // mA/cm² per mV, matrix diagonal (di/dv included), then b/d (1)
    std::vector<solve_batch> solve_batches_;
    // mA/cm² per mV: cm cfac + d_axial, the part of the diagonal that is the
    // same every step, for cfac (mA/cm² per mV per µF/cm²) = diagonal_cfac_.
    std::vector<double> diagonal_base_;
    double diagonal_cfac_ = 0;
    std::vector<cable_spike> spikes_;
    std::priority_queue<cable_event, std::vector<cable_event>, later_event> events_;
    std::uint64_t event_order_ = 0;
    std::uint64_t self_order_ = self_event_order;
    std::vector<cable_state::self_event> sent_;      // scratch of take_requests
    std::vector<cable_state::emitted_spike> emitted_;
    std::int64_t step_ = 0;
};

} // namespace ranvier::cable
