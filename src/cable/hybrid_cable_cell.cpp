// Window-by-window choice between CVODE and the fixed step for one cable
// cell (see hybrid_cable_cell.hpp).
#include "cable/hybrid_cable_cell.hpp"
#include "time/time_grid.hpp"

#include <ranvier/errors.hpp>

#include <algorithm>
#include <cmath>

namespace ranvier::cable {
namespace {

std::unique_ptr<fixed_step_cable_stepper> make_stepper(cable_state& state,
                                                       const hybrid_options& o) {
    if (!o.enabled) return nullptr;
    auto bad = [](const char* key, const std::string& what) {
        return user_error(source_location{"", 0, key}, what);
    };
    if (!(o.dt > 0) || !std::isfinite(o.dt)) throw bad("dt", "must be a positive number of ms");
    if (!(o.window >= o.dt) || !std::isfinite(o.window))
        throw bad("hybrid_window", "must be at least one step (dt = " + std::to_string(o.dt) +
                                       " ms)");
    if (!(o.cvode_step_cost > 0) || !std::isfinite(o.cvode_step_cost))
        throw bad("hybrid_cvode_step_cost", "must be a positive number of fixed steps");
    // Backward Euler only: its states stand at the same time as v, so either
    // scheme can take over from the other at a window boundary.
    return std::make_unique<fixed_step_cable_stepper>(
        std::move(state), fixed_step_options{time_scheme::backward_euler, o.dt});
}

cvode_cell make_cvode(cable_state& state, fixed_step_cable_stepper* stepper, std::int64_t gid,
                      const cvode_options& o) {
    if (stepper) return cvode_cell(cvode_cell::borrowed_state{stepper->state()}, gid, o);
    return cvode_cell(std::move(state), gid, o);
}

} // namespace

hybrid_cable_cell::hybrid_cable_cell(cable_state state, std::int64_t gid,
                                     const cvode_options& cvode, const hybrid_options& hybrid)
    : options_(hybrid),
      stepper_(make_stepper(state, hybrid)),
      cvode_(make_cvode(state, stepper_.get(), gid, cvode)) {
    if (!enabled()) return;
    // Self-events, NET_RECEIVE argument storage and net_event would need
    // both schemes' queues to hand them over at window boundaries: not yet.
    for (std::size_t m = 0; m < stepper_->state().mechanism_count(); ++m) {
        const mechanism_type& type = stepper_->state().mechanism_at(m).type();
        if (type.sends_self_events || type.emits_spikes || type.per_connection_arguments())
            throw user_error(source_location{"", 0, "hybrid"},
                             "cell gid " + std::to_string(gid) + ": " + type.name +
                                 " uses net_send, net_event or several/assigned NET_RECEIVE arguments, "
                                 "which hybrid stepping does not support yet (set hybrid = false)");
    }
    if (cvode.event_window > 0)
        throw user_error(source_location{"", 0, "event_window"},
                         "cannot be combined with hybrid stepping (set one of them to 0)");
    // A whole number of steps (at least one), counted on the step grid.
    steps_per_window_ = std::max<std::int64_t>(1, time_grid(options_.dt).nearest(options_.window));
    window_end_step_ = steps_per_window_;
    // CVODE reports a detector above threshold at t = 0.
    take_cvode_spikes();
}

void hybrid_cable_cell::schedule_event(event_target target, double time, double weight,
                                       const event_origin& origin) {
    if (!enabled()) {
        cvode_.schedule_event(target, time, weight, origin);
        return;
    }
    if (!(time >= t_))
        throw user_error(source_location{"", 0, "event for cell gid " + std::to_string(gid())},
                         "event time " + std::to_string(time) + " ms is before the cell's time " +
                             std::to_string(t_) + " ms");
    if (!fixed_ && time < window_end()) {
        cvode_.schedule_event(target, std::max(time, cvode_.time()), weight, origin);
        ++window_events_;
        return;
    }
    queue_.push({time, order_++, target, weight, origin});
}

void hybrid_cable_cell::schedule_event(event_target target, double time, double weight, double* args,
                                       std::uint32_t nargs, const event_origin& origin) {
    if (enabled())
        throw internal_error("hybrid_cable_cell: an event with NET_RECEIVE arguments under hybrid stepping");
    cvode_.schedule_event(target, time, weight, args, nargs, origin);
}

void hybrid_cable_cell::reload_initial_state() {
    if (enabled())
        throw internal_error("hybrid_cable_cell: NET_RECEIVE INITIAL under hybrid stepping");
    cvode_.restart_from_state(0.0);
}

void hybrid_cable_cell::feed_cvode() {
    const double end = window_end();
    while (!queue_.empty() && queue_.top().time < end) {
        const queued_event e = queue_.top();
        queue_.pop();
        // A leftover of a fixed window (before b by < dt/2) acts at b.
        cvode_.schedule_event(e.target, std::max(e.time, cvode_.time()), e.weight, e.origin);
        ++window_events_;
    }
}

void hybrid_cable_cell::take_cvode_spikes() {
    const auto found = cvode_.spikes();
    for (std::size_t k = cvode_spikes_taken_; k < found.size(); ++k) held_.push_back(found[k]);
    cvode_spikes_taken_ = found.size();
}

void hybrid_cable_cell::end_window() {
    const auto per_window = static_cast<double>(steps_per_window_);
    const double cost = options_.cvode_step_cost;
    const std::int64_t boundary = window_end_step_;
    const double b = window_end();
    const double events = static_cast<double>(window_events_ + 1);
    // The cell's recent input (events + 1 per window), averaged over windows
    // with weight 1/2 for the newest: one window's count alone is Poisson
    // noise that would send a busy cell to CVODE after a lull; a longer
    // memory keeps a cell on the fixed step long after a burst has ended.
    const bool first = counters_.fixed_windows + counters_.variable_windows == 0;
    events_per_window_ = first ? events : 0.5 * events_per_window_ + 0.5 * events;
    if (!fixed_) {
        ++counters_.variable_windows;
        // What CVODE windows cost this cell, and the input they had, averaged
        // with weight 1/8 for the newest: a window with a spike (a hundred
        // steps or more) moves the average, it does not flip the choice.
        const auto steps = static_cast<double>(cvode_.statistics().steps - window_cvode_steps_at_start_);
        const bool first_cvode = counters_.variable_windows == 1;
        cvode_steps_per_window_ = first_cvode ? steps : 0.875 * cvode_steps_per_window_ + 0.125 * steps;
        cvode_events_per_window_ = first_cvode ? events : 0.875 * cvode_events_per_window_ + 0.125 * events;
    } else {
        ++counters_.fixed_windows;
    }
    // CVODE's expected steps in the next window: its recent average, scaled
    // by how the input has changed since (CVODE's steps grow about in
    // proportion to the events it receives).
    const double expected_steps = cvode_steps_per_window_ * events_per_window_ / cvode_events_per_window_;
    // A move to CVODE pays a restart (about restart_steps more steps) and must
    // beat the fixed step by a margin, so that a cell does not flip back and forth.
    constexpr double restart_steps = 15;
    constexpr double margin = 0.8;
    const double variable_cost = cost * expected_steps;
    const bool next_fixed = fixed_ ? !(variable_cost + cost * restart_steps < margin * per_window)
                                   : variable_cost > per_window;
    if (next_fixed != fixed_) {
        ++counters_.switches;
        if (next_fixed) {
            cvode_.state(); // the state's arrays <- CVODE's solution at b
            stepper_->continue_at(boundary);
        } else {
            cvode_.restart_from_state(b);
        }
        fixed_ = next_fixed;
    }
    window_end_step_ += steps_per_window_;
    window_events_ = 0;
    if (!fixed_) {
        window_cvode_steps_at_start_ = cvode_.statistics().steps;
        feed_cvode();
    }
}

void hybrid_cable_cell::advance_to(double t_end) {
    if (!enabled()) {
        cvode_.advance_to(t_end);
        return;
    }
    if (!(t_end >= t_))
        throw user_error(source_location{"", 0, "cell gid " + std::to_string(gid())},
                         "cannot integrate back to " + std::to_string(t_end) + " ms from " +
                             std::to_string(t_) + " ms");
    const double dt = options_.dt;
    for (;;) {
        if (!fixed_) {
            const double stop = std::min(t_end, window_end());
            cvode_.advance_to(stop);
            take_cvode_spikes();
            if (stop < window_end()) break;
        } else {
            // A step from t_k needs every event up to t_k + dt/2: all before
            // t_end are known.
            std::int64_t k = stepper_->step_index();
            while (k < window_end_step_ && (static_cast<double>(k) + 0.5) * dt < t_end) {
                const double t_mid = stepper_->time() + 0.5 * dt;
                while (!queue_.empty() && queue_.top().time <= t_mid) {
                    const queued_event e = queue_.top();
                    queue_.pop();
                    stepper_->state().mechanism_at(e.target.mechanism).receive_event(e.target.instance,
                                                                                     e.weight);
                    ++window_events_;
                }
                stepper_->step();
                ++counters_.fixed_steps;
                for (const cable_spike& s : stepper_->spikes()) held_.push_back(s);
                stepper_->clear_spikes();
                k = stepper_->step_index();
            }
            if (k < window_end_step_) break;
        }
        end_window();
    }
    // Spikes before t_end are final (found in time order, so held_ is sorted).
    std::size_t n = 0;
    while (n < held_.size() && held_[n].time < t_end) spikes_.push_back(held_[n++]);
    held_.erase(held_.begin(), held_.begin() + static_cast<std::ptrdiff_t>(n));
    t_ = t_end;
}

std::span<const double> hybrid_cable_cell::voltage() const {
    if (fixed_) return stepper_->voltage();
    return cvode_.voltage();
}

cable_state& hybrid_cable_cell::state() {
    if (fixed_) return stepper_->state();
    return cvode_.state();
}

} // namespace ranvier::cable
