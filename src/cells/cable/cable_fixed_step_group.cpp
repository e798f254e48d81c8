// The fixed-step adapter of cable cells (see cable_fixed_step_group.hpp).
#include "cells/cable/cable_fixed_step_group.hpp"
#include "cable/cable_cell_lowering.hpp"
#include "cells/probe_interval.hpp"
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

std::string format_value(double x) {
    char text[32];
    std::snprintf(text, sizeof text, "%g", x);
    return text;
}

} // namespace

cable_fixed_step_group::cable_fixed_step_group(const recipe& model, std::vector<gid_type> gids, double dt,
                                   cable::time_scheme scheme)
    : gids_(std::move(gids)), grid_(dt) {
    cable::cable_state_builder builder(cable::catalogue_of(model.mechanisms()));
    std::vector<cable_cell> cells;
    std::vector<cable::cv_tree> trees;
    cells.reserve(gids_.size());
    for (const gid_type gid : gids_) {
        auto description = model.cell(gid);
        auto* c = std::get_if<cable_cell>(&description);
        if (!c)
            throw internal_error("cable_fixed_step_group: gid " + std::to_string(gid) +
                                 " is not a cable cell");
        const std::string who = cell_name(gid);
        check_cable_inputs(model, gid, who);
        // Temperature and initial potential are shared by the whole group in
        // the cable numerics, so every cell of a group must agree on them.
        if (!cells.empty()) {
            const cable_cell& first = cells.front();
            if (c->celsius != first.celsius || c->v_init != first.v_init)
                throw user_error(who + ": celsius " + format_value(c->celsius) +
                                 " degC and v_init " + format_value(c->v_init) +
                                 " mV differ from cell " + std::to_string(gids_.front()) + " (" +
                                 format_value(first.celsius) + " degC, " +
                                 format_value(first.v_init) +
                                 " mV); cells of one cable group must share them (partition_cells "
                                 "splits by them)");
            if (c->globals != first.globals)
                throw user_error(who + ": its mechanism globals differ from cell " +
                                 std::to_string(gids_.front()) +
                                 "'s; cells of one cable group must share them (partition_cells "
                                 "splits by them)");
        }
        lowered_cable_cell lowered = lower_cable_cell(builder, *c, who);
        site_offset_.push_back(static_cast<std::uint32_t>(synapse_target_.size()));
        synapse_target_.insert(synapse_target_.end(), lowered.synapse_targets.begin(),
                               lowered.synapse_targets.end());
        trees.push_back(std::move(lowered.tree));
        cells.push_back(std::move(*c));
    }
    site_offset_.push_back(static_cast<std::uint32_t>(synapse_target_.size()));
    if (synapse_target_.size() > max_group_targets)
        throw user_error(cell_name(gids_.front()) + ".." + cell_name(gids_.back()) +
                         ": a cable group holds at most " + std::to_string(max_group_targets) +
                         " synapses; use a smaller group_size");

    cable::fixed_step_options options;
    options.dt = dt;
    options.scheme = scheme;
    stepper_ = cable::fixed_step_cable_stepper(
        builder.build(cells.empty() ? -65.0 : cells.front().v_init), options);
    // A detector already above threshold at t = 0 reports no spike: spikes
    // are stamped at step ends, t >= dt, everywhere in the engine.
    stepper_.clear_spikes();

    {
        cable::cable_state& state = stepper_.state();
        table_.emplace(model, gids_, dt, site_numbering(site_offset_),
                       [&](const connection& c, gid_type target, std::uint32_t site, std::uint64_t position) {
                           const auto cell = static_cast<std::uint32_t>(
                               std::upper_bound(site_offset_.begin(), site_offset_.end(), site) -
                               site_offset_.begin() - 1);
                           const auto r = state.target_at(synapse_target_[site]);
                           arguments_.add(c, target, position,
                                          state.mechanism_at(static_cast<std::size_t>(r.mechanism)).type(), cell,
                                          static_cast<std::size_t>(r.mechanism),
                                          static_cast<std::size_t>(r.instance));
                       });
        arguments_.finish(table_->size());
        // NEURON's finitialize runs each NetCon's NET_RECEIVE INITIAL after
        // the INITIAL blocks: here, in group cell order then recipe order.
        arguments_.for_each([&](std::uint32_t, std::size_t m, std::size_t instance, double* args,
                                std::uint32_t nargs) {
            state.mechanism_at(m).net_receive_initial(instance, std::span<double>(args, nargs));
        });
    }
    cell_events_ = cell_event_counts(gids_.size(), table_->source_keys());

    for (std::uint32_t i = 0; i < gids_.size(); ++i) {
        const cable_cell& c = cells[i];
        const std::string who = cell_name(gids_[i]);
        const std::uint32_t sites = site_offset_[i + 1] - site_offset_[i];
        for (std::size_t k = 0; k < c.events.size(); ++k) {
            const cable_scheduled_event& e = c.events[k];
            check_scheduled_event(e, sites, who + ": event " + std::to_string(k));
            stepper_.schedule_event(synapse_target_[site_offset_[i] + e.site], e.time, e.weight);
        }

        const auto probes = model.probes_on(gids_[i]);
        const std::int32_t offset = stepper_.state().cell_offset(i);
        for (std::uint32_t k = 0; k < probes.size(); ++k) {
            const probe& p = probes[k];
            const std::int64_t interval_steps = probe_interval_steps(p, dt, cable_probe_name(who, k, p));
            probes_.push_back(
                {i, k, interval_steps,
                 resolve_cable_probe(p, c, trees[i], stepper_.state(), offset, cable_probe_name(who, k, p))});
        }
    }
}

void cable_fixed_step_group::prepare(std::int64_t) {}

group_counters cable_fixed_step_group::counters() const {
    return {table_->size(), events_delivered_, table_->bytes() + arguments_.bytes()};
}

cell_work_counts cable_fixed_step_group::cell_work() const {
    // Entries target synapse sites; cell i has sites [site_offset_[i], site_offset_[i + 1]).
    const auto cell_of = [&](const synapse_entry& e) {
        return static_cast<std::size_t>(
            std::upper_bound(site_offset_.begin(), site_offset_.end(), e.target) - site_offset_.begin() - 1);
    };
    const auto steps = static_cast<std::uint64_t>(stepper_.step_index());
    return {std::vector<std::uint64_t>(gids_.size(), steps), {}, cell_events_.per_cell(*table_, cell_of)};
}

void cable_fixed_step_group::deliver(std::span<const spike> spikes) {
    for (const spike& s : spikes) {
        const auto [entries, key] = table_->from_keyed(s.gid);
        if (entries.empty()) continue;
        cell_events_.count_spike(key);
        // Times on the step grid, computed from integers so that an event is
        // due exactly at the start of step (emit + delay).
        const std::int64_t emit = grid_.emission_end(s.time);
        // Events at equal times act by spike, not by when the spike came
        // (the asynchronous engine's batches; event_origin.hpp).
        const cable::event_origin origin{s.time, s.gid};
        if (arguments_.empty()) {
            for (const synapse_entry& e : entries)
                stepper_.schedule_event(synapse_target_[e.target], grid_.time_of(emit + e.delay), e.weight, origin);
        } else {
            for (const synapse_entry& e : entries) {
                std::uint32_t nargs = 0;
                double* args = arguments_.at(table_->entry_position(e), nargs);
                const double t = grid_.time_of(emit + e.delay);
                if (args)
                    stepper_.schedule_event(synapse_target_[e.target], t, args, nargs, origin);
                else
                    stepper_.schedule_event(synapse_target_[e.target], t, e.weight, origin);
            }
        }
        events_delivered_ += entries.size();
    }
}

void cable_fixed_step_group::record_samples(std::int64_t k, group_output& out) {
    const auto v = stepper_.voltage();
    for (const probe_point& p : probes_) {
        if (k % p.interval_steps != 0) continue;
        // electrode currents of the step that ended at k were on or off at its midpoint
        const double electrode_time = k > 0 ? grid_.time_of(k - 1) + 0.5 * grid_.step() : 0.0;
        const double value =
            sample_cable_probe(p.target, stepper_.state(), v.data(), grid_.time_of(k), electrode_time);
        out.samples.push_back({gids_[p.cell], p.index, grid_.time_of(k), value});
    }
}

void cable_fixed_step_group::advance(std::int64_t step_begin, std::int64_t step_end, group_output& out) {
    if (stepper_.step_index() != step_begin)
        throw internal_error("cable_fixed_step_group: advance from step " + std::to_string(step_begin) +
                             " but the group is at step " + std::to_string(stepper_.step_index()));
    const std::size_t first = out.spikes.size();
    if (step_begin == 0 && !probes_.empty()) record_samples(0, out); // the initial state at t = 0
    for (std::int64_t step = step_begin; step < step_end; ++step) {
        stepper_.step();
        if (!probes_.empty()) record_samples(step + 1, out);
        // The next step's events now, after the samples (NEURON records the
        // state before it delivers): a net_event they cause is stamped at
        // this step's end, NEURON's t (fixed_step_cable_stepper.hpp).
        stepper_.deliver_due_events();
        // One detector per cell, added in cell order: detector k is cell k.
        for (const cable::cable_spike& s : stepper_.spikes())
            out.spikes.push_back({gids_[static_cast<std::size_t>(s.detector)], s.time});
        stepper_.clear_spikes();
    }
    std::stable_sort(out.spikes.begin() + static_cast<std::ptrdiff_t>(first), out.spikes.end(),
                     spike_before);
}

} // namespace ranvier
