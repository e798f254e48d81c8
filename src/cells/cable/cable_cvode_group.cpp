// The variable-step adapter of cable cells (see cable_cvode_group.hpp).
#include "cells/cable/cable_cvode_group.hpp"
#include "cable/cable_cell_lowering.hpp"
#include "cells/cable/cable_probe_resolution.hpp"

#include <ranvier/errors.hpp>

#include <algorithm>
#include <cmath>
#include <string>

namespace ranvier {
namespace {

std::string cell_name(gid_type gid) {
    return "cell " + std::to_string(gid);
}

} // namespace

cable_cvode_group::cable_cvode_group(const recipe& model, std::vector<gid_type> gids,
                                     const cable::cvode_options& options,
                                     const cable::hybrid_options& hybrid)
    : gids_(std::move(gids)) {
    const std::size_t n = gids_.size();
    cells_.reserve(n);
    site_offset_.push_back(0);
    probes_.resize(n);
    spikes_taken_.assign(n, 0);

    for (std::uint32_t i = 0; i < n; ++i) {
        const gid_type gid = gids_[i];
        const std::string who = cell_name(gid);
        auto description = model.cell(gid);
        const auto* c = std::get_if<cable_cell>(&description);
        if (!c)
            throw internal_error("cable_cvode_group: gid " + std::to_string(gid) +
                                 " is not a cable cell");
        check_cable_inputs(model, gid, who);

        // One cable_state per cell: each cell gets its own CVODE integrator
        // (NEURON's per-cell variable step), so cells step independently.
        cable::cable_state_builder builder(cable::catalogue_of(model.mechanisms()));
        lowered_cable_cell lowered = lower_cable_cell(builder, *c, who);
        cells_.emplace_back(builder.build(c->v_init), static_cast<std::int64_t>(gid), options, hybrid);
        cable::hybrid_cable_cell& cell = cells_.back();

        // Site k is synapses[k]; the lowering places the synapses first, in
        // order, so its instance is the number of earlier synapses of the
        // same mechanism (instances are numbered in place() order). Resolved
        // here once: events reach the mechanism by index, never by name.
        const std::size_t first_site = sites_.size();
        for (std::size_t k = 0; k < c->synapses.size(); ++k) {
            std::size_t instance = 0;
            for (std::size_t j = 0; j < k; ++j)
                instance += c->synapses[j].mechanism == c->synapses[k].mechanism;
            sites_.push_back({i, cell.resolve_target(c->synapses[k].mechanism, instance)});
        }
        site_offset_.push_back(static_cast<std::uint32_t>(sites_.size()));
        const auto sites = static_cast<std::uint32_t>(sites_.size() - first_site);

        for (std::size_t k = 0; k < c->events.size(); ++k) {
            const cable_scheduled_event& e = c->events[k];
            check_scheduled_event(e, sites, who + ": event " + std::to_string(k));
            cell.schedule_event(sites_[first_site + e.site].target, e.time, e.weight);
        }

        const auto probes = model.probes_on(gid);
        for (std::uint32_t k = 0; k < probes.size(); ++k) {
            const probe& p = probes[k];
            const std::string what = cable_probe_name(who, k, p);
            if (!(p.interval > 0) || !std::isfinite(p.interval))
                throw user_error(what + ": interval must be a positive number of ms");
            // One cell per cable_state: the cell's nodes start at 0.
            probes_[i].push_back({k, p.interval, 0,
                                  resolve_cable_probe(p, *c, lowered.tree, cell.state(), 0, what)});
        }
    }

    // A source's entries keep the group's cell order, then the recipe's
    // (which, with the globally sorted spikes, fixes the order of
    // simultaneous events).
    table_.emplace(model, gids_, site_numbering(site_offset_),
                   [&](const connection& c, gid_type target, std::uint32_t site, std::uint64_t position) {
                       const synapse_site& where = sites_[site];
                       const cable::cable_state& state = cells_[where.cell].state();
                       arguments_.add(c, target, position, state.mechanism_at(where.target.mechanism).type(),
                                      where.cell, where.target.mechanism, where.target.instance);
                   });
    arguments_.finish(table_->size());
    // NET_RECEIVE INITIAL per connection after the INITIAL blocks (NEURON's
    // finitialize), in recipe order per cell; it may assign states, so each
    // such cell's integrator restarts from the state at t = 0.
    std::vector<std::uint8_t> touched(n, 0);
    arguments_.for_each([&](std::uint32_t cell, std::size_t m, std::size_t instance, double* args,
                            std::uint32_t nargs) {
        if (!cells_[cell].state().mechanism_at(m).type().assigns_event_arguments) return;
        cells_[cell].state().mechanism_at(m).net_receive_initial(instance, std::span<double>(args, nargs));
        touched[cell] = 1;
    });
    for (std::size_t i = 0; i < n; ++i)
        if (touched[i]) cells_[i].reload_initial_state();
    cell_events_ = cell_event_counts(n, table_->source_keys());
}

group_counters cable_cvode_group::counters() const {
    return {table_->size(), events_delivered_, table_->bytes() + arguments_.bytes()};
}

cable::cvode_statistics cable_cvode_group::statistics() const {
    cable::cvode_statistics total;
    for (const auto& c : cells_) {
        const auto s = c.statistics();
        total.steps += s.steps;
        total.rhs_evaluations += s.rhs_evaluations;
        total.linear_setups += s.linear_setups;
        total.linear_solves += s.linear_solves;
        total.nonlinear_iterations += s.nonlinear_iterations;
        total.error_test_failures += s.error_test_failures;
        total.convergence_failures += s.convergence_failures;
        total.root_evaluations += s.root_evaluations;
        total.reinits += s.reinits;
        total.interpolated_restarts += s.interpolated_restarts;
        total.dropped_roots += s.dropped_roots;
    }
    return total;
}

cable::hybrid_statistics cable_cvode_group::hybrid_statistics() const {
    cable::hybrid_statistics total;
    for (const auto& c : cells_) {
        const cable::hybrid_statistics& h = c.hybrid_counters();
        total.fixed_steps += h.fixed_steps;
        total.fixed_windows += h.fixed_windows;
        total.variable_windows += h.variable_windows;
        total.switches += h.switches;
    }
    return total;
}

cell_work_counts cable_cvode_group::cell_work() const {
    cell_work_counts w;
    for (const auto& c : cells_) {
        // Steps of either kind: CVODE's, and fixed steps in hybrid windows.
        const cable::cvode_statistics s = c.statistics();
        w.steps.push_back(static_cast<std::uint64_t>(s.steps + c.hybrid_counters().fixed_steps));
        w.restarts.push_back(static_cast<std::uint64_t>(s.reinits));
    }
    w.events = cell_events_.per_cell(*table_, [&](const exact_delay_entry& e) { return sites_[e.target].cell; });
    return w;
}

integrator_statistics cable_cvode_group::integrator_counters() const {
    const cable::cvode_statistics s = statistics();
    const cable::hybrid_statistics h = hybrid_statistics();
    auto u = [](long x) { return static_cast<std::uint64_t>(x); };
    integrator_statistics out{u(s.steps), u(s.rhs_evaluations), u(s.linear_setups),
                              u(s.error_test_failures + s.convergence_failures), u(s.reinits),
                              u(s.interpolated_restarts)};
    out.fixed_steps = u(h.fixed_steps);
    out.fixed_windows = u(h.fixed_windows);
    out.variable_windows = u(h.variable_windows);
    out.switches = u(h.switches);
    return out;
}

void cable_cvode_group::deliver(std::span<const spike> spikes) {
    // A source's entries come in recipe order; cvode_cell breaks ties of
    // equal arrival time by the spike (time, gid), then scheduling order, so
    // simultaneous events act in an order independent of threads, grouping
    // and how the spikes were split into deliveries (event_origin.hpp).
    for (const spike& s : spikes) {
        const auto [entries, key] = table_->from_keyed(s.gid);
        if (!entries.empty()) cell_events_.count_spike(key);
        const cable::event_origin origin{s.time, s.gid};
        for (const exact_delay_entry& e : entries) {
            const synapse_site& site = sites_[e.target];
            std::uint32_t nargs = 0;
            double* args = arguments_.at(table_->entry_position(e), nargs);
            if (args)
                cells_[site.cell].schedule_event(site.target, s.time + e.delay, args[0], args, nargs, origin);
            else
                cells_[site.cell].schedule_event(site.target, s.time + e.delay, static_cast<double>(e.weight),
                                                 origin);
        }
        events_delivered_ += entries.size();
    }
}

double cable_cvode_group::sample(std::size_t i, const probe_point& p) {
    return sample_cable_probe(p.target, cells_[i].state(), cells_[i].voltage().data(),
                              static_cast<double>(p.next_k) * p.interval);
}

void cable_cvode_group::advance_cell(std::size_t i, time_type t_end, group_output& out) {
    cable::hybrid_cable_cell& cell = cells_[i];
    auto& probes = probes_[i];
    for (auto& p : probes)
        if (p.next_k == 0) { // the initial state at t = 0, as NEURON records it
            out.samples.push_back({gids_[i], p.index, 0.0, sample(i, p)});
            p.next_k = 1;
        }
    // Samples are exact: the integrator stops at every sample time (a CVODE
    // stop time, not a restart, so the step size and order carry on).
    for (;;) {
        double next = t_end;
        for (const auto& p : probes)
            next = std::min(next, static_cast<double>(p.next_k) * p.interval);
        cell.advance_to(next);
        for (auto& p : probes)
            while (static_cast<double>(p.next_k) * p.interval <= next) {
                out.samples.push_back({gids_[i], p.index, static_cast<double>(p.next_k) * p.interval,
                                       sample(i, p)});
                ++p.next_k;
            }
        if (next >= t_end) break;
    }
    // One detector per cell: every spike of the cell is its own.
    const auto spikes = cell.spikes();
    for (std::size_t k = spikes_taken_[i]; k < spikes.size(); ++k)
        out.spikes.push_back({gids_[i], spikes[k].time});
    spikes_taken_[i] = spikes.size();
}

void cable_cvode_group::advance_to(time_type t_end, group_output& out) {
    const std::size_t first = out.spikes.size();
    // The first call handles t = 0: events due at 0 are applied, and a
    // detector above threshold after initialisation reports a spike at 0
    // (cvode_cell's rule; the fixed-step mode reports none at 0).
    if (!started_) {
        for (std::size_t i = 0; i < cells_.size(); ++i) advance_cell(i, 0.0, out);
        started_ = true;
    }
    if (t_end > 0)
        for (std::size_t i = 0; i < cells_.size(); ++i) advance_cell(i, t_end, out);
    std::stable_sort(out.spikes.begin() + static_cast<std::ptrdiff_t>(first), out.spikes.end(),
                     spike_before);
}

} // namespace ranvier
