// The model description, asked per gid (like Arbor's recipe): how many cells,
// what each cell is, what connects onto it, which inputs and probes it has.
// An engine (or, later, each MPI process) asks only about the gids it owns,
// so a large network never has to sit in one place.
#pragma once

#include <ranvier/artificial_cell.hpp>
#include <ranvier/cable_cell.hpp>
#include <ranvier/lif_cell.hpp>
#include <ranvier/spike_source_cell.hpp>
#include <ranvier/types.hpp>

#include <memory>
#include <string>
#include <variant>
#include <vector>

namespace ranvier {

namespace cable {
// The membrane mechanisms cable cells can name (include/ranvier/mechanisms.hpp
// makes one from directories of .mod files); opaque to front ends.
class mechanism_catalogue;
} // namespace cable

enum class cell_kind { lif, cable, spike_source, artificial };

using cell_description = std::variant<lif_cell, cable_cell, spike_source_cell, artificial_cell>;

// A synaptic connection from a spike source (cell `source`) onto one site of
// the cell being described. Weight units depend on the target: mV for LIF
// delta synapses, pA for LIF exp/alpha synapses, uS for cable-cell synapses
// (target_site = index into cable_cell::synapses).
//
// extra_weights: NET_RECEIVE's further arguments for a cable-cell synapse
// whose NET_RECEIVE takes several (NEURON's NetCon weight[1], weight[2], ...,
// by position, plain numbers in the units the .mod file gives them; missing
// ones are 0). Every connection onto such a synapse keeps its own arguments
// in the target cell's group, which NET_RECEIVE may change between events
// (docs/nmodl.md, "Events").
struct connection {
    gid_type source = 0;
    site_index target_site = 0;
    double weight = 0.0; // mV or pA (see above)
    double delay = 1.0;  // ms, > 0
    std::vector<double> extra_weights{};
};

// An independent Poisson spike train onto one site of the cell, active in
// [start, stop). Its random stream is keyed by (seed, gid, index in the list),
// so it does not depend on how the network is split.
struct poisson_input {
    double rate = 0.0;               // Hz, total rate of the train
    double weight = 0.0;             // same units as a connection onto the site
    double start = 0.0;              // ms
    double stop = time_infinity;     // ms
    site_index target_site = 0;
};

// A piecewise-constant current injected into the cell: amplitude[k] holds
// from time[k] until time[k+1] (0 before time[0]). A DC current is
// {time = {start, stop}, amplitude = {a, 0}}.
struct current_input {
    std::vector<double> time;      // ms, strictly increasing
    std::vector<double> amplitude; // pA
};

// A sampled quantity of the cell, written to the trace output.
struct probe {
    std::string variable = "v"; // "v" for the membrane potential (mV); on cable cells
                                // also a mechanism state "<mechanism>.<state>" ("hh.m")
    double interval = 0.1;      // ms, sampling interval (a whole number of steps in the fixed-step modes)
    std::string location;       // cable cells: where, as "soma(0.5)" (empty: the
                                // detector's location); point neurons: must be empty
};

class recipe;

// Where probe `p` of cell `gid` samples, as text: its location, or on a
// cable cell with an empty location the spike detector's ("soma(0.5)");
// empty on point neurons and spike sources. traces.csv's `location` column.
std::string probe_location_text(const recipe& r, gid_type gid, const probe& p);

// The firing rate (Hz) that stands for a neuron's (LIF or cable cell) when
// costs are estimated before running: cortical network models fire at a few
// to a few tens of Hz on average (the Brunel and Potjans-Diesmann networks:
// about 1 to 30 Hz), so 10 Hz is within a factor of a few of most.
inline constexpr double nominal_firing_rate = 10.0;

// The mean rate (Hz) of a spike source's schedule: its Poisson rate plus its
// explicit times spread over their span, but over at least 1 s (a handful of
// early spikes is not a high rate). The run's length is not known when
// costs are estimated, so start and stop are not counted.
double expected_rate_of(const spike_source_cell& source);

class recipe {
public:
    virtual ~recipe() = default;

    virtual gid_type num_cells() const = 0;
    virtual cell_kind kind(gid_type gid) const = 0;
    virtual cell_description cell(gid_type gid) const = 0;

    virtual std::vector<connection> connections_on(gid_type) const { return {}; }
    virtual std::vector<poisson_input> poisson_inputs_on(gid_type) const { return {}; }
    virtual std::vector<current_input> current_inputs_on(gid_type) const { return {}; }
    virtual std::vector<probe> probes_on(gid_type) const { return {}; }

    // Expected activity, for estimating the cost of a cell before running
    // (the decomposition, docs/architecture.md): asked about each gid once,
    // by one process, before will_ask_about(), so an override must not build
    // tables of the whole network to answer.
    //
    // The rate (Hz) of spikes cell `gid` is expected to send. The default:
    // a spike source's schedule (expected_rate_of), a neuron the nominal rate
    // (a neuron's rate is known only by running it).
    virtual double expected_firing_rate(gid_type gid) const;
    // The rate (Hz) of events expected to arrive at cell `gid` through its
    // connections: per incoming connection, its source's expected firing
    // rate (Poisson inputs are not included: poisson_inputs_on() has them,
    // and their events cost more). The default asks connections_on(gid) and
    // each source's expected_firing_rate(); network_recipe answers from its
    // rules instead (fixed_outdegree: the expectation, without its table).
    virtual double expected_connection_rate(gid_type gid) const;

    // A promise from the engine, made before it builds anything: from now on
    // connections_on() is asked only about gids in [first, last) (one
    // process's share of a distributed run). A recipe may use it to build
    // only what those gids need (network_recipe's fixed_outdegree tables);
    // asking outside must stay correct, if costlier.
    virtual void will_ask_about(gid_type /*first*/, gid_type /*last*/) const {}

    // The mechanisms the cable cells of this model name (paint, synapses,
    // stimuli, probes, atol_scale): load_mechanisms() (mechanisms.hpp), or
    // null for the built-in ones (pas, hh, IClamp, ExpSyn, Exp2Syn). Every
    // cell group of every mode is built with it.
    virtual std::shared_ptr<const cable::mechanism_catalogue> mechanisms() const { return nullptr; }
};

} // namespace ranvier
