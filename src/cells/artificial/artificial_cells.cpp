#include "cells/artificial/artificial_cells.hpp"

#include "cable/mechanisms/mechanism_catalogue.hpp"
#include "cells/connection_index.hpp"

#include <ranvier/errors.hpp>

#include <algorithm>
#include <cmath>
#include <string>

namespace ranvier {

namespace {

const artificial_cell& artificial_of(const cell_description& d, gid_type gid) {
    const auto* a = std::get_if<artificial_cell>(&d);
    if (!a) throw user_error("cell " + std::to_string(gid) + ": not an artificial cell");
    return *a;
}

// The step a spike at t is emitted in (as the engines and the fixed-step
// groups count it: time_grid::emission_end) and the step an event at t is
// due in: the same rule, so a spike made by an event comes from that step.
std::int64_t step_of(double t, const time_grid& grid) { return grid.emission_end(t) - 1; }

} // namespace

artificial_cells::artificial_cells(const recipe& model, std::vector<gid_type> gids, std::optional<time_grid> grid)
    : gids_(std::move(gids)), grid_(grid),
      table_(model, gids_, connection_table::point_cell_target,
             [this, &model](const connection& c, gid_type target, std::uint32_t, std::uint64_t position) {
                 // Called once per connection, in cell order then the recipe's:
                 // NET_RECEIVE's arguments, kept per connection in double precision.
                 if (!mechanism_) {
                     const cell_description d = model.cell(gids_.front());
                     mechanism_ = cable::catalogue_of(model.mechanisms()).make(artificial_of(d, gids_.front()).mechanism);
                     nargs_ = static_cast<std::uint32_t>(std::max<std::size_t>(1, mechanism_->type().event_arguments.size()));
                 }
                 const auto& type = mechanism_->type();
                 if (c.extra_weights.size() + 1 > nargs_)
                     connection_error(c, target, "gives " + std::to_string(c.extra_weights.size() + 1) +
                                                     " weights, but " + type.name + "'s NET_RECEIVE takes " +
                                                     std::to_string(nargs_));
                 if (!c.extra_weights.empty() && !type.has_net_receive_initial)
                     connection_error(c, target, "gives extra_weights, but " + type.name +
                                                     "'s NET_RECEIVE has no INITIAL block (NEURON sets them to 0 "
                                                     "at finitialize)");
                 if (grid_ && grid_->shorter_than_one_step(c.delay))
                     connection_error(c, target, "delay " + connection_message_number(c.delay) +
                                                     " ms is shorter than dt (" +
                                                     connection_message_number(grid_->step()) + " ms)");
                 if (args_.size() < (position + 1) * nargs_) args_.resize((position + 1) * nargs_, 0.0);
                 double* a = args_.data() + position * nargs_;
                 a[0] = c.weight;
                 for (std::size_t k = 0; k < c.extra_weights.size(); ++k) a[k + 1] = c.extra_weights[k];
             }) {
    if (gids_.empty()) return;
    if (!mechanism_) {
        const cell_description d = model.cell(gids_.front());
        mechanism_ = cable::catalogue_of(model.mechanisms()).make(artificial_of(d, gids_.front()).mechanism);
        nargs_ = static_cast<std::uint32_t>(std::max<std::size_t>(1, mechanism_->type().event_arguments.size()));
    }
    args_.resize(table_.size() * nargs_, 0.0);
    const auto& type = mechanism_->type();
    if (!type.artificial_cell)
        throw user_error("cell " + std::to_string(gids_.front()) + ": mechanism " + type.name +
                         " is not an ARTIFICIAL_CELL (an artificial cell needs one)");

    // Instances, one per cell, with the cell's parameters.
    for (std::size_t i = 0; i < gids_.size(); ++i) {
        const gid_type gid = gids_[i];
        const cell_description d = model.cell(gid);
        const artificial_cell& a = artificial_of(d, gid);
        if (a.mechanism != type.name)
            throw user_error("cell " + std::to_string(gid) + ": internal: one group holds two mechanisms");
        const std::size_t inst = mechanism_->add_instance(0);
        for (const auto& [name, value] : a.parameters) {
            const int k = type.parameter_index(name);
            if (k < 0) fail(static_cast<std::uint32_t>(inst), "has no PARAMETER " + name);
            if (!std::isfinite(value)) fail(static_cast<std::uint32_t>(inst), name + " must be a finite number");
            mechanism_->data().parameters[static_cast<std::size_t>(k)][inst] = value;
        }
        if (!model.poisson_inputs_on(gid).empty() || !model.current_inputs_on(gid).empty())
            fail(static_cast<std::uint32_t>(inst), "takes no Poisson or current inputs (connect spike sources)");
    }
    build_probes(model);
    movable_.assign(gids_.size(), no_event);
    movable_event_.resize(gids_.size());

    if (grid_) {
        // Whole steps, rounded down, with time_grid's allowance for decimal
        // delays (1 ms is 40 steps of 0.025 ms).
        auto steps = [&](double d) {
            return d >= time_infinity ? UINT32_MAX
                                      : static_cast<std::uint32_t>(std::clamp<std::int64_t>(
                                            grid_->last_at_or_before(d), 1, UINT32_MAX - 1));
        };
        min_delay_steps_ = steps(table_.min_delay());
        for (const double d : table_.source_min_delays()) source_min_delay_steps_.push_back(steps(d));
    }

    // NEURON's finitialize: the mechanism's INITIAL (t = 0, no membrane:
    // v reads 0, which the translator does not let an artificial cell use),
    // then NET_RECEIVE's INITIAL per connection in the recipe's order.
    const double v_none[1] = {0.0};
    mechanism_->initialise(v_none);
    group_output unused;
    take_requests(nullptr, unused);
    if (type.has_net_receive_initial) {
        // Table positions in cell order, then recipe order (the observer's).
        std::vector<std::pair<std::uint32_t, std::uint64_t>> order; // (instance, position)
        table_.for_each_source([&](std::size_t, std::span<const exact_delay_entry> entries) {
            for (const auto& e : entries) order.emplace_back(e.target, table_.entry_position(e));
        });
        std::stable_sort(order.begin(), order.end(), [](const auto& x, const auto& y) { return x.first < y.first; });
        for (const auto& [inst, position] : order)
            mechanism_->net_receive_initial(inst, std::span<double>(args_.data() + position * nargs_, nargs_));
    }
}

void artificial_cells::build_probes(const recipe& model) {
    const auto& type = mechanism_->type();
    for (std::uint32_t inst = 0; inst < gids_.size(); ++inst) {
        const auto probes = model.probes_on(gids_[inst]);
        for (std::uint32_t k = 0; k < probes.size(); ++k) {
            const probe& p = probes[k];
            // "m" or "IntervalFire.m"
            std::string name = p.variable;
            if (name.rfind(type.name + ".", 0) == 0) name = name.substr(type.name.size() + 1);
            const int parameter = type.parameter_index(name);
            const int observable = type.observable_index(name);
            if (!p.location.empty()) fail(inst, "probe '" + p.variable + "': an artificial cell has no locations");
            if (parameter < 0 && observable < 0) {
                std::string names;
                for (const auto& q : type.parameters) names += (names.empty() ? "" : ", ") + q.name;
                for (const auto& q : type.observables) names += (names.empty() ? "" : ", ") + q.name;
                fail(inst, "probe '" + p.variable + "': " + type.name + " has no RANGE variable '" + name +
                               "' (it has: " + (names.empty() ? "none" : names) + ")");
            }
            if (!(p.interval > 0) || !std::isfinite(p.interval))
                fail(inst, "probe '" + p.variable + "': the interval must be > 0 ms");
            if (grid_ && !grid_->whole_steps(p.interval))
                fail(inst, "probe '" + p.variable + "': the interval " + connection_message_number(p.interval) +
                               " ms is not a whole number of steps of dt");
            probes_.push_back({inst, k, parameter >= 0,
                               static_cast<std::uint32_t>(parameter >= 0 ? parameter : observable), p.interval,
                               grid_ ? *grid_->whole_steps(p.interval) : 0, 0});
        }
    }
}

double artificial_cells::next_sample_time() const {
    double t = time_infinity;
    for (const probe_point& p : probes_) t = std::min(t, sample_time(p));
    return t;
}

void artificial_cells::take_samples(double ts, group_output& out) {
    for (probe_point& p : probes_) {
        if (sample_time(p) != ts) continue;
        const double value = p.parameter ? mechanism_->data().parameters[p.what][p.instance]
                                         : mechanism_->observe(p.what, p.instance, 0.0, mechanism_->own_states(), ts);
        out.samples.push_back({gids_[p.instance], p.index, ts, value});
        ++p.next;
    }
}

void artificial_cells::fail(std::uint32_t instance, const std::string& what) const {
    throw user_error("artificial cell " + std::to_string(gids_[instance]) + " (" + mechanism_->type().name +
                     "): " + what);
}

void artificial_cells::push(const event& e) {
    heap_.push_back(e);
    std::push_heap(heap_.begin(), heap_.end(), acts_later{});
}

void artificial_cells::deliver(std::span<const spike> spikes) {
    for (const spike& s : spikes) {
        const auto entries = table_.from(s.gid);
        for (const exact_delay_entry& e : entries) {
            const auto position = static_cast<std::int64_t>(table_.entry_position(e));
            push({s.time + e.delay, {s.time, s.gid}, next_order_++, e.target, 0.0, position * nargs_, 0.0});
        }
        events_delivered_ += entries.size();
    }
}

template <class Due, class Before>
void artificial_cells::run(Due due, double last_sample, Before before_sample, group_output& out) {
    const std::size_t first = out.spikes.size(), first_sample = out.samples.size();
    // Acts the due events in order; the samples up to last_sample go in
    // between, each after the events before_sample(time, its time) says.
    for (;;) {
        const double ts = next_sample_time();
        const bool sample = ts <= last_sample;
        while (!heap_.empty() && due(heap_.front().time) && (!sample || before_sample(heap_.front().time, ts))) {
            std::pop_heap(heap_.begin(), heap_.end(), acts_later{});
            const event e = heap_.back();
            heap_.pop_back();
            if (e.order >= cable::self_event_order && cancelled_.erase(e.order)) continue; // moved
            act(e, out);
        }
        if (!sample) break;
        take_samples(ts, out);
    }
    // net_event spikes come out in event order, which is time order; the
    // group's order is (time, gid), its samples' (time, gid, probe).
    std::stable_sort(out.spikes.begin() + static_cast<std::ptrdiff_t>(first), out.spikes.end(), spike_before);
    std::stable_sort(out.samples.begin() + static_cast<std::ptrdiff_t>(first_sample), out.samples.end(),
                     sample_before);
}

void artificial_cells::run_until_time(double t_end, group_output& out) {
    // Events at exactly t_end act in the next advance, as the CVODE cells'
    // (cvode_cell::advance_to): the asynchronous engine may hand a spike
    // whose event acts at exactly t_end over only after this advance
    // (async_engine.hpp, ms_clock), and all events at one time must act
    // together, in their canonical order.
    run([t_end](double t) { return t < t_end; }, t_end, [](double t, double ts) { return t < ts; }, out);
}

void artificial_cells::run_until_step(std::int64_t step_end, group_output& out) {
    const time_grid grid = *grid_;
    run([grid, step_end](double t) { return step_of(t, grid) < step_end; }, grid.time_of(step_end),
        [](double t, double ts) { return t < ts; }, out);
}

void artificial_cells::act(const event& e, group_output& out) {
    // A flag-1 self-event received is no longer movable (nocmodl: `if
    // (_lflag == 1.) *(_tqitem) = 0;` before NET_RECEIVE's body).
    if (e.order >= cable::self_event_order && e.flag == 1.0) movable_[e.instance] = no_event;
    double local[1] = {e.weight};
    const std::span<double> args = e.args >= 0 ? std::span<double>(args_.data() + e.args, nargs_)
                                               : std::span<double>(local, 1);
    mechanism_->net_receive(e.instance, args, e.flag, e.time);
    take_requests(&e, out);
}

void artificial_cells::take_requests(const event* cause, group_output& out) {
    if (!mechanism_->has_requests()) return;
    auto& sent = mechanism_->self_events();
    auto& moved = mechanism_->moved_events();
    const double* base = args_.data();
    auto send = [&](const cable::mechanism::self_event& s) {
        if (!(s.time == s.time)) fail(s.instance, "net_send with a negative or non-finite delay");
        event e{s.time, {}, next_self_++, s.instance, s.flag, -1, s.weight};
        // The arguments of the event that sent it: a connection's storage
        // stays shared (NEURON's weight pointer), others are copied.
        if (s.args && s.args >= base && s.args < base + args_.size()) e.args = s.args - base;
        push(e);
        if (s.flag == 1.0) {
            movable_[s.instance] = e.order;
            movable_event_[s.instance] = e;
        }
    };
    auto move = [&](const cable::mechanism::moved_event& m) {
        if (!(m.time == m.time))
            fail(m.instance, "net_move to a time before the event's (NEURON: net_move tt < t)");
        if (movable_[m.instance] == no_event)
            fail(m.instance, "net_move with no pending self-event of flag 1 (NEURON: No event with flag=1 "
                             "for net_move)");
        cancelled_.insert(movable_[m.instance]);
        event e = movable_event_[m.instance];
        e.time = m.time;
        e.order = next_self_++;
        push(e);
        movable_[m.instance] = e.order;
        movable_event_[m.instance] = e;
    };
    // In call order: each move after the sends made before it.
    std::size_t k = 0;
    for (const auto& m : moved) {
        for (; k < m.sent_before && k < sent.size(); ++k) send(sent[k]);
        move(m);
    }
    for (; k < sent.size(); ++k) send(sent[k]);
    for (const auto& s : mechanism_->emitted_spikes()) {
        if (!cause) fail(s.instance, "net_event outside NET_RECEIVE");
        out.spikes.push_back({gids_[s.instance], s.time});
    }
    sent.clear();
    moved.clear();
    mechanism_->emitted_spikes().clear();
}

group_counters artificial_cells::counters() const {
    return {table_.size(), events_delivered_, table_.bytes() + args_.capacity() * sizeof(double)};
}

} // namespace ranvier
