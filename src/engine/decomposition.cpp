#include "engine/decomposition.hpp"

#include "comm/dry_run_communicator.hpp"

#include <ranvier/cable_cell_layout.hpp>
#include <ranvier/errors.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <variant>

namespace ranvier {

decomposition::decomposition(std::vector<gid_type> bounds) : bounds_(std::move(bounds)) {
    if (bounds_.size() < 2 || bounds_.front() != 0 || !std::is_sorted(bounds_.begin(), bounds_.end()))
        throw internal_error("decomposition: boundaries must rise from 0");
}

gid_range decomposition::range(int p) const {
    return {bounds_.at(static_cast<std::size_t>(p)), bounds_.at(static_cast<std::size_t>(p) + 1)};
}

int decomposition::owner(gid_type gid) const {
    // The last process whose range begins at or before gid (empty ranges skipped).
    const auto it = std::upper_bound(bounds_.begin(), bounds_.end() - 1, gid);
    return static_cast<int>(it - bounds_.begin()) - 1;
}

double expected_event_cost(const recipe& model, gid_type gid, double dt) {
    const bool lif = model.kind(gid) == cell_kind::lif;
    double poisson_rate = 0; // Hz; only LIF cells take Poisson inputs
    if (lif)
        for (const poisson_input& in : model.poisson_inputs_on(gid)) poisson_rate += in.rate;
    const double per_second = lif ? model.expected_connection_rate(gid) * lif_connection_event_cost +
                                        poisson_rate * lif_poisson_event_cost
                                  : model.expected_connection_rate(gid) * cable_event_cost;
    // Costs are per step, rates per second: r Hz bring r * dt / 1000 events
    // per step of dt ms. Rounded to a multiple of 1/64 (the other costs are
    // binary fractions too) so that sums of costs are exact and the cut does
    // not depend on how they were split over processes.
    return std::round(per_second * dt / 1000.0 * 64.0) / 64.0;
}

double estimated_cost(const recipe& model, gid_type gid, double dt) {
    switch (model.kind(gid)) {
    case cell_kind::lif:
        return 1.0 + expected_event_cost(model, gid, dt);
    case cell_kind::spike_source:
        // A lazily generated schedule: nothing between its spikes, and
        // nothing connects onto it. (1/8: costs stay binary fractions, so
        // their sums are exact and the cut does not depend on how the sums
        // were split over processes.)
        return 0.125;
    case cell_kind::artificial:
        // Nothing between events: like a spike source, plus its events.
        return 0.125 + expected_event_cost(model, gid, dt);
    case cell_kind::cable: {
        const cell_description description = model.cell(gid);
        const auto& c = std::get<cable_cell>(description);
        const double nodes = static_cast<double>(layout_of(c).nodes.size());
        const double units = nodes * (1.0 + static_cast<double>(c.paintings.size())) +
                             static_cast<double>(c.synapses.size() + c.stimuli.size());
        return units * cable_unit_cost + expected_event_cost(model, gid, dt); // 2.5: a binary fraction
    }
    }
    return 1.0;
}

std::uint64_t count_compartments(const recipe& model, gid_range range) {
    std::uint64_t n = 0;
    for (gid_type gid = range.begin; gid < range.end; ++gid)
        if (model.kind(gid) == cell_kind::cable)
            n += layout_of(std::get<cable_cell>(model.cell(gid))).nodes.size();
    return n;
}

namespace {

// The first gid g in (begin, end] whose prefix cost (of gids < g, starting at
// `offset` for gid `begin`) reaches each target, or `none`.
std::vector<gid_type> crossings(const std::vector<double>& costs, gid_type begin, double offset,
                                const std::vector<double>& targets, gid_type none) {
    std::vector<gid_type> found(targets.size(), none);
    double prefix = offset;
    std::size_t k = 0;
    while (k < targets.size() && targets[k] <= offset) found[k++] = begin; // at or before the slice
    for (std::size_t i = 0; i < costs.size() && k < targets.size(); ++i) {
        prefix += costs[i];
        while (k < targets.size() && prefix >= targets[k]) found[k++] = begin + static_cast<gid_type>(i) + 1;
    }
    return found;
}

std::vector<double> share_targets(double total, int processes) {
    std::vector<double> targets;
    for (int k = 1; k < processes; ++k) targets.push_back(total * k / processes);
    return targets;
}

} // namespace

std::vector<gid_type> cut_at_equal_cost(const std::vector<double>& costs, int processes) {
    double total = 0;
    for (double c : costs) total += c;
    const auto n = static_cast<gid_type>(costs.size());
    std::vector<gid_type> bounds{0};
    for (gid_type b : crossings(costs, 0, 0.0, share_targets(total, processes), n)) bounds.push_back(b);
    bounds.push_back(n);
    return bounds;
}

decomposition decompose(const recipe& model, communicator& comm, double dt) {
    const gid_type n = model.num_cells();
    const int P = comm.size();
    if (auto* dry = dynamic_cast<dry_run_communicator*>(&comm)) {
        // The dry run takes every rank to be a copy of the one it builds, so
        // every rank holds the same number of cells: equal gid shares (what
        // the cost cut gives when all cells cost the same). Nothing outside
        // rank K's share is asked about, and no table of N^2 boundaries (the
        // all-gather below, copied N times) is made.
        std::vector<gid_type> bounds;
        for (std::uint64_t r = 0; r <= static_cast<std::uint64_t>(P); ++r)
            bounds.push_back(static_cast<gid_type>(std::uint64_t{n} * r / static_cast<std::uint64_t>(P)));
        dry->set_bounds(bounds);
        return decomposition(std::move(bounds));
    }
    if (P == 1) return decomposition(n);
    const auto r = static_cast<std::uint64_t>(comm.rank());
    // This process's slice for estimating: an equal share of the gids.
    const auto begin = static_cast<gid_type>(std::uint64_t{n} * r / static_cast<std::uint64_t>(P));
    const auto end = static_cast<gid_type>(std::uint64_t{n} * (r + 1) / static_cast<std::uint64_t>(P));
    std::vector<double> costs;
    costs.reserve(end - begin);
    double slice_total = 0;
    for (gid_type gid = begin; gid < end; ++gid) {
        costs.push_back(estimated_cost(model, gid, dt));
        slice_total += costs.back();
    }
    const std::vector<double> totals = all_gather_one(comm, slice_total);
    double offset = 0, total = 0;
    for (int p = 0; p < P; ++p) {
        if (p == comm.rank()) offset = total;
        total += totals[static_cast<std::size_t>(p)];
    }
    const std::vector<double> targets = share_targets(total, P);
    // Each boundary is the smallest gid any slice finds for it (the prefix
    // cost only grows with the gid): one element-wise minimum, O(P) per
    // process (an all-gather of every slice's P - 1 findings would be P^2).
    const std::vector<gid_type> mine = crossings(costs, begin, offset, targets, n);
    const std::vector<std::uint64_t> found = comm.min_each(std::vector<std::uint64_t>(mine.begin(), mine.end()));
    std::vector<gid_type> bounds{0};
    for (const std::uint64_t b : found) bounds.push_back(static_cast<gid_type>(b));
    bounds.push_back(n);
    return decomposition(std::move(bounds));
}

} // namespace ranvier
