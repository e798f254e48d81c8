#include "cells/lif/lif_event_driven_group.hpp"
#include "cells/lif/lif_lowering.hpp"
#include "cells/lif/lif_propagators.hpp"
#include "cells/connection_table.hpp"

#include <ranvier/errors.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <string>

namespace ranvier {

namespace {

// ---- Threshold crossings of exponential-polynomial sums ---------------------
//
// Between events, V - V_th of an exp or alpha neuron is a sum of terms
// p_k(s) e^{-lambda_k s} with polynomials p_k of degree <= 2 (distinct rates:
// 0, 1/tau_m, 1/tau_syn_ex, 1/tau_syn_in). Such a sum f cannot be searched
// safely by sampling: two crossings may lie arbitrarily close. Instead the
// generalised Rolle argument bounds and locates them: e^{lambda_0 s} f has the
// same zeros as f, and its derivative g is again such a sum whose "size"
// sum_k (deg p_k + 1) is one smaller. Between consecutive zeros of g, f is
// monotone (up to the positive factor), so it changes sign at most once
// there. Recursing until one constant term remains (no zero) isolates every
// sign change of f; at most size - 1 of them exist (Polya-Szego): size <= 6
// here (constant, membrane, two alpha currents of degree 1), so y has at most
// 4 extrema and 5 threshold crossings in any interval.

struct exp_term {
    double lambda;              // 1/ms
    std::array<double, 3> p;    // coefficients of 1, s, s^2
};

struct exp_sum {
    std::array<exp_term, 6> term{};
    int n = 0;

    void add(double lambda, double c0, double c1, double c2) {
        if (c0 == 0 && c1 == 0 && c2 == 0) return;
        for (int k = 0; k < n; ++k)
            if (term[k].lambda == lambda) {
                term[k].p[0] += c0;
                term[k].p[1] += c1;
                term[k].p[2] += c2;
                return;
            }
        term[n++] = {lambda, {c0, c1, c2}};
    }
    int size() const {
        int total = 0;
        for (int k = 0; k < n; ++k) {
            const auto& p = term[k].p;
            total += p[2] != 0 ? 3 : p[1] != 0 ? 2 : p[0] != 0 ? 1 : 0;
        }
        return total;
    }
    double operator()(double s) const {
        double f = 0;
        for (int k = 0; k < n; ++k) {
            const auto& p = term[k].p;
            f += (p[0] + s * (p[1] + s * p[2])) * std::exp(-term[k].lambda * s);
        }
        return f;
    }
    double derivative(double s) const {
        double f = 0;
        for (int k = 0; k < n; ++k) {
            const auto& p = term[k].p;
            const double l = term[k].lambda;
            f += (p[1] - l * p[0] + s * (2 * p[2] - l * p[1] - s * l * p[2])) * std::exp(-l * s);
        }
        return f;
    }
    // d/ds [e^{lambda_0 s} f]: one smaller.
    exp_sum shifted_derivative() const {
        exp_sum g;
        const double l0 = term[0].lambda;
        for (int k = 0; k < n; ++k) {
            const double l = term[k].lambda - l0;
            const auto& p = term[k].p;
            g.add(l, p[1] - l * p[0], 2 * p[2] - l * p[1], -l * p[2]);
        }
        return g;
    }
};

// A root of f in [lo, hi], where f(lo) and f(hi) have opposite signs (a zero
// counting as non-negative): Newton steps kept inside a shrinking bracket,
// bisection when a step would leave it, to |step| < 1e-14 ms.
template <class F, class DF>
double refine_root(const F& f, const DF& df, double lo, double hi) {
    const bool rising = f(lo) < 0;
    double x = 0.5 * (lo + hi);
    for (int it = 0; it < 200; ++it) {
        const double fx = f(x);
        if ((fx < 0) == rising) lo = x; else hi = x;
        const double d = df(x);
        double next = x - fx / d;
        if (!(next > lo && next < hi)) next = 0.5 * (lo + hi);
        const bool done = std::abs(next - x) < 1e-14 || hi - lo < 1e-14;
        x = next;
        if (done) break;
    }
    return x;
}

// Appends the points in (a, b) where f changes sign, in increasing order.
void sign_changes(const exp_sum& f, double a, double b, std::vector<double>& out) {
    if (f.size() <= 1) return;
    std::vector<double> extrema;
    sign_changes(f.shifted_derivative(), a, b, extrema);
    double p = a, fp = f(a);
    for (std::size_t k = 0; k <= extrema.size(); ++k) {
        const double q = k < extrema.size() ? extrema[k] : b;
        const double fq = f(q);
        if ((fp < 0) != (fq < 0))
            out.push_back(refine_root(f, [&](double s) { return f.derivative(s); }, p, q));
        p = q;
        fp = fq;
    }
}

// Near tau_syn = tau_m the two-exponential form cancels catastrophically; the
// degenerate form (s e^{-s/tau_m}) is used instead. It is used only to
// isolate extrema, so its relative error (|a| s < 1e-8) is harmless.
constexpr double degenerate_rate = 1e-8; // |1/tau_syn - 1/tau_m| * tau_m below this

} // namespace

lif_event_driven_group::lif_event_driven_group(const recipe& model, std::vector<gid_type> gids,
                                 std::uint64_t seed)
    : gids_(std::move(gids)), kind_(lif::group_synapse_kind(model, gids_)), n_(gids_.size()),
      table_(model, gids_, connection_table::point_cell_target),
      cell_events_(n_, table_.source_keys()) {
    y_.resize(n_);
    ref_until_.assign(n_, -time_infinity);
    I_ext_.assign(n_, 0.0);
    for (int c = 0; c < 2; ++c) {
        I_[c].assign(n_, 0.0);
        dI_[c].assign(n_, 0.0);
        tau_s_[c].resize(n_);
    }
    E_L_.resize(n_);
    theta_.resize(n_);
    reset_.resize(n_);
    tau_m_.resize(n_);
    C_m_.resize(n_);
    t_ref_.resize(n_);
    I_e_.resize(n_);
    queue_.resize(n_);
    sorted_.assign(n_, 0);
    head_.assign(n_, 0);
    poisson_begin_.push_back(0);
    changes_begin_.push_back(0);
    probes_begin_.push_back(0);

    for (std::uint32_t i = 0; i < n_; ++i) {
        const gid_type gid = gids_[i];
        const lif_cell cell = lif::group_cell(model, gid, kind_, "lif_event_driven_group");
        E_L_[i] = cell.E_L;
        theta_[i] = cell.V_th - cell.E_L;
        reset_[i] = cell.V_reset - cell.E_L;
        y_[i] = cell.V_init - cell.E_L;
        tau_m_[i] = cell.tau_m;
        C_m_[i] = cell.C_m;
        t_ref_[i] = cell.t_ref;
        I_e_[i] = cell.I_e;
        tau_s_[0][i] = cell.tau_syn_ex;
        tau_s_[1][i] = cell.tau_syn_in;

        for (const lif::poisson_source& in : lif::poisson_sources(model, gid)) {
            // Same stream key as the fixed mode; here its numbers are the
            // exponential inter-arrival times, drawn in order.
            poisson_stream p{counter_rng(seed, stream_purpose::poisson, in.index, gid),
                             in.rate * 1e-3, in.weight, 0.0, in.stop};
            p.next = std::max(0.0, in.start) - std::log(p.rng.uniform_open0()) / p.rate;
            if (!(p.next < p.stop)) p.next = time_infinity;
            poisson_.push_back(p);
        }
        poisson_begin_.push_back(static_cast<std::uint32_t>(poisson_.size()));

        const std::size_t first_change = changes_.size();
        for (const lif::current_step& c : lif::current_steps(model, gid))
            changes_.push_back({c.time, c.delta});
        std::stable_sort(changes_.begin() + first_change, changes_.end(),
                         [](const auto& a, const auto& b) { return a.time < b.time; });
        changes_begin_.push_back(static_cast<std::uint32_t>(changes_.size()));

        for (const lif::voltage_probe& p : lif::voltage_probes(model, gid))
            probes_.push_back({p.index, p.interval, 0, p.variable}); // from t = 0: the first process_point
        probes_begin_.push_back(static_cast<std::uint32_t>(probes_.size()));
    }
    next_change_.assign(changes_begin_.begin(), changes_begin_.end() - 1);
}

group_counters lif_event_driven_group::counters() const {
    return {table_.size(), events_delivered_, table_.bytes()};
}

cell_work_counts lif_event_driven_group::cell_work() const {
    // Cells are carried exactly from event to event: no steps to count.
    const auto cell_of = [](const exact_delay_entry& e) { return e.target; };
    return {{}, {}, cell_events_.per_cell(table_, cell_of)};
}

namespace {
// The order events act in: a total order, since one connection cannot carry
// two events at the same time.
bool earlier(const lif_event_driven_group::event& a, const lif_event_driven_group::event& b) {
    if (a.time != b.time) return a.time < b.time;
    if (a.source != b.source) return a.source < b.source;
    return a.key < b.key;
}
} // namespace

void lif_event_driven_group::deliver(std::span<const spike> spikes) {
    // A source's entries keep the group's cell order, then the recipe's
    // order onto a cell: the event key (place among the source's entries)
    // orders a target's connections from one source as the recipe lists them.
    for (const spike& s : spikes) {
        const auto [entries, key] = table_.from_keyed(s.gid);
        if (entries.empty()) continue;
        cell_events_.count_spike(key);
        for (std::uint32_t k = 0; k < entries.size(); ++k) {
            const exact_delay_entry& e = entries[k];
            queue_[e.target].push_back({s.time + e.delay, s.gid, k, static_cast<double>(e.weight)});
        }
        events_delivered_ += entries.size();
    }
}

double lif_event_driven_group::voltage_after(std::size_t i, double s) const {
    const double tau_m = tau_m_[i], C = C_m_[i];
    if (kind_ == lif_synapse::delta) {
        // One transcendental call: y relaxes towards R I by the factor 1 - e^{-s/tau_m}.
        const double y_inf = tau_m / C * (I_e_[i] + I_ext_[i]);
        return y_[i] + (y_inf - y_[i]) * -std::expm1(-s / tau_m);
    }
    const auto m = lif::membrane(s, tau_m, C);
    double y = m.P22 * y_[i] + m.P20 * (I_e_[i] + I_ext_[i]);
    for (int c = 0; c < 2 && kind_ != lif_synapse::delta; ++c) {
        if (I_[c][i] == 0 && dI_[c][i] == 0) continue;
        if (kind_ == lif_synapse::exp) {
            y += lif::exp_synapse(s, tau_m, C, tau_s_[c][i]).P21 * I_[c][i];
        } else {
            const auto p = lif::alpha_synapse(s, tau_m, C, tau_s_[c][i]);
            y += p.P31 * dI_[c][i] + p.P32 * I_[c][i];
        }
    }
    return y;
}

void lif_event_driven_group::propagate(std::size_t i, double h, bool membrane) {
    if (membrane) y_[i] = voltage_after(i, h);
    if (kind_ == lif_synapse::delta) return;
    for (int c = 0; c < 2; ++c) {
        if (I_[c][i] == 0 && dI_[c][i] == 0) continue;
        const double decay = std::exp(-h / tau_s_[c][i]);
        if (kind_ == lif_synapse::exp) {
            I_[c][i] *= decay;
        } else {
            I_[c][i] = (I_[c][i] + dI_[c][i] * h) * decay;
            dI_[c][i] *= decay;
        }
    }
}

double lif_event_driven_group::crossing(std::size_t i, double h) const {
    const double y0 = y_[i], theta = theta_[i], tau_m = tau_m_[i], C = C_m_[i];
    const double I0 = I_e_[i] + I_ext_[i];
    const double y_inf = tau_m / C * I0; // mV, equilibrium under the constant current
    if (kind_ == lif_synapse::delta) {
        // y relaxes monotonically towards y_inf: at most one crossing, in
        // closed form t* = tau_m ln((y_inf - y0) / (y_inf - theta)).
        if (!(y_inf > theta) || voltage_after(i, h) < theta) return -1;
        const double s = tau_m * std::log1p((theta - y0) / (y_inf - theta));
        return std::clamp(s, std::numeric_limits<double>::min(), h);
    }

    // Cheap exclusion first (almost every interval): with the synaptic
    // current at most M on [0, h], tau_m y' = R (I0 + I_syn) - y < 0 wherever
    // y > R (I0 + M), so y stays below max(y0, R (I0 + M)).
    double M = 0;
    for (int c = 0; c < 2; ++c) {
        const double Ic = I_[c][i], dIc = dI_[c][i], tau = tau_s_[c][i];
        const double decay = std::exp(-h / tau);
        double peak = std::max(Ic, (Ic + dIc * h) * decay);
        if (kind_ == lif_synapse::alpha && dIc != 0) {
            const double s_peak = tau - Ic / dIc; // where I' = 0
            if (s_peak > 0 && s_peak < h)
                peak = std::max(peak, (Ic + dIc * s_peak) * std::exp(-s_peak / tau));
        }
        M += peak;
    }
    const double y_end = voltage_after(i, h);
    if (std::max(y0, tau_m / C * (I0 + M)) < theta && y_end < theta) return -1;

    // V - V_th as an exponential-polynomial sum (see the top of this file).
    exp_sum f;
    const double lm = 1.0 / tau_m;
    f.add(0.0, y_inf - theta, 0, 0);
    f.add(lm, y0 - y_inf, 0, 0);
    for (int c = 0; c < 2; ++c) {
        const double Ic = I_[c][i], dIc = kind_ == lif_synapse::alpha ? dI_[c][i] : 0.0;
        if (Ic == 0 && dIc == 0) continue;
        const double lc = 1.0 / tau_s_[c][i], a = lc - lm;
        if (std::abs(a) * tau_m < degenerate_rate) {
            f.add(lm, 0, Ic / C, dIc / (2 * C));
        } else {
            const double k = (Ic / a + dIc / (a * a)) / C;
            f.add(lm, k, 0, 0);
            f.add(lc, -k, -dIc / (a * C), 0);
        }
    }
    std::vector<double> extrema;
    sign_changes(f.shifted_derivative(), 0.0, h, extrema);

    // The first piece on which the exact V rises through V_th; the exact
    // propagators (not the sum above) decide and refine.
    const auto v = [&](double s) { return voltage_after(i, s) - theta; };
    const auto dv = [&](double s) {
        double I_syn = 0;
        for (int c = 0; c < 2; ++c) {
            const double decay = std::exp(-s / tau_s_[c][i]);
            I_syn += (I_[c][i] + (kind_ == lif_synapse::alpha ? dI_[c][i] * s : 0.0)) * decay;
        }
        return -(v(s) + theta) / tau_m + (I0 + I_syn) / C;
    };
    double p = 0, vp = y0 - theta;
    for (std::size_t k = 0; k <= extrema.size(); ++k) {
        const double q = k < extrema.size() ? extrema[k] : h;
        const double vq = k < extrema.size() ? v(q) : y_end - theta;
        if (vp < 0 && vq >= 0) return std::clamp(refine_root(v, dv, p, q), p, q);
        p = q;
        vp = vq;
    }
    return -1;
}

double lif_event_driven_group::next_point(std::size_t i) const {
    double t = head_[i] < queue_[i].size() ? queue_[i][head_[i]].time : time_infinity;
    for (std::uint32_t k = poisson_begin_[i]; k < poisson_begin_[i + 1]; ++k)
        t = std::min(t, poisson_[k].next);
    if (next_change_[i] < changes_begin_[i + 1]) t = std::min(t, changes_[next_change_[i]].time);
    for (std::uint32_t k = probes_begin_[i]; k < probes_begin_[i + 1]; ++k)
        t = std::min(t, static_cast<double>(probes_[k].next_k) * probes_[k].interval);
    return t;
}

void lif_event_driven_group::sample_point(std::size_t i, time_type t, group_output& out) {
    for (std::uint32_t k = probes_begin_[i]; k < probes_begin_[i + 1]; ++k) {
        probe_point& p = probes_[k];
        while (static_cast<double>(p.next_k) * p.interval <= t) {
            const double value = p.variable == lif::lif_variable::v ? y_[i] + E_L_[i]
                                 : I_[p.variable == lif::lif_variable::I_syn_ex ? 0 : 1][i];
            out.samples.push_back({gids_[i], p.index, static_cast<double>(p.next_k) * p.interval, value});
            ++p.next_k;
        }
    }
}

void lif_event_driven_group::process_point(std::size_t i, time_type t, group_output& out) {
    // Probes due at t sample first, then everything due at t acts (network
    // events in (time, source, key) order, then Poisson events, then current
    // changes), then the threshold is checked once. Sampling first makes a
    // sample independent of whether the events at its time were known when
    // it was taken (an asynchronous advance may end at an event's time before
    // the event arrives): a sample at t shows the state before the events at
    // t, as the cable cells' CVODE does.
    sample_point(i, t, out);
    const bool refractory = t <= ref_until_[i];
    const auto apply = [&](double w) {
        if (kind_ == lif_synapse::delta) {
            if (!refractory) y_[i] += w; // lost during refractoriness
        } else {
            const int c = w < 0;
            if (kind_ == lif_synapse::exp) I_[c][i] += w;
            else dI_[c][i] += std::numbers::e / tau_s_[c][i] * w;
        }
    };
    const auto& q = queue_[i];
    std::uint32_t& head = head_[i];
    while (head < q.size() && q[head].time <= t) apply(q[head++].weight);
    for (std::uint32_t k = poisson_begin_[i]; k < poisson_begin_[i + 1]; ++k) {
        poisson_stream& p = poisson_[k];
        while (p.next <= t) {
            apply(p.weight);
            p.next -= std::log(p.rng.uniform_open0()) / p.rate;
            if (!(p.next < p.stop)) p.next = time_infinity;
        }
    }
    while (next_change_[i] < changes_begin_[i + 1] && changes_[next_change_[i]].time <= t)
        I_ext_[i] += changes_[next_change_[i]++].delta;
    if (!refractory && y_[i] >= theta_[i]) {
        out.spikes.push_back({gids_[i], t});
        y_[i] = reset_[i];
        ref_until_[i] = t + t_ref_[i];
    }
}

void lif_event_driven_group::integrate(std::size_t i, time_type a, time_type b, group_output& out) {
    while (a < b) {
        if (ref_until_[i] > a) {
            // Refractory: V held at reset, synaptic currents evolve.
            const double e = std::min(b, ref_until_[i]);
            propagate(i, e - a, false);
            a = e;
            continue;
        }
        const double s = crossing(i, b - a);
        if (s < 0) {
            propagate(i, b - a, true);
            return;
        }
        propagate(i, s, false);
        // Keep the spike inside (a, b] despite rounding of a + s.
        double t_spike = std::min(a + s, b);
        if (t_spike <= a) t_spike = std::nextafter(a, time_infinity);
        out.spikes.push_back({gids_[i], t_spike});
        y_[i] = reset_[i];
        ref_until_[i] = t_spike + t_ref_[i];
        a = t_spike;
    }
}

void lif_event_driven_group::advance_to(time_type t_end, group_output& out) {
    if (!started_) {
        for (std::size_t i = 0; i < n_; ++i) process_point(i, 0.0, out);
        started_ = true;
    }
    if (!(t_end > t_)) return;
    for (std::size_t i = 0; i < n_; ++i) {
        order_queue(i);
        time_type t = t_;
        for (;;) {
            const time_type next = next_point(i);
            if (next >= t_end) {
                // Events due at exactly t_end may not all be known yet: they
                // act in a later call. Samples due at t_end only need the
                // state before them.
                integrate(i, t, t_end, out);
                if (next == t_end) sample_point(i, t_end, out);
                break;
            }
            integrate(i, t, next, out);
            t = next;
            process_point(i, next, out);
        }
        auto& q = queue_[i];
        q.erase(q.begin(), q.begin() + head_[i]);
        head_[i] = 0;
        sorted_[i] = static_cast<std::uint32_t>(q.size());
    }
    t_ = t_end;
}

void lif_event_driven_group::order_queue(std::size_t i) {
    auto& q = queue_[i];
    const auto tail = q.begin() + sorted_[i];
    if (!std::is_sorted(tail, q.end(), earlier)) std::sort(tail, q.end(), earlier);
    if (tail != q.begin() && tail != q.end() && earlier(*tail, *(tail - 1)))
        std::inplace_merge(q.begin(), tail, q.end(), earlier);
    sorted_[i] = static_cast<std::uint32_t>(q.size());
}

} // namespace ranvier
