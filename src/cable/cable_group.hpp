// A group of cable cells advanced together by NEURON's fixed-step scheme
// (backward Euler, secondorder = 0, or the staggered Crank–Nicolson,
// secondorder = 2): all cells' nodes concatenated into one set of arrays,
// one fused assembly + Hines solve per step for the whole group (cells of
// identical shape in lockstep batches), one virtual call per mechanism type
// per step. Built by cable_group_builder. See
// docs/numerics-cable.md for the equations and the order of operations.
#pragma once

#include "cable/mechanisms/mechanism.hpp"
#include "cable/spike_detector.hpp"

#include <cstdint>
#include <memory>
#include <queue>
#include <span>
#include <string>
#include <vector>

namespace ranvier::cable {

enum class time_scheme {
    backward_euler, // NEURON secondorder = 0: first order
    crank_nicolson, // NEURON secondorder = 2: staggered, second order
};

struct cable_group_options {
    time_scheme scheme = time_scheme::backward_euler;
    double dt = 0.025;    // ms
    double v_init = -65;  // mV, membrane potential of every node at initialise()
};

// A synaptic event waiting for delivery.
struct cable_event {
    double time;          // ms
    std::uint64_t order;  // ties broken by scheduling order
    std::int32_t target;  // group target index (cable_group_builder::place)
    double weight;        // the target mechanism's weight unit (uS for synapses)
};

// Per-node constants and state of the group (concatenated cells).
struct cable_nodes {
    std::vector<std::int32_t> parent; // group node index of the parent, -1 at cell roots
    std::vector<double> area;         // µm², zero-area nodes stored as 100 (NEURON)
    std::vector<double> cm;           // µF/cm², 0 at zero-area nodes (no capacitance there)
    std::vector<double> a;            // mA/cm² per mV: -100/(r_parent*area[parent]) (parent's row)
    std::vector<double> b;            // mA/cm² per mV: -100/(r_parent*area[i]) (own row)
    // mA/cm² per mV: the constant axial part of the diagonal, -b[i] - sum of
    // a[c] over the children c of i (filled by cable_group_builder::build).
    std::vector<double> d_axial;
    std::vector<double> v;            // mV
    // Work arrays of one step. The mechanisms add their currents into i and
    // their di/dv straight into the diagonal d; the fused solve of
    // cable_group::step folds each child's elimination into its parent's i
    // and d, then leaves the solution x (mV; v advanced by x, or 2x for CN)
    // in i and b/d (1) in d. Two arrays, not four, keep a group's working
    // set small enough for the core's cache.
    std::vector<double> i;            // mA/cm², membrane current density (outward), then x (mV)
    std::vector<double> d;            // mA/cm² per mV, matrix diagonal (di/dv included), then b/d (1)
    std::size_t size() const { return parent.size(); }
};

class cable_group {
public:
    cable_group() = default;
    cable_group(cable_group&&) = default;
    cable_group& operator=(cable_group&&) = default;

    // NEURON's finitialize(v_init): t = 0, every node at v_init, mechanisms
    // initialised, pending events and recorded spikes cleared, detectors
    // armed (a node already above threshold reports a spike at t = 0).
    void initialise();

    // One step from t_k = k dt to t_{k+1}: delivers events with time <=
    // t_k + dt/2, evaluates currents at t_k + dt/2, solves, updates v, then
    // advances states, then checks detectors (spikes stamped t_{k+1}).
    void step();
    // Steps while t < t_end - dt/2 (NEURON's run loop).
    void run_until(double t_end);

    // Queues an event for `target` at `time` (ms, not before the current
    // step's start). Allocates only when the queue grows.
    void schedule_event(std::int32_t target, double time, double weight);

    double time() const { return static_cast<double>(step_) * options_.dt; } // ms
    std::int64_t step_index() const { return step_; }
    const cable_group_options& options() const { return options_; }
    void set_scheme(time_scheme s) { options_.scheme = s; }
    void set_dt(double dt_ms); // only between runs; resets nothing but the step length

    std::span<const double> voltage() const { return nodes_.v; } // mV, per group node
    std::span<double> voltage_mutable() { return nodes_.v; }
    const cable_nodes& nodes() const { return nodes_; }

    std::size_t cell_count() const { return cell_offset_.size(); }
    // First group node of `cell`; its nodes are [offset, offset + tree size).
    std::int32_t cell_offset(std::size_t cell) const { return cell_offset_[cell]; }

    std::span<const cable_spike> spikes() const { return spikes_; }
    void clear_spikes() { spikes_.clear(); }
    const spike_detectors& detectors() const { return detectors_; }

    std::size_t mechanism_count() const { return mechanisms_.size(); }
    mechanism& mechanism_at(std::size_t k) { return *mechanisms_[k]; }
    // nullptr if the group has no instance of that mechanism.
    mechanism* find_mechanism(const std::string& name);

    std::size_t target_count() const { return targets_.size(); }

private:
    friend class cable_group_builder;

    struct target_ref {
        std::int32_t mechanism; // index into mechanisms_
        std::int32_t instance;  // instance of that mechanism
    };
    struct later_event {
        bool operator()(const cable_event& x, const cable_event& y) const {
            return x.time != y.time ? x.time > y.time : x.order > y.order;
        }
    };

    // Cells of identical shape, consecutive in the group, solved in lockstep.
    struct solve_batch {
        std::int32_t first_cell; // index into cell_offset_
        std::int32_t cells;      // 1 .. max_solve_batch
        std::int32_t size;       // nodes per cell
    };
    // Enough independent cells to hide the division latency of the
    // elimination; small enough that a batch's nodes stay in cache.
    static constexpr std::size_t max_solve_batch = 8;

    void deliver_events_until(double t_ms);
    // Groups the cells into solve_batches_ (after the nodes are complete).
    void plan_solve_batches();

    cable_group_options options_;
    cable_nodes nodes_;
    std::vector<std::int32_t> cell_offset_;
    std::vector<std::unique_ptr<mechanism>> mechanisms_;
    std::vector<target_ref> targets_;
    std::vector<solve_batch> solve_batches_;
    // mA/cm² per mV: cm cfac + d_axial, the part of the diagonal that is the
    // same every step, for cfac (mA/cm² per mV per µF/cm²) = diagonal_cfac_.
    std::vector<double> diagonal_base_;
    double diagonal_cfac_ = 0;
    spike_detectors detectors_;
    std::vector<cable_spike> spikes_;
    std::priority_queue<cable_event, std::vector<cable_event>, later_event> events_;
    std::uint64_t event_order_ = 0;
    std::int64_t step_ = 0;
};

} // namespace ranvier::cable
