// NEURON's nrn_fixed_step order of operations on a cable_state (see
// fixed_step_cable_stepper.hpp and docs/numerics-cable.md).
#include "cable/fixed_step_cable_stepper.hpp"
#include "time/time_grid.hpp"

#include <ranvier/errors.hpp>

#include <algorithm>
#include <cmath>
#include <string>

namespace ranvier::cable {

fixed_step_cable_stepper::fixed_step_cable_stepper(cable_state state,
                                                   const fixed_step_options& options)
    : options_(options), state_(std::move(state)) {
    if (!(options_.dt > 0)) throw user_error(source_location{"", 0, "dt"}, "must be > 0 ms");
    const std::size_t n = state_.nodes().size();
    i_.assign(n, 0.0);
    d_.assign(n, 0.0);
    plan_solve_batches();
    spikes_.reserve(1024);
    restart();
}

void fixed_step_cable_stepper::initialise() {
    state_.initialise();
    restart();
}

void fixed_step_cable_stepper::restart() {
    step_ = 0;
    events_ = {};
    event_order_ = 0;
    self_order_ = self_event_order;
    spikes_.clear();
    spike_detectors& detectors = state_.detectors();
    std::fill(detectors.above.begin(), detectors.above.end(), std::uint8_t{0});
    detectors.check(state_.voltage().data(), 0.0, spikes_);
    sent_.clear();
    emitted_.clear();
    state_.take_initial_requests(sent_, emitted_);
    take_requests(options_.dt);
}

void fixed_step_cable_stepper::take_requests(double stamp) {
    for (const cable_state::self_event& e : sent_)
        events_.push({e.time, self_order_++, e.mechanism, e.instance, e.weight, e.flag, e.args, e.nargs});
    sent_.clear();
    // net_event: a spike of the instance's cell (one detector per cell, so
    // the cell index is its detector's), stamped at the end of a step, as a
    // threshold crossing: the engines take a fixed-step spike at t_k to come
    // from the step that ended at t_k, which keeps the exchange and async
    // horizons exact. Events delivered after a step (deliver_due_events)
    // emit at its end t_k, NEURON's own t for an event on the grid; those
    // step() delivers before stepping from t_k (only at t = 0) at t_k + dt.
    for (const cable_state::emitted_spike& s : emitted_) spikes_.push_back({s.cell, stamp});
    emitted_.clear();
}

void fixed_step_cable_stepper::continue_at(std::int64_t step) {
    step_ = step;
    events_ = {};
    spikes_.clear();
    spike_detectors& detectors = state_.detectors();
    const auto v = state_.voltage();
    for (std::size_t k = 0; k < detectors.size(); ++k)
        detectors.above[k] = v[static_cast<std::size_t>(detectors.node[k])] > detectors.threshold[k];
}

void fixed_step_cable_stepper::set_dt(double dt_ms) {
    if (!(dt_ms > 0)) throw user_error(source_location{"", 0, "dt"}, "must be > 0 ms");
    // Keep the current time: continue on the new grid from here.
    const double t = time();
    options_.dt = dt_ms;
    step_ = time_grid(dt_ms).nearest(t);
}

void fixed_step_cable_stepper::schedule_event(std::int32_t target, double time, double weight,
                                              const event_origin& origin) {
    schedule_event(target, time, nullptr, 0, weight, origin);
}

void fixed_step_cable_stepper::schedule_event(std::int32_t target, double time, double* args,
                                              std::uint32_t nargs, const event_origin& origin) {
    schedule_event(target, time, args, nargs, args[0], origin);
}

void fixed_step_cable_stepper::schedule_event(std::int32_t target, double time, double* args,
                                              std::uint32_t nargs, double weight, const event_origin& origin) {
    if (target < 0 || static_cast<std::size_t>(target) >= state_.target_count())
        throw user_error(source_location{"", 0, "target"},
                         "no such target " + std::to_string(target) + " (the group has " +
                             std::to_string(state_.target_count()) + ")");
    const cable_state::target_ref r = state_.target_at(target);
    events_.push({time, event_order_++, r.mechanism, r.instance, weight, 0.0, args, nargs, origin});
}

void fixed_step_cable_stepper::deliver_due_events() {
    deliver_events_until(time() + 0.5 * options_.dt, time());
}

void fixed_step_cable_stepper::deliver_events_until(double t_ms, double stamp) {
    // A self-event sent here with a short delay is delivered in this loop
    // too, as NEURON's fixed step does.
    while (!events_.empty() && events_.top().time <= t_ms) {
        const cable_event e = events_.top();
        events_.pop();
        state_.net_receive(static_cast<std::size_t>(e.mechanism), static_cast<std::size_t>(e.instance), e.args,
                           e.nargs, e.weight, e.flag, e.time, sent_, emitted_);
        if (!sent_.empty() || !emitted_.empty()) take_requests(stamp);
    }
}

namespace {

// The arrays one fused solve reads and writes (group node indices).
struct fused_solve_arrays {
    const std::int32_t* parent; // parent node, parent[k] < k except at the root
    const double* a;            // mA/cm² per mV, coupling of the parent's row to k
    const double* b;            // mA/cm² per mV, coupling of k's row to its parent
    double* i;                  // mA/cm², membrane current (children's rows folded in), then x (mV)
    double* d;                  // mA/cm² per mV, diagonal (children's rows folded in), then b/d (1)
    double* v;                  // mV, updated in place
};

// Assembles, solves and applies the step's linear system for `cells` cells
// of identical shape (`size` nodes each, the root first) starting at the
// group nodes offset[0..cells), in two sweeps instead of NEURON's four
// (setup, triang, bksub, update). Row k of the system is
//   d[k] x[k] + b[k] x[parent] + sum_c a[c] x[c]
//     = -i[k] - b[k] (v[parent] - v[k]) - sum_c a[c] (v[c] - v[k]),
// d already holding di/dv + cfac cm + d_axial.
// Leaves -> root: a row is complete once all its children (higher indices)
// are folded in; it is then eliminated into its parent's row, the parent's
// share of the axial current and the elimination both accumulated in the
// parent's i and d, and its own slots reused for rhs/d and b/d. One
// division per node: the reciprocal of the pivot.
// Root -> leaves: back substitution fused with v += scale x.
// Each node's elimination waits for its children's (a division each), so one
// cell alone is latency bound; the cells of a batch are independent and
// stepped in lockstep (inner loop) so that their chains overlap.
void fused_solve(const fused_solve_arrays& s, const std::int32_t* offset, std::size_t cells,
                 std::size_t size, double scale) {
    const std::int32_t* __restrict parent = s.parent;
    const double* __restrict a = s.a;
    const double* __restrict b = s.b;
    double* __restrict i = s.i;
    double* __restrict d = s.d;
    double* __restrict v = s.v;
    for (std::size_t local = size - 1; local > 0; --local) {
        for (std::size_t c = 0; c < cells; ++c) {
            const std::size_t k = static_cast<std::size_t>(offset[c]) + local;
            const auto p = static_cast<std::size_t>(parent[k]);
            const double dv = v[p] - v[k];
            const double inv_d = 1.0 / d[k];
            const double r = -i[k] - b[k] * dv;
            const double f = a[k] * inv_d;
            d[p] -= f * b[k];
            i[p] += f * r - a[k] * dv;
            i[k] = r * inv_d;
            d[k] = b[k] * inv_d;
        }
    }
    for (std::size_t c = 0; c < cells; ++c) {
        const auto root = static_cast<std::size_t>(offset[c]);
        i[root] = -i[root] / d[root];
        v[root] += scale * i[root];
    }
    for (std::size_t local = 1; local < size; ++local) {
        for (std::size_t c = 0; c < cells; ++c) {
            const std::size_t k = static_cast<std::size_t>(offset[c]) + local;
            i[k] -= d[k] * i[parent[k]];
            v[k] += scale * i[k];
        }
    }
}

} // namespace

void fixed_step_cable_stepper::plan_solve_batches() {
    solve_batches_.clear();
    const auto offset = state_.cell_offsets();
    const cable_nodes& nodes = state_.nodes();
    const std::size_t cells = offset.size();
    const std::size_t n = nodes.size();
    auto end_of = [&](std::size_t c) {
        return c + 1 < cells ? static_cast<std::size_t>(offset[c + 1]) : n;
    };
    // Same shape: same node count and the same parents relative to the root.
    auto same_shape = [&](std::size_t x, std::size_t y) {
        const auto fx = static_cast<std::size_t>(offset[x]);
        const auto fy = static_cast<std::size_t>(offset[y]);
        if (end_of(x) - fx != end_of(y) - fy) return false;
        for (std::size_t k = 1; k < end_of(x) - fx; ++k)
            if (nodes.parent[fx + k] - offset[x] != nodes.parent[fy + k] - offset[y])
                return false;
        return true;
    };
    for (std::size_t c = 0; c < cells;) {
        std::size_t count = 1;
        while (c + count < cells && count < max_solve_batch && same_shape(c, c + count)) ++count;
        solve_batches_.push_back({static_cast<std::int32_t>(c), static_cast<std::int32_t>(count),
                                  static_cast<std::int32_t>(end_of(c) - offset[c])});
        c += count;
    }
}

void fixed_step_cable_stepper::step() {
    const double dt = options_.dt;
    const double t0 = time();
    const bool second_order = options_.scheme == time_scheme::crank_nicolson;
    const cable_nodes& nodes = state_.nodes();
    const std::size_t n = nodes.size();

    // NEURON: events up to t + dt/2 are delivered before the step.
    deliver_events_until(t0 + 0.5 * dt, t0 + dt);

    // Matrix diagonal d = cm/dt' + axial + di/dv, with dt' = dt (BE) or dt/2
    // (CN: solve for v(t + dt/2) - v(t), then v += 2 x); 1e-3 turns
    // µF/cm² · mV/ms into mA/cm². The mechanisms add their di/dv straight
    // into d (the context's g) and their currents into i.
    const double cfac = 0.001 * (second_order ? 2.0 / dt : 1.0 / dt);
    const double scale = second_order ? 2.0 : 1.0;
    if (cfac != diagonal_cfac_ || diagonal_base_.size() != n) {
        diagonal_base_.resize(n);
        for (std::size_t k = 0; k < n; ++k)
            diagonal_base_[k] = cfac * nodes.cm[k] + nodes.d_axial[k];
        diagonal_cfac_ = cfac;
    }
    double* __restrict i = i_.data();
    double* __restrict d = d_.data();
    const double* __restrict base = diagonal_base_.data();
    for (std::size_t k = 0; k < n; ++k) {
        i[k] = 0;
        d[k] = base[k];
    }
    // Currents and conductances at t + dt/2 (BE and CN alike).
    state_.add_currents(t0 + 0.5 * dt, i, d);

    double* v = state_.voltage_mutable().data();
    const fused_solve_arrays arrays{nodes.parent.data(), nodes.a.data(), nodes.b.data(), i, d, v};
    const std::int32_t* offsets = state_.cell_offsets().data();
    for (const solve_batch& batch : solve_batches_)
        fused_solve(arrays, offsets + batch.first_cell, static_cast<std::size_t>(batch.cells),
                    static_cast<std::size_t>(batch.size), scale);

    // Crank-Nicolson: the ion currents the states read are moved to the
    // half step, i += di/dv x with x = v(t + dt/2) - v(t) left in i by the
    // solve (NEURON's nrn_second_order_cur).
    if (second_order) state_.correct_ion_currents(i);

    ++step_;
    // States at the new v (for CN these sit half a step after v: staggered).
    state_.advance_states(v, dt);
    state_.detectors().check(v, time(), spikes_);
}

void fixed_step_cable_stepper::run_until(double t_end) {
    while (time() < t_end - 0.5 * options_.dt) step();
}

} // namespace ranvier::cable
