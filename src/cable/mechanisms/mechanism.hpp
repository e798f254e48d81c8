// The membrane mechanism interface of the cable numerics: one object per
// mechanism type per cell group, holding that type's instances as
// structure-of-arrays (node_index[], one array per parameter, one per state).
// Every operation is a single virtual call covering all instances of the
// group (never one call per instance) and allocates nothing.
//
// The shape follows what an NMODL translator would emit for a mechanism:
//   INITIAL            -> initialise(v)
//   BREAKPOINT current -> current(ctx, states): adds i (mA/cm²) and di/dv
//                         (S/cm²) per node; di/dv exact where the current
//                         is linear in v (all built-ins), which NEURON's
//                         numerical (i(v+0.001) - i(v)) / 0.001 equals to roundoff
//   SOLVE ... cnexp    -> advance_states(v, dt)
//   NET_RECEIVE        -> receive_event(instance, weight)
//   at_time(x)         -> discontinuities(times), for the variable-step engine
//   DERIVATIVE block   -> state_derivatives / state_jacobian_diagonal, for the
//                         variable-step (CVODE) engine, at arbitrary states.
// Point processes (nA) convert their currents to densities with NEURON's
// factor 100/area (area in µm²; zero-area nodes count as 100 µm²).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace ranvier::cable {

enum class mechanism_kind {
    density, // distributed over membrane: currents in mA/cm²
    point,   // point process: currents in nA, converted with 100/area
};

// A named scalar with its unit and default, as declared in an NMODL file.
struct quantity_info {
    std::string name;
    std::string unit;        // e.g. "S/cm2", "mV", "ms", "nA", "uS", "1"
    double default_value = 0;
};

// What a mechanism type declares (the NEURON { } / PARAMETER / STATE blocks).
struct mechanism_type {
    std::string name;                      // "hh", "pas", "ExpSyn", ...
    mechanism_kind kind = mechanism_kind::density;
    std::vector<quantity_info> parameters; // per instance (RANGE)
    std::vector<quantity_info> states;     // per instance (STATE); default = unused
    std::vector<quantity_info> globals;    // one value per group (GLOBAL, e.g. celsius)
    bool receives_events = false;          // has a NET_RECEIVE block
    // Derived quantities a probe can record (NMODL's ASSIGNED currents and
    // conductances, e.g. hh's ina, gna), computed by mechanism::observe.
    std::vector<quantity_info> observables;
    // NMODL's ELECTRODE_CURRENT (IClamp): current injected by an electrode,
    // not a membrane current; the total membrane current (probe i_membrane_)
    // leaves it out, as NEURON's i_membrane_ does. Its observable "i" is the
    // injected current (nA, depolarising > 0).
    bool electrode_current = false;

    // Index of a parameter/state/global/observable by name, -1 if there is none.
    int parameter_index(const std::string& n) const;
    int state_index(const std::string& n) const;
    int global_index(const std::string& n) const;
    int observable_index(const std::string& n) const;
};

// Instance data of one mechanism type in one cell group.
struct mechanism_data {
    std::vector<std::int32_t> node_index;        // group node each instance sits on
    std::vector<std::vector<double>> parameters; // [parameter][instance], units as declared
    std::vector<std::vector<double>> states;     // [state][instance], units as declared
    std::vector<double> globals;                 // [global], units as declared
    std::size_t size() const { return node_index.size(); }
};

// Group-wide node arrays a current evaluation reads and accumulates into.
struct current_context {
    const double* v = nullptr;    // mV, membrane potential per node
    const double* area = nullptr; // µm², per node (zero-area nodes: 100, as NEURON)
    double* i = nullptr;          // mA/cm², outward membrane current density, accumulated (+=)
    double* g = nullptr;          // S/cm², its derivative di/dv, accumulated (+=)
    double t = 0;                 // ms, time at which time-dependent currents are evaluated
};

// State arrays of a mechanism: states[k][instance]. Own states, or someone
// else's (the variable-step engine's solution vector) with the same layout.
using state_view = std::span<const double* const>;
using state_out = std::span<double* const>;

class mechanism {
public:
    explicit mechanism(mechanism_type type);
    virtual ~mechanism() = default;
    mechanism(const mechanism&) = delete;
    mechanism& operator=(const mechanism&) = delete;

    const mechanism_type& type() const { return type_; }
    mechanism_data& data() { return data_; }
    const mechanism_data& data() const { return data_; }
    std::size_t size() const { return data_.size(); }

    // Appends an instance with default parameters and states on `node`;
    // returns its index. Not for use during a run (allocates).
    std::size_t add_instance(std::int32_t node);

    // Sets states from v (mV per group node), as INITIAL; also computes
    // derived constants that depend on parameters/globals. t = 0 events cleared.
    virtual void initialise(const double* v) = 0;

    // Adds this mechanism's currents and di/dv at ctx.v with the given states.
    virtual void current(const current_context& ctx, state_view states) const = 0;
    void current(const current_context& ctx) const { current(ctx, own_states()); }

    // Advances own states by dt (ms) with v (mV per node) held fixed, as
    // NEURON's fixed step does (cnexp: exact for linear ODEs with rates at v).
    virtual void advance_states(const double* v, double dt) {}

    // An event of `weight` (the mechanism's weight unit, uS for synapses)
    // arrives at `instance`.
    virtual void receive_event(std::size_t instance, double weight) {}

    // Appends the times (ms) at which this mechanism's currents jump (IClamp
    // on at del, off at del + dur; NMODL's at_time(x)): the variable-step
    // integrator stops and restarts there. Called once after initialise.
    virtual void discontinuities(std::vector<double>& times) const {}

    // d(state)/dt (state unit per ms) at v and the given states, and the
    // diagonal of its Jacobian d(dstate/dt)/dstate (1/ms).
    virtual void state_derivatives(const double* v, state_view states, state_out dstates) const {}
    virtual void state_jacobian_diagonal(const double* v, state_view states,
                                         state_out jacobian) const {}

    // Observable k (type().observables) of `instance` at membrane potential
    // v (mV), with `states`, at time t (ms): what a probe of "hh.ina" reads.
    // Evaluated from the state at the sample time (NEURON's fixed step
    // records the value of the current evaluation at the step's start, one
    // step earlier). Called per sample, not in the stepping loops.
    virtual double observe(std::size_t k, std::size_t instance, double v, state_view states, double t) const;

    std::size_t state_count() const { return type_.states.size(); }
    state_view own_states() const { return state_ptrs_; }
    state_out own_states_mutable() { return state_ptrs_mut_; }

protected:
    // Called after the layout of data_ changed (instances added).
    void refresh_state_pointers();

    mechanism_type type_;
    mechanism_data data_;

private:
    std::vector<const double*> state_ptrs_;
    std::vector<double*> state_ptrs_mut_;
};

} // namespace ranvier::cable
