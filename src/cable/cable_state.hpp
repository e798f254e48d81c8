// The state of a group of cable cells, whatever advances it in time: all
// cells' nodes concatenated into one set of arrays (the Hines tree, its
// coupling coefficients, cm, area, v), the mechanisms with their instance
// data (one object per mechanism type, structure-of-arrays), the point-process
// targets events are addressed to, and the spike detectors; plus the
// membrane-current evaluation both time-stepping schemes need. Built by
// cable_state_builder; advanced by fixed_step_cable_stepper (NEURON's fixed
// step, any number of cells) or by cvode_cell (CVODE, one cell). See
// docs/numerics-cable.md for the equations and units.
#pragma once

#include "cable/mechanisms/mechanism.hpp"
#include "cable/spike_detector.hpp"

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace ranvier::cable {

// Per-node constants and voltage of the group (concatenated cells).
struct cable_nodes {
    std::vector<std::int32_t> parent; // group node index of the parent, -1 at cell roots
    std::vector<double> area;         // µm², zero-area nodes stored as 100 (NEURON)
    std::vector<double> cm;           // µF/cm², 0 at zero-area nodes (no capacitance there)
    std::vector<double> diam;         // µm, the segment's diameter (mechanisms' `diam`)
    std::vector<double> a;            // mA/cm² per mV: -100/(r_parent*area[parent]) (parent's row)
    std::vector<double> b;            // mA/cm² per mV: -100/(r_parent*area[i]) (own row)
    // mA/cm² per mV: the constant axial part of the diagonal, -b[i] - sum of
    // a[c] over the children c of i (filled by cable_state_builder::build).
    std::vector<double> d_axial;
    std::vector<double> v;            // mV
    std::size_t size() const { return parent.size(); }
};

class cable_state {
public:
    // Where events for a point-process target go: instance `instance` of
    // mechanism `mechanism` (index into the state's mechanisms).
    struct target_ref {
        std::int32_t mechanism;
        std::int32_t instance;
    };

    cable_state() = default;
    cable_state(cable_state&&) = default;
    cable_state& operator=(cable_state&&) = default;

    // NEURON's finitialize(v_init) for the state: every node at v_init(),
    // mechanisms initialised (INITIAL blocks), detectors armed.
    void initialise();
    double v_init() const { return v_init_; } // mV

    // Every mechanism adds its membrane current (mA/cm², outward) into i and
    // its di/dv (S/cm²) into g, per node, at the node voltages voltage() and
    // time t (ms), reading its own states. Nothing is cleared first in i and
    // g; the ion currents are (see prepare_ions).
    void add_currents(double t, double* i, double* g) {
        prepare_ions(nullptr);
        const current_context ctx{nodes_.v.data(), nodes_.area.data(), i, g, t};
        for (const auto& m : mechanisms_) m->current(ctx);
    }
    // The same with mechanism k reading its states from states[k] (same
    // layout as its own states[state][instance]): CVODE's evaluation at its
    // solution (current_context::variable_step).
    void add_currents(double t, double* i, double* g, std::span<const state_view> states) {
        prepare_ions(states.data());
        const current_context ctx{nodes_.v.data(), nodes_.area.data(), i, g, t, true};
        for (std::size_t k = 0; k < mechanisms_.size(); ++k)
            mechanisms_[k]->current(ctx, states[k]);
    }
    // Before a current evaluation, as NEURON's ion mechanisms: written
    // concentrations copied from the writers' states (states[k], or their
    // own if null), e by Nernst where a concentration is written, ion
    // currents and their di/dv zeroed.
    void prepare_ions(const state_view* states);
    // Crank-Nicolson: ion currents += their di/dv times x (mV per node, the
    // half-step change of v), as NEURON's second-order correction.
    void correct_ion_currents(const double* x) {
        for (auto& ion : ions_)
            for (const std::int32_t n : ion->nodes) ion->i[n] += ion->didv[n] * x[n];
    }
    // Fixed step: every mechanism advances its states over dt at v, in
    // order, each writer's concentrations copied into its ions at once (a
    // later reader sees the new value, as NEURON).
    void advance_states(const double* v, double dt);
    // CVODE, before each step (NEURON's Cvode::do_nonode): the mechanisms
    // without states that write a concentration (an ASSIGNED cai computed
    // in BREAKPOINT) run their update at v, reading the ion values of the
    // last current evaluation. True if the group has any.
    bool has_stateless_writers() const;
    void advance_stateless_writers(const double* v);

    // The group's ion species (one per ion some mechanism uses).
    std::size_t ion_count() const { return ions_.size(); }
    const ion_species& ion_at(std::size_t k) const { return *ions_[k]; }
    ion_species& ion_at(std::size_t k) { return *ions_[k]; }
    // nullptr if no mechanism of the group uses `name`.
    const ion_species* find_ion(const std::string& name) const;
    double celsius() const { return celsius_; } // degC, for Nernst

    // An event of `weight` arrives at point-process target `target`
    // (cable_state_builder::place); the caller checks target < target_count().
    void receive_event(std::int32_t target, double weight) {
        const target_ref r = targets_[static_cast<std::size_t>(target)];
        mechanisms_[static_cast<std::size_t>(r.mechanism)]->receive_event(
            static_cast<std::size_t>(r.instance), weight);
    }
    std::size_t target_count() const { return targets_.size(); }

    // Events as NET_RECEIVE sees them (docs/nmodl.md, "Events"). A self-event
    // net_send asked for, to be queued by the time stepper; or a spike
    // net_event emitted (of the cell holding the instance).
    struct self_event {
        double time; // ms
        std::int32_t mechanism, instance;
        double flag;
        double* args; // the sending event's argument storage, null: {weight}
        std::uint32_t nargs;
        double weight;
    };
    struct emitted_spike {
        double time;       // ms
        std::int32_t cell; // index in the state (one detector per cell: its detector index)
    };
    // NET_RECEIVE of instance `instance` of mechanism `m` at time t: `args`
    // the connection's argument storage (nargs values), or null for a plain
    // event of `weight`; `flag` 0 or a self-event's. What it sends or emits
    // is appended to `sent` / `spikes`.
    void net_receive(std::size_t m, std::size_t instance, double* args, std::uint32_t nargs, double weight,
                     double flag, double t, std::vector<self_event>& sent, std::vector<emitted_spike>& spikes);
    // After initialise(): what the INITIAL blocks sent (net_send) and emitted.
    void take_initial_requests(std::vector<self_event>& sent, std::vector<emitted_spike>& spikes);
    // The state's cell holding group node `node`.
    std::int32_t cell_of_node(std::int32_t node) const;
    target_ref target_at(std::int32_t target) const {
        return targets_[static_cast<std::size_t>(target)];
    }

    std::span<const double> voltage() const { return nodes_.v; } // mV, per group node
    std::span<double> voltage_mutable() { return nodes_.v; }
    const cable_nodes& nodes() const { return nodes_; }

    std::size_t cell_count() const { return cell_offset_.size(); }
    // First group node of `cell`; its nodes are [offset, offset + tree size).
    std::int32_t cell_offset(std::size_t cell) const { return cell_offset_[cell]; }
    std::span<const std::int32_t> cell_offsets() const { return cell_offset_; }

    const spike_detectors& detectors() const { return detectors_; }
    spike_detectors& detectors() { return detectors_; }

    std::size_t mechanism_count() const { return mechanisms_.size(); }
    mechanism& mechanism_at(std::size_t k) { return *mechanisms_[k]; }
    const mechanism& mechanism_at(std::size_t k) const { return *mechanisms_[k]; }
    // nullptr if the group has no instance of that mechanism.
    mechanism* find_mechanism(const std::string& name);

private:
    friend class cable_state_builder;

    cable_nodes nodes_;
    std::vector<std::int32_t> cell_offset_;
    std::vector<std::unique_ptr<mechanism>> mechanisms_;
    std::vector<target_ref> targets_;
    std::vector<std::unique_ptr<ion_species>> ions_;
    std::vector<std::size_t> concentration_writers_; // indices into mechanisms_
    spike_detectors detectors_;
    double v_init_ = -65; // mV
    double celsius_ = 6.3; // degC
};

} // namespace ranvier::cable
