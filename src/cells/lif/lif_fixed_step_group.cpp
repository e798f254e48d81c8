#include "cells/lif/lif_fixed_step_group.hpp"
#include "cells/lif/lif_lowering.hpp"
#include "cells/lif/lif_propagators.hpp"
#include "cells/probe_interval.hpp"

#include <ranvier/errors.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <string>

namespace ranvier {

namespace {

// The first step whose start time is at or after t (ms), step 0 for t <= 0.
std::int64_t first_step_at_or_after(double t, const time_grid& grid) {
    return std::max<std::int64_t>(0, grid.first_at_or_after(t));
}

} // namespace

lif_fixed_step_group::lif_fixed_step_group(const recipe& model, std::vector<gid_type> gids, double dt,
                     std::uint64_t seed)
    : gids_(std::move(gids)), kind_(lif::group_synapse_kind(model, gids_)), grid_(dt), n_(gids_.size()),
      table_(model, gids_, dt, connection_table::point_cell_target), seed_(seed) {
    y_.resize(n_);
    cell_events_ = cell_event_counts(n_, table_.source_keys());
    refractory_.assign(n_, 0);
    I_ext_.assign(n_, 0.0);
    E_L_.resize(n_);
    theta_.resize(n_);
    reset_.resize(n_);
    ref_steps_.resize(n_);
    I_e_.resize(n_);
    P22_.resize(n_);
    P20_.resize(n_);
    const int channels = kind_ == lif_synapse::delta ? 1 : 2;
    for (int c = 0; c < channels && kind_ != lif_synapse::delta; ++c) {
        I_[c].assign(n_, 0.0);
        P11_[c].resize(n_);
        if (kind_ == lif_synapse::exp) P21_[c].resize(n_);
        if (kind_ == lif_synapse::alpha) {
            dI_[c].assign(n_, 0.0);
            P21_[c].resize(n_);
            P31_[c].resize(n_);
            P32_[c].resize(n_);
            jump_[c].resize(n_);
        }
    }

    std::map<double, std::uint32_t> table_of_mean;
    for (std::uint32_t i = 0; i < n_; ++i) {
        const gid_type gid = gids_[i];
        const lif_cell cell = lif::group_cell(model, gid, kind_, "lif_fixed_step_group");
        E_L_[i] = cell.E_L;
        theta_[i] = cell.V_th - cell.E_L;
        reset_[i] = cell.V_reset - cell.E_L;
        y_[i] = cell.V_init - cell.E_L;
        ref_steps_[i] = static_cast<std::int32_t>(grid_.nearest(cell.t_ref));
        I_e_[i] = cell.I_e;
        const auto m = lif::membrane(dt, cell.tau_m, cell.C_m);
        P22_[i] = m.P22;
        P20_[i] = m.P20;
        for (int c = 0; c < 2; ++c) {
            const double tau = c == 0 ? cell.tau_syn_ex : cell.tau_syn_in;
            if (kind_ == lif_synapse::exp) {
                const auto p = lif::exp_synapse(dt, cell.tau_m, cell.C_m, tau);
                P11_[c][i] = p.P11;
                P21_[c][i] = p.P21;
            } else if (kind_ == lif_synapse::alpha) {
                const auto p = lif::alpha_synapse(dt, cell.tau_m, cell.C_m, tau);
                P11_[c][i] = p.P11;
                P21_[c][i] = p.P21;
                P31_[c][i] = p.P31;
                P32_[c][i] = p.P32;
                jump_[c][i] = p.jump;
            }
        }

        for (const lif::poisson_source& in : lif::poisson_sources(model, gid)) {
            const double mean = in.rate * dt * 1e-3; // Hz * ms -> events per step
            auto [it, fresh] = table_of_mean.try_emplace(mean, tables_.size());
            if (fresh) tables_.emplace_back(mean);
            poisson_.push_back({i, it->second, in.weight, first_step_at_or_after(in.start, grid_),
                                first_step_at_or_after(in.stop, grid_), gid, in.index});
        }

        for (const lif::current_step& c : lif::current_steps(model, gid))
            current_changes_.push_back({first_step_at_or_after(c.time, grid_), i, c.delta});

        const auto probes = model.probes_on(gid);
        for (const lif::voltage_probe& p : lif::voltage_probes(model, gid))
            probes_.push_back(
                {i, p.index, probe_interval_steps(probes[p.index], dt, lif::probe_name(gid, p.index, probes[p.index].variable)),
                 p.variable});
    }
    std::stable_sort(current_changes_.begin(), current_changes_.end(),
                     [](const auto& a, const auto& b) { return a.step < b.step; });

}

void lif_fixed_step_group::prepare(std::int64_t epoch_steps) {
    // The ring holds every step an event can still be due in: up to the
    // longest delay ahead, and the whole epoch ahead for Poisson input.
    ring_len_ = std::max<std::int64_t>(table_.max_delay() + 1, epoch_steps);
    const int channels = kind_ == lif_synapse::delta ? 1 : 2;
    for (int c = 0; c < channels; ++c) ring_[c].assign(static_cast<std::size_t>(ring_len_) * n_, 0.0);
}

group_counters lif_fixed_step_group::counters() const {
    return {table_.size(), events_delivered_, table_.bytes()};
}

cell_work_counts lif_fixed_step_group::cell_work() const {
    const auto cell_of = [](const synapse_entry& e) { return e.target; };
    return {std::vector<std::uint64_t>(n_, steps_), {}, cell_events_.per_cell(table_, cell_of)};
}

void lif_fixed_step_group::deliver(std::span<const spike> spikes) {
    // Look up every spike's entries first, so that the entries of a later
    // spike can be prefetched while an earlier one is written: the table is
    // far larger than the caches and each spike's entries are a short run.
    pending_.clear();
    for (const spike& s : spikes) {
        const auto [entries, key] = table_.from_keyed(s.gid);
        if (entries.empty()) continue;
        pending_.push_back({entries, grid_.emission_end(s.time) - 1});
        cell_events_.count_spike(key);
    }
    constexpr std::size_t lookahead = 2, prefetch_lines = 8;
    const auto len = static_cast<std::size_t>(ring_len_);
    std::uint64_t delivered = 0;
    for (std::size_t k = 0; k < pending_.size(); ++k) {
        if (k + lookahead < pending_.size()) {
            const auto next = pending_[k + lookahead].entries;
            const std::size_t bytes = std::min<std::size_t>(next.size_bytes(), prefetch_lines * 64);
            for (std::size_t b = 0; b < bytes; b += 64)
                __builtin_prefetch(reinterpret_cast<const char*>(next.data()) + b);
        }
        const auto entries = pending_[k].entries;
        // The spike was emitted in step k with (k+1)*dt = its time; an event
        // with delay d steps acts in step k + d, kept in ring slot (k + d) mod
        // L. d < L, so one conditional subtraction replaces a modulo per event.
        const auto base = static_cast<std::size_t>(pending_[k].emit_step % ring_len_);
        delivered += entries.size();
        if (kind_ == lif_synapse::delta) {
            double* const ring = ring_[0].data();
            for (const synapse_entry& e : entries) {
                std::size_t slot = base + e.delay;
                if (slot >= len) slot -= len;
                ring[slot * n_ + e.target] += e.weight;
            }
        } else {
            for (const synapse_entry& e : entries) {
                std::size_t slot = base + e.delay;
                if (slot >= len) slot -= len;
                ring_[e.weight < 0][slot * n_ + e.target] += e.weight;
            }
        }
    }
    events_delivered_ += delivered;
}

void lif_fixed_step_group::add_poisson_input(std::int64_t step_begin, std::int64_t step_end) {
    const bool split = kind_ != lif_synapse::delta;
    for (const poisson_stream& p : poisson_) {
        const std::int64_t first = std::max(step_begin, p.first_step);
        const std::int64_t last = std::min(step_end, p.end_step);
        if (first >= last) continue;
        counter_rng rng(seed_, stream_purpose::poisson, p.index, p.gid);
        rng.seek_number(static_cast<std::uint64_t>(first));
        const lif::poisson_count_table& table = tables_[p.table];
        const int channel = split && p.weight < 0;
        for (std::int64_t step = first; step < last; ++step) {
            const std::uint32_t count = table.sample(rng.uniform());
            if (count) ring_slot(channel, step)[p.target] += count * p.weight;
        }
    }
}

void lif_fixed_step_group::apply_current_changes(std::int64_t step) {
    while (next_change_ < current_changes_.size() && current_changes_[next_change_].step <= step) {
        const auto& c = current_changes_[next_change_++];
        I_ext_[c.target] += c.delta;
    }
}

void lif_fixed_step_group::record_samples(std::int64_t k, group_output& out) const {
    for (const probe_point& p : probes_) {
        if (k % p.interval_steps != 0) continue;
        const double value = p.variable == lif::lif_variable::v ? y_[p.cell] + E_L_[p.cell]
                             : I_[p.variable == lif::lif_variable::I_syn_ex ? 0 : 1][p.cell];
        out.samples.push_back({gids_[p.cell], p.index, grid_.time_of(k), value});
    }
}

void lif_fixed_step_group::advance(std::int64_t step_begin, std::int64_t step_end, group_output& out) {
    steps_ += static_cast<std::uint64_t>(step_end - step_begin);
    if (step_begin == 0 && !probes_.empty()) record_samples(0, out); // the initial state at t = 0
    switch (kind_) {
    case lif_synapse::delta: advance_kind<lif_synapse::delta>(step_begin, step_end, out); break;
    case lif_synapse::exp: advance_kind<lif_synapse::exp>(step_begin, step_end, out); break;
    case lif_synapse::alpha: advance_kind<lif_synapse::alpha>(step_begin, step_end, out); break;
    }
}

template <lif_synapse Kind>
void lif_fixed_step_group::advance_kind(std::int64_t step_begin, std::int64_t step_end, group_output& out) {
    const std::size_t n = n_;
    double* const y = y_.data();
    std::int32_t* const refractory = refractory_.data();
    const double* const P22 = P22_.data();
    const double* const P20 = P20_.data();
    const double* const I_e = I_e_.data();
    const double* const I_ext = I_ext_.data();
    const double* const theta = theta_.data();
    const double* const reset = reset_.data();
    const std::int32_t* const ref_steps = ref_steps_.data();

    // Poisson events of the whole epoch go into the ring first: each stream
    // is then touched once per epoch rather than once per step.
    if (!poisson_.empty()) add_poisson_input(step_begin, step_end);
    for (std::int64_t step = step_begin; step < step_end; ++step) {
        apply_current_changes(step);
        double* const in_ex = ring_slot(0, step);
        double* const in_in = Kind == lif_synapse::delta ? nullptr : ring_slot(1, step);
        const double t_spike = grid_.time_of(step + 1);

        for (std::size_t i = 0; i < n; ++i) {
            if constexpr (Kind == lif_synapse::delta) {
                // V decays exactly, then arriving spikes make it jump; during
                // refractoriness V stays at reset and arriving spikes are lost.
                if (refractory[i] == 0)
                    y[i] = P22[i] * y[i] + P20[i] * (I_e[i] + I_ext[i]) + in_ex[i];
                else
                    --refractory[i];
                in_ex[i] = 0.0;
            } else if constexpr (Kind == lif_synapse::exp) {
                double* const Iex = I_[0].data();
                double* const Iin = I_[1].data();
                if (refractory[i] == 0)
                    y[i] = P22[i] * y[i] + P20[i] * (I_e[i] + I_ext[i]) +
                           P21_[0][i] * Iex[i] + P21_[1][i] * Iin[i];
                else
                    --refractory[i];
                // Currents evolve regardless; arrivals add at the step end.
                Iex[i] = P11_[0][i] * Iex[i] + in_ex[i];
                Iin[i] = P11_[1][i] * Iin[i] + in_in[i];
                in_ex[i] = 0.0;
                in_in[i] = 0.0;
            } else {
                double* const Iex = I_[0].data();
                double* const Iin = I_[1].data();
                double* const dIex = dI_[0].data();
                double* const dIin = dI_[1].data();
                if (refractory[i] == 0)
                    y[i] = P22[i] * y[i] + P20[i] * (I_e[i] + I_ext[i]) +
                           P31_[0][i] * dIex[i] + P32_[0][i] * Iex[i] +
                           P31_[1][i] * dIin[i] + P32_[1][i] * Iin[i];
                else
                    --refractory[i];
                Iex[i] = P21_[0][i] * dIex[i] + P11_[0][i] * Iex[i];
                Iin[i] = P21_[1][i] * dIin[i] + P11_[1][i] * Iin[i];
                dIex[i] = P11_[0][i] * dIex[i] + jump_[0][i] * in_ex[i];
                dIin[i] = P11_[1][i] * dIin[i] + jump_[1][i] * in_in[i];
                in_ex[i] = 0.0;
                in_in[i] = 0.0;
            }
            if (y[i] >= theta[i]) {
                refractory[i] = ref_steps[i];
                y[i] = reset[i];
                out.spikes.push_back({gids_[i], t_spike});
            }
        }
        if (!probes_.empty()) record_samples(step + 1, out);
    }
}

} // namespace ranvier
