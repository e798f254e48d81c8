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
//   NET_RECEIVE        -> receive_event(instance, weight); with several
//                         arguments, flags or net_send: net_receive(instance,
//                         args, flag, t) (docs/nmodl.md, "Events")
//   at_time(x)         -> discontinuities(times), for the variable-step engine
//   DERIVATIVE block   -> state_derivatives / state_jacobian_diagonal, for the
//                         variable-step (CVODE) engine, at arbitrary states.
//   USEION             -> type().ions; the group's ion species (per-node e,
//                         concentrations, accumulated currents) reached
//                         through ions_ (bind_ions), see docs/ions-plan.md.
//   diam               -> diam_[node] (bind_diameters), the segment's diameter.
// Point processes (nA) convert their currents to densities with NEURON's
// factor 100/area (area in µm²; zero-area nodes count as 100 µm²).
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
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

// One USEION statement: what a mechanism reads and writes of an ion.
struct ion_use {
    std::string ion;  // "na", "k", "ca", any name
    int valence = 0;  // USEION ... VALENCE z; 0: the built-in ion's (na, k 1; ca 2)
    bool read_e = false, read_ci = false, read_co = false, read_i = false;
    bool write_i = false, write_ci = false, write_co = false;
    // The state holding a written concentration (cadyn's STATE cai), -1 if
    // none: copied into the ion by mechanism::write_concentrations.
    int ci_state = -1, co_state = -1;
    bool writes_concentration() const { return write_ci || write_co; }
};

// Per-node values of one ion species over all nodes of a group (NEURON's
// <ion>_ion mechanism); meaningful at the nodes of mechanisms using it.
struct ion_species {
    std::string name;
    int valence = 1;
    double ci_default = 1, co_default = 1, e_default = 0; // mM, mM, mV
    std::vector<double> e;    // mV, reversal potential
    std::vector<double> ci;   // mM, inside concentration
    std::vector<double> co;   // mM, outside concentration
    std::vector<double> i;    // mA/cm², net outward ion current, accumulated per evaluation
    std::vector<double> didv; // S/cm², its derivative in v, accumulated
    // Nodes where some mechanism uses the ion (sorted): only these are
    // zeroed and corrected per evaluation (the arrays span the group).
    std::vector<std::int32_t> nodes;
    // Nodes where some mechanism writes a concentration: there e follows
    // the concentrations by Nernst (NEURON's ion_style); elsewhere e is a
    // parameter.
    std::vector<std::int32_t> nernst_nodes;
    // Values at initialisation (defaults, or set per region).
    std::vector<double> e_init, ci_init, co_init;
};

// NEURON 8.2's constants (CODATA 2018): h.FARADAY, h.R.
inline constexpr double faraday_C_per_mol = 96485.33212331001;
inline constexpr double gas_constant_J_per_K_mol = 8.31446261815324;
// NEURON's nernst(ci, co, z) at celsius (degC), mV.
double nernst_mV(double ci, double co, int valence, double celsius);

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
    // USEION statements, in the file's order (mechanism::ions_ follows it).
    std::vector<ion_use> ions{};
    // Per state, the factor of CVODE's atol the file gives (NMODL's
    // `STATE { ca (mM) <1e-6> }`, which NEURON multiplies into atol); empty:
    // 1 for every state. A model's atol_scale entry for the state replaces it
    // (as NEURON's cvode.atolscale).
    std::vector<double> state_atol_scale{};
    // NET_RECEIVE's argument names, the first the weight (NEURON's NetCon
    // weight[0], weight[1], ...); empty without NET_RECEIVE.
    std::vector<std::string> event_arguments{};
    // NET_RECEIVE assigns its arguments or has an INITIAL block: every
    // connection onto an instance keeps its arguments in storage of its own
    // between events (also when there are several arguments).
    bool assigns_event_arguments = false;
    // NET_RECEIVE has an INITIAL block (mechanism::net_receive_initial).
    // Without one NEURON sets the arguments after the weight to 0 at every
    // finitialize, so connections cannot give them (extra_weights).
    bool has_net_receive_initial = false;
    bool sends_self_events = false; // net_send: mechanism::take_self_events
    bool emits_spikes = false;      // net_event: mechanism::take_emitted_spikes
    // net_move: moves the instance's pending flag-1 self-event
    // (mechanism::moved_events; ARTIFICIAL_CELL only).
    bool moves_self_events = false;
    // NMODL's ARTIFICIAL_CELL: a cell of its own without membrane (no
    // currents, no states, never placed on a cable cell), run by the
    // artificial cell groups (src/cells/artificial/).
    bool artificial_cell = false;
    // Connections onto this type need per-connection argument storage
    // (the cell groups keep it, indexed by connection).
    bool per_connection_arguments() const {
        return event_arguments.size() > 1 || assigns_event_arguments;
    }

    // Index of a parameter/state/global/observable by name, -1 if there is none.
    int parameter_index(const std::string& n) const;
    int state_index(const std::string& n) const;
    int global_index(const std::string& n) const;
    int observable_index(const std::string& n) const;
    // The ion whose reversal potential `n` names ("ena" -> "na") when the
    // type READs it (USEION na READ ena) and has no parameter of that name;
    // empty otherwise. Painting such a key sets the ion on the painted
    // region (NEURON's `sec.ena = 60`; Ranvier's hh had ena/ek parameters
    // before it used the ions, and model files may still give them).
    std::string reversal_potential_ion(const std::string& n) const;
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
    // CVODE's evaluation (NEURON's _nt->_vcv): a mechanism whose KINETIC block
    // sets a concentration used by its current runs that block's assignments
    // first, as nocmodl's nrn_cur does (docs/nmodl.md).
    bool variable_step = false;
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

    // NET_RECEIVE for one event at `instance`, at time t (ms): `args` are
    // the connection's arguments (args[0] its weight; for types with
    // per_connection_arguments() the connection's own storage, which
    // NET_RECEIVE may assign and which persists; arguments beyond
    // args.size() read 0), `flag` 0 for a connection's event, net_send's
    // flag for a self-event. The default is receive_event(instance, args[0]).
    virtual void net_receive(std::size_t instance, std::span<double> args, double flag, double t) {
        (void)flag;
        (void)t;
        receive_event(instance, args.empty() ? 0.0 : args[0]);
    }
    // NET_RECEIVE's INITIAL block for one connection onto `instance`, run
    // after initialise() (as NEURON's finitialize: INITIAL blocks first).
    virtual void net_receive_initial(std::size_t instance, std::span<double> args) {
        (void)instance;
        (void)args;
    }

    // What net_send asked for: an event back to `instance` at `time` with
    // `flag`, carrying the arguments of the event that sent it (args: the
    // connection's storage; the time stepper sets it null, keeping `weight`
    // = args[0], when the event's arguments were not storage; from INITIAL:
    // null and 0, NEURON gives no arguments there).
    struct self_event {
        double time;   // ms
        std::uint32_t instance;
        double flag;
        double* args;  // null: {weight}
        std::uint32_t nargs;
        double weight;
    };
    // A spike net_event emitted from `instance` at `time` (ms): the cell's spike.
    struct emitted_spike {
        double time;
        std::uint32_t instance;
    };
    // The requests of the calls since the last take (initialise,
    // net_receive); the time stepper queues them. Cleared by the take.
    bool has_requests() const { return !sent_.empty() || !emitted_.empty() || !moved_.empty(); }
    std::vector<self_event>& self_events() { return sent_; }
    std::vector<emitted_spike>& emitted_spikes() { return emitted_; }
    // net_move(time) from `instance` during an event at `now` (ms): its
    // pending flag-1 self-event moves to `time` (NaN when time < now or is
    // not finite: the group reports it). In call order with the other
    // requests: `sent_before` is self_events().size() at the call, so a
    // net_send after a net_move in the same NET_RECEIVE stays after it.
    struct moved_event {
        double time;
        std::uint32_t instance;
        std::uint32_t sent_before;
    };
    std::vector<moved_event>& moved_events() { return moved_; }

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

    // The group's ion species this mechanism uses, one per type().ions entry
    // (set by cable_state_builder::build; the pointers stay valid while the
    // cable_state lives).
    void bind_ions(std::vector<ion_species*> ions) { ions_ = std::move(ions); }
    // The group's node diameters (µm, cable_nodes::diam), what NMODL's `diam`
    // reads at an instance's node; set by cable_state_builder::build.
    void bind_diameters(const double* diam) { diam_ = diam; }
    // Copies concentrations held as states (ion_use::ci_state) from `states`
    // into the ion arrays at the instances' nodes.
    void write_concentrations(state_view states) const;
    bool writes_concentration() const;

    std::size_t state_count() const { return type_.states.size(); }
    state_view own_states() const { return state_ptrs_; }
    state_out own_states_mutable() { return state_ptrs_mut_; }

protected:
    // Called after the layout of data_ changed (instances added).
    void refresh_state_pointers();

    // net_send(delay, flag) at time t / net_event(time) from generated code
    // (see self_events()). A delay that is negative or not finite gives a
    // self-event at NaN, which the time stepper reports as a user error
    // (NEURON stops there too); nothing is thrown from here, since catalogue
    // libraries have their own copy of this code and its exception types.
    void net_send(std::size_t instance, double t, double delay, double flag, std::span<double> args) {
        const bool good = delay >= 0 && delay < std::numeric_limits<double>::infinity();
        sent_.push_back({good ? t + delay : std::numeric_limits<double>::quiet_NaN(),
                         static_cast<std::uint32_t>(instance), flag, args.empty() ? nullptr : args.data(),
                         static_cast<std::uint32_t>(args.size()), args.empty() ? 0.0 : args[0]});
    }
    void net_event(std::size_t instance, double time) {
        emitted_.push_back({time, static_cast<std::uint32_t>(instance)});
    }
    void net_move(std::size_t instance, double now, double time) {
        const bool good = time >= now && time < std::numeric_limits<double>::infinity();
        moved_.push_back({good ? time : std::numeric_limits<double>::quiet_NaN(),
                          static_cast<std::uint32_t>(instance), static_cast<std::uint32_t>(sent_.size())});
    }

    mechanism_type type_;
    mechanism_data data_;
    std::vector<ion_species*> ions_;
    const double* diam_ = nullptr;
    std::vector<self_event> sent_;
    std::vector<emitted_spike> emitted_;
    std::vector<moved_event> moved_;

private:
    std::vector<const double*> state_ptrs_;
    std::vector<double*> state_ptrs_mut_;
};

} // namespace ranvier::cable
