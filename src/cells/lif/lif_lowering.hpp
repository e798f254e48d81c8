// What the fixed-step and the event-driven LIF groups share when they turn
// the recipe's description of their cells into flat state: the cell, its
// Poisson and current inputs and its probes, checked once with one wording
// ("cell 12, Poisson input 0: ..."). Each group then maps times onto its own
// clock (steps of dt, or ms).
#pragma once

#include <ranvier/lif_cell.hpp>
#include <ranvier/recipe.hpp>

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace ranvier::lif {

// The synapse kind of a group's cells (groups hold one kind, see
// cells/group_compatibility.hpp); delta for an empty group.
lif_synapse group_synapse_kind(const recipe& model, std::span<const gid_type> gids);

// The description of `gid`, validated; internal_error (naming `group`) if it
// is not a LIF cell of synapse kind `kind`.
lif_cell group_cell(const recipe& model, gid_type gid, lif_synapse kind, const char* group);

// A Poisson input that acts (rate and weight not zero), checked.
struct poisson_source {
    std::uint32_t index; // input number on the gid: the key of its random stream
    double rate;         // Hz
    double weight;       // mV (delta) or pA
    double start, stop;  // ms
};
// Throws user_error for a negative or non-finite rate, a non-finite weight,
// a site other than 0.
std::vector<poisson_source> poisson_sources(const recipe& model, gid_type gid);

// A step of an injected current: at `time` the current changes by `delta`.
struct current_step {
    double time;  // ms
    double delta; // pA
};
// The changes of all current inputs on gid, input by input, each in time
// order. Throws user_error for times and amplitudes of different lengths or
// times not strictly increasing.
std::vector<current_step> current_steps(const recipe& model, gid_type gid);

// What a LIF probe samples: v (mV), or the excitatory or inhibitory
// synaptic current (pA, NEST's I_syn_ex and I_syn_in; exp and alpha synapses).
enum class lif_variable { v, I_syn_ex, I_syn_in };

// A probe, checked: a variable the cell has, interval finite and > 0.
struct voltage_probe {
    std::uint32_t index; // probe number on the gid
    double interval;     // ms
    lif_variable variable = lif_variable::v;
};
std::vector<voltage_probe> voltage_probes(const recipe& model, gid_type gid);

// "cell 12: probe 0 ('v')": how errors name a probe.
std::string probe_name(gid_type gid, std::uint32_t index, const std::string& variable);

} // namespace ranvier::lif
