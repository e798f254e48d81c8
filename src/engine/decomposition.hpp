// Which gids each process of a distributed run owns (docs/architecture.md,
// "Distributed execution"): contiguous ranges, cut at equal shares of the
// estimated cost of the cells, so a process of cable cells gets fewer cells
// than one of point neurons. Contiguous ranges keep partition_cells' runs of
// compatible gids together, and the owner of any gid is found from the P + 1
// boundaries alone: no process holds a table of the whole network.
// The decomposition affects speed only, never results.
#pragma once

#include "comm/communicator.hpp"

#include <ranvier/recipe.hpp>

#include <cstdint>
#include <vector>

namespace ranvier {

struct gid_range {
    gid_type begin = 0, end = 0; // [begin, end)
    gid_type size() const { return end - begin; }
};

class decomposition {
public:
    // One process owning everything.
    explicit decomposition(gid_type num_cells) : bounds_{0, num_cells} {}
    // bounds: P + 1 non-decreasing gids from 0 to the number of cells.
    explicit decomposition(std::vector<gid_type> bounds);

    int processes() const { return static_cast<int>(bounds_.size()) - 1; }
    gid_range range(int process) const;
    int owner(gid_type gid) const; // the process whose range holds gid
    const std::vector<gid_type>& bounds() const { return bounds_; }

private:
    std::vector<gid_type> bounds_;
};

// The weights of the cost estimate, in LIF cell-steps (the cost unit),
// measured as instruction counts with callgrind in bsp-fixed at dt 0.1 ms
// (bench/cost, docs/scaling.md "The cost estimate"):
// - a unit of the cable formula, compartments x (1 + density mechanisms) +
//   point processes, per step: 1.5 (pas) to 3.6 (hh) LIF cell-steps, 2.5
//   for hh and pas together;
inline constexpr double cable_unit_cost = 2.5;
// - an event through a connection onto a LIF cell (exchanged, delivered,
//   applied), and one of a Poisson input (drawn in the cell's group);
inline constexpr double lif_connection_event_cost = 0.9;
inline constexpr double lif_poisson_event_cost = 3.9;
// - an event onto a cable cell's synapse (queued, NET_RECEIVE).
inline constexpr double cable_event_cost = 26.0;

// The estimated cost of simulating one cell for one step of `dt` ms (units:
// one LIF cell-step): LIF 1; spike sources 1/8; cable cells cable_unit_cost
// per unit of their formula; LIF and cable cells also the input events they
// expect per step (expected_event_cost).
double estimated_cost(const recipe& model, gid_type gid, double dt);

// The expected cost of the input events of LIF or cable cell `gid` per step
// of `dt` ms, in LIF cell-steps, a multiple of 1/64: its Poisson inputs'
// rates (exact) and recipe::expected_connection_rate (an expectation).
double expected_event_cost(const recipe& model, gid_type gid, double dt);

// The ranges of every process (collective). Each process estimates the cost
// of an equal slice of gids only (so a cell description is asked for once,
// by one process), the slices' totals are exchanged, and each boundary
// k / P of the total cost is found by the process whose slice holds it.
// dt: the step (ms) that converts expected events per ms into per step.
decomposition decompose(const recipe& model, communicator& comm, double dt);

// The compartments (discretisation nodes) of the cable cells of `range`,
// for the summary's per-process figures.
std::uint64_t count_compartments(const recipe& model, gid_range range);

// Cut `costs` (one per gid, in order) at equal shares: the boundaries a
// single process would compute (for tests and for one process).
std::vector<gid_type> cut_at_equal_cost(const std::vector<double>& costs, int processes);

} // namespace ranvier
