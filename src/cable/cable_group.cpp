// The fixed-step stepper of a cable cell group, NEURON's nrn_fixed_step
// order of operations (see cable_group.hpp and docs/numerics-cable.md).
#include "cable/cable_group.hpp"

#include "cable/hines_solver.hpp"

#include <ranvier/errors.hpp>

#include <algorithm>
#include <cmath>
#include <string>

namespace ranvier::cable {

void cable_group::initialise() {
    step_ = 0;
    std::fill(nodes_.v.begin(), nodes_.v.end(), options_.v_init);
    for (auto& m : mechanisms_) m->initialise(nodes_.v.data());
    events_ = {};
    event_order_ = 0;
    spikes_.clear();
    std::fill(detectors_.above.begin(), detectors_.above.end(), std::uint8_t{0});
    detectors_.check(nodes_.v.data(), 0.0, spikes_);
}

void cable_group::set_dt(double dt_ms) {
    if (!(dt_ms > 0)) throw user_error(source_location{"", 0, "dt"}, "must be > 0 ms");
    // Keep the current time: continue on the new grid from here.
    const double t = time();
    options_.dt = dt_ms;
    step_ = std::llround(t / dt_ms);
}

void cable_group::schedule_event(std::int32_t target, double time, double weight) {
    if (target < 0 || static_cast<std::size_t>(target) >= targets_.size())
        throw user_error(source_location{"", 0, "target"},
                         "no such target " + std::to_string(target) + " (the group has " +
                             std::to_string(targets_.size()) + ")");
    events_.push({time, event_order_++, target, weight});
}

void cable_group::deliver_events_until(double t_ms) {
    while (!events_.empty() && events_.top().time <= t_ms) {
        const cable_event e = events_.top();
        events_.pop();
        const target_ref r = targets_[static_cast<std::size_t>(e.target)];
        mechanisms_[static_cast<std::size_t>(r.mechanism)]->receive_event(
            static_cast<std::size_t>(r.instance), e.weight);
    }
}

void cable_group::step() {
    const double dt = options_.dt;
    const double t0 = time();
    const bool second_order = options_.scheme == time_scheme::crank_nicolson;
    const std::size_t n = nodes_.size();

    // NEURON: events up to t + dt/2 are delivered before the step.
    deliver_events_until(t0 + 0.5 * dt);

    // Membrane currents and their conductances at t + dt/2 (BE and CN alike).
    double* i = nodes_.i.data();
    double* g = nodes_.g.data();
    std::fill_n(i, n, 0.0);
    std::fill_n(g, n, 0.0);
    const current_context ctx{nodes_.v.data(), nodes_.area.data(), i, g, t0 + 0.5 * dt};
    for (const auto& m : mechanisms_) m->current(ctx);

    // Matrix: d = di/dv + cm/dt' + axial, rhs = -i + axial currents, with
    // dt' = dt (BE) or dt/2 (CN: solve for v(t + dt/2) - v(t)); 1e-3 turns
    // µF/cm² · mV/ms into mA/cm².
    const double cfac = 0.001 * (second_order ? 2.0 / dt : 1.0 / dt);
    const std::int32_t* parent = nodes_.parent.data();
    const double* a = nodes_.a.data();
    const double* b = nodes_.b.data();
    const double* cm = nodes_.cm.data();
    const double* v = nodes_.v.data();
    double* d = nodes_.d.data();
    double* rhs = nodes_.rhs.data();
    for (std::size_t k = 0; k < n; ++k) {
        rhs[k] = -i[k];
        d[k] = g[k] + cfac * cm[k];
    }
    for (std::size_t k = 0; k < n; ++k) {
        const std::int32_t p = parent[k];
        if (p < 0) continue;
        const double dv = v[p] - v[k];
        rhs[k] -= b[k] * dv;
        rhs[p] += a[k] * dv;
        d[k] -= b[k];
        d[p] -= a[k];
    }
    hines_solve(nodes_.parent, nodes_.a, nodes_.b, nodes_.d, nodes_.rhs);

    double* vm = nodes_.v.data();
    const double scale = second_order ? 2.0 : 1.0;
    for (std::size_t k = 0; k < n; ++k) vm[k] += scale * rhs[k];

    ++step_;
    // States at the new v (for CN these sit half a step after v: staggered).
    for (const auto& m : mechanisms_) m->advance_states(vm, dt);
    detectors_.check(vm, time(), spikes_);
}

void cable_group::run_until(double t_end) {
    while (time() < t_end - 0.5 * options_.dt) step();
}

mechanism* cable_group::find_mechanism(const std::string& name) {
    for (auto& m : mechanisms_)
        if (m->type().name == name) return m.get();
    return nullptr;
}

} // namespace ranvier::cable
