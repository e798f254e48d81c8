// Per-cell CVODE integration of a cable cell (see cvode_cell.hpp and
// docs/numerics-variable-step.md): the right-hand side with zero-area nodes
// eliminated, the Newton block solve hooked in as CVODE's preconditioner of
// a one-shot linear solver, stop points, root finding and error reporting.
#include "cable/cvode/cvode_cell.hpp"

#include "cable/cvode/fast_serial_vector.hpp"
#include "cable/cvode/newton_block_solver.hpp"
#include "cable/cvode/sunlinsol_preconditioner_only.hpp"
#include "cable/hines_solver.hpp"
#include "cable/mechanisms/mechanism_catalogue.hpp"

#include <ranvier/errors.hpp>

#include <cvode/cvode.h>
#include <cvode/cvode_ls.h>
#include <nvector/nvector_serial.h>
#include <sundials/sundials_context.h>

#include <algorithm>
#include <limits>
#include <cmath>
#include <queue>
#include <cstdlib>
#include <sstream>

namespace {

// CVodeGetReturnFlagName returns a malloc'ed string that the caller frees.
std::string cvode_flag_name(int flag) {
    char* raw = CVodeGetReturnFlagName(flag);
    std::string name = raw ? raw : "unknown CVODE flag";
    std::free(raw);
    return name;
}

} // namespace

namespace ranvier::cable {
namespace {

constexpr double time_infinity_ms = std::numeric_limits<double>::infinity();
// CVODE has no "clear stop time" in SUNDIALS 6.4: past the last IClamp edge
// the stop time is set this far away instead.
constexpr double max_stop_time_ms = 1e300;
// tout of a CVODE call: bounds the first step after a (re)start to a tenth
// of it (cvHin), so a fixed value keeps steps independent of t_end.
constexpr double first_step_horizon_ms = 100.0;

// An event waiting for its stop point.
struct pending_event {
    double time;          // ms
    // Ties broken as the fixed step's (acts_after, event_origin.hpp):
    // connection events by origin, then scheduling order; self-events
    // (orders from self_event_order) after them.
    std::uint64_t order;
    std::size_t mechanism; // index into the state's mechanisms
    std::size_t instance;
    double weight;        // the mechanism's weight unit (uS for synapses)
    double flag = 0;      // 0, or net_send's flag
    double* args = nullptr; // the connection's NET_RECEIVE argument storage, or null: {weight}
    std::uint32_t nargs = 0;
    event_origin origin{}; // the spike of a connection event
};
struct later_event {
    bool operator()(const pending_event& x, const pending_event& y) const { return acts_after(x, y); }
};

// One mechanism's slice of the state vector: states[k][instance] lives at
// y[offset + k * count + instance].
struct mechanism_slot {
    mechanism* m = nullptr;
    std::size_t offset = 0; // into the state part of y
    std::size_t count = 0;  // instances
    std::vector<const double*> in;
    std::vector<double*> out;
};

std::string hint_for(int flag) {
    switch (flag) {
    case CV_TOO_MUCH_WORK:
        return "raise cvode max_steps, or loosen atol/rtol (the solution may be very stiff or oscillating)";
    case CV_TOO_MUCH_ACC:
        return "the tolerances are below what double precision can give: loosen atol/rtol";
    case CV_ERR_FAILURE:
    case CV_CONV_FAILURE:
    case CV_TOO_CLOSE:
        return "check the cell's parameters for unphysical values (negative conductances, huge "
               "currents), or loosen atol/rtol";
    case CV_RHSFUNC_FAIL:
    case CV_REPTD_RHSFUNC_ERR:
    case CV_UNREC_RHSFUNC_ERR:
    case CV_FIRST_RHSFUNC_ERR:
        return "membrane potentials or states became non-finite: check the cell's parameters and stimuli";
    default:
        return "check the cell's parameters, or loosen atol/rtol / raise max_steps";
    }
}

} // namespace

struct cvode_cell::solver {
    // The cell's state: node arrays (v of every node), mechanisms and their
    // own states, detectors. Written from y by store(), read into y by load().
    // Owned, or borrowed from whoever else advances the cell between
    // restarts (hybrid_cable_cell's fixed-step stepper).
    cable_state owned_state;
    cable_state& state = owned_state;

    solver() = default;
    explicit solver(cable_state& borrowed) : state(borrowed) {}
    // Tree and node arrays of the state.
    std::size_t n = 0;
    const std::int32_t* parent = nullptr;
    const double* a = nullptr;    // mA/cm² per mV (parent's row)
    const double* b = nullptr;    // mA/cm² per mV (own row)
    const double* cm = nullptr;   // µF/cm², 0 at zero-area nodes
    double* v = nullptr;          // mV, every node (the state's buffer)
    std::vector<std::int32_t> membrane_nodes; // nodes with capacitance: the v part of y
    std::vector<double> inv_cm_ms;            // 1e3 / cm per membrane node (mV/ms per mA/cm²)
    std::vector<std::int32_t> algebraic_nodes; // nodes without: eliminated
    std::vector<double> i, g;     // mA/cm², S/cm² per node
    std::vector<double> inflow;   // mA/cm², axial current density into each node
    std::vector<double> pin_a, pin_b, pin_d, pin_rhs; // zero-area balance system (general case)
    // Zero-area nodes whose neighbours all have membrane (NEURON's layout:
    // the root and section ends) are solved each on its own, in closed form.
    struct algebraic_row {
        std::int32_t node;
        std::int32_t seed;  // a membrane neighbour: the linearisation point's v
        double coupling;    // Σ of the axial conductances to the neighbours
        std::uint32_t first, count; // its neighbours in `neighbours`
    };
    std::vector<algebraic_row> algebraic_rows;
    std::vector<std::pair<std::int32_t, double>> neighbours; // (node, conductance)
    bool local_algebraic = true;
    std::vector<mechanism_slot> mechs; // one per mechanism of the state, in its order
    std::vector<state_view> views;     // mechs[k].in, as the state's current evaluation takes them
    std::size_t nv = 0, ns = 0;
    std::vector<std::int32_t> det_node;
    std::vector<std::int32_t> det_y; // index into y, -1 if the node is algebraic
    std::vector<double> det_threshold; // mV
    std::vector<double> scratch;       // a throw-away ydot
    std::vector<double> error_weights; // 1/atol per entry of y, when rtol = 0
    std::vector<int> roots_found;
    newton_block_solver newton;
    std::vector<double*> jac_out;

    std::priority_queue<pending_event, std::vector<pending_event>, later_event> events;
    std::uint64_t event_order = 0;
    std::uint64_t self_order = self_event_order;
    std::vector<cable_state::self_event> sent;      // scratch: requests of one NET_RECEIVE
    std::vector<cable_state::emitted_spike> emitted;
    std::vector<double> edges; // ms, IClamp on/off times
    std::size_t next_edge = 0;
    long reinits = 0;
    long interpolated_restarts = 0;
    long dropped_roots = 0;
    cvode_statistics before_reinit; // counters CVodeReInit reset, summed
    double window = 0;              // ms, event grouping window

    // Where the integrator stands. tn: CVODE's internal time (the end of its
    // last step, >= the committed time). y holds the solution at y_time: tn,
    // or a root inside the last step while `draining` (CVODE still has to
    // look for further roots up to tn before it steps again).
    double tn = 0;
    double y_time = 0;
    bool draining = false;
    std::vector<cable_spike> pending_roots; // crossings not yet committed
    double tstop = -1;                      // stop time given to CVODE (-1: none yet)
    bool synced = true;                     // the state's arrays hold the committed solution
    bool stateless_writers = false;         // cable_state::has_stateless_writers()

    SUNContext context = nullptr;
    N_Vector y = nullptr;
    N_Vector ytmp = nullptr; // interpolated solutions
    void* mem = nullptr;
    SUNLinearSolver ls = nullptr;
    std::string last_message; // CVODE's last error text (its printing is silenced)

    ~solver() {
        if (mem) CVodeFree(&mem);
        free_preconditioner_only_solver(ls);
        if (y) N_VDestroy(y);
        if (ytmp) N_VDestroy(ytmp);
        if (context) SUNContext_Free(&context);
    }

    void bind(const double* y_states, double* out_states) {
        for (auto& s : mechs)
            for (std::size_t k = 0; k < s.in.size(); ++k) {
                s.in[k] = y_states + s.offset + k * s.count;
                if (out_states) s.out[k] = out_states + s.offset + k * s.count;
            }
    }

    // v of the membrane nodes from y; the zero-area nodes start from a
    // membrane neighbour's v, so every result is a function of y alone.
    void set_voltages(const double* yv) {
        for (std::size_t j = 0; j < nv; ++j) v[membrane_nodes[j]] = yv[j];
        for (const algebraic_row& r : algebraic_rows) v[r.node] = r.seed >= 0 ? v[r.seed] : 0.0;
    }

    // i and g at v (membrane part from y) and the bound states.
    void evaluate_currents(double t, const double* yv) {
        set_voltages(yv);
        std::fill(i.begin(), i.end(), 0.0);
        std::fill(g.begin(), g.end(), 0.0);
        state.add_currents(t, i.data(), g.data(), views);
    }

    void compute_inflow() {
        std::fill(inflow.begin(), inflow.end(), 0.0);
        for (std::size_t k = 0; k < n; ++k) {
            const std::int32_t p = parent[k];
            if (p < 0) continue;
            const double dv = v[p] - v[k];
            inflow[k] -= b[k] * dv;
            inflow[static_cast<std::size_t>(p)] += a[k] * dv;
        }
    }

    // Zero-area nodes: 0 = -i(v) + inflow, one Newton step from their last
    // v with the neighbours' v fixed (rows of membrane nodes pinned). Exact
    // for currents linear in v (all point processes here: IClamp, synapses).
    void solve_algebraic() {
        if (algebraic_nodes.empty()) return;
        if (local_algebraic) {
            // 0 = -(i + g (v - v0)) + Σ c (v_j - v): v = v0 + (-i + Σ c (v_j - v0)) / (g + Σ c).
            for (const algebraic_row& r : algebraic_rows) {
                const double v0 = v[r.node];
                double flow = 0;
                for (std::uint32_t k = r.first; k < r.first + r.count; ++k)
                    flow += neighbours[k].second * (v[neighbours[k].first] - v0);
                v[r.node] = v0 + (-i[r.node] + flow) / (g[r.node] + r.coupling);
            }
            return;
        }
        compute_inflow();
        for (std::size_t k = 0; k < n; ++k) {
            pin_d[k] = 1.0;
            pin_rhs[k] = 0.0;
        }
        for (const std::int32_t k : algebraic_nodes) {
            pin_d[k] = g[k];
            pin_rhs[k] = -i[k] + inflow[k];
        }
        for (std::size_t k = 0; k < n; ++k) {
            const std::int32_t p = parent[k];
            if (p < 0) continue;
            pin_d[k] -= cm[k] > 0 ? 0.0 : b[k];
            pin_d[static_cast<std::size_t>(p)] -= cm[p] > 0 ? 0.0 : a[k];
        }
        hines_solve({parent, n}, pin_a, pin_b, pin_d, pin_rhs);
        for (const std::int32_t k : algebraic_nodes) v[k] += pin_rhs[k];
    }

    void rhs(double t, const double* yy, double* ydot) {
        bind(yy + nv, ydot + nv);
        evaluate_currents(t, yy);
        solve_algebraic();
        compute_inflow();
        for (std::size_t j = 0; j < nv; ++j) {
            const auto k = static_cast<std::size_t>(membrane_nodes[j]);
            // cm dv/dt · 1e-3 = -i + inflow (µF/cm² · mV/ms = 1e-3 mA/cm²).
            ydot[j] = (-i[k] + inflow[k]) * inv_cm_ms[j];
        }
        std::fill(ydot + nv, ydot + nv + ns, 0.0);
        for (const auto& s : mechs)
            if (!s.in.empty()) s.m->state_derivatives(v, s.in, s.out);
    }

    // y <- the state's v and mechanism states.
    void load() {
        double* yy = N_VGetArrayPointer(y);
        for (std::size_t j = 0; j < nv; ++j) yy[j] = v[membrane_nodes[j]];
        for (const auto& s : mechs)
            for (std::size_t k = 0; k < s.in.size(); ++k)
                std::copy(s.m->data().states[k].begin(), s.m->data().states[k].end(),
                          yy + nv + s.offset + k * s.count);
    }
    // The state's v (all nodes, zero-area ones solved) and states <- yy at t.
    void store(double t, const double* yy) {
        rhs(t, yy, scratch.data());
        for (const auto& s : mechs)
            for (std::size_t k = 0; k < s.in.size(); ++k)
                std::copy_n(yy + nv + s.offset + k * s.count, s.count, s.m->data().states[k].begin());
    }

    // The solution at time t in [tn - last step, tn] into `out`: y itself
    // when it holds t, otherwise CVODE's interpolating polynomial.
    N_Vector solution_at(double t) {
        if (t == y_time) return y;
        const int flag = CVodeGetDky(mem, t, 0, ytmp);
        if (flag != CV_SUCCESS)
            throw internal_error("cvode_cell: interpolation at t = " + std::to_string(t) +
                                 " ms outside the last step (tn = " + std::to_string(tn) + " ms)");
        return ytmp;
    }

    void add_counters(cvode_statistics& st) const {
        auto add = [&](int (*get)(void*, long*), long& total) {
            long x = 0;
            if (get(mem, &x) == CV_SUCCESS) total += x;
        };
        add(CVodeGetNumSteps, st.steps);
        add(CVodeGetNumRhsEvals, st.rhs_evaluations);
        add(CVodeGetNumLinSolvSetups, st.linear_setups);
        add(CVodeGetNumPrecSolves, st.linear_solves);
        add(CVodeGetNumNonlinSolvIters, st.nonlinear_iterations);
        add(CVodeGetNumErrTestFails, st.error_test_failures);
        add(CVodeGetNumNonlinSolvConvFails, st.convergence_failures);
        add(CVodeGetNumGEvals, st.root_evaluations);
    }
};

namespace {

using solver_t = cvode_cell::solver;

int rhs_callback(realtype t, N_Vector y, N_Vector ydot, void* data) {
    auto& s = *static_cast<solver_t*>(data);
    double* out = N_VGetArrayPointer(ydot);
    try {
        s.rhs(t, N_VGetArrayPointer(y), out);
    } catch (...) {
        return -1; // unrecoverable: never let an exception cross C code
    }
    // Non-finite: recoverable, CVODE retries with a smaller step.
    for (std::size_t k = 0; k < s.nv + s.ns; ++k)
        if (!std::isfinite(out[k])) return 1;
    return 0;
}

int constant_error_weights(N_Vector, N_Vector ewt, void* data) {
    const auto& s = *static_cast<solver_t*>(data);
    std::copy(s.error_weights.begin(), s.error_weights.end(), N_VGetArrayPointer(ewt));
    return 0;
}

int root_callback(realtype t, N_Vector y, realtype* gout, void* data) {
    auto& s = *static_cast<solver_t*>(data);
    const double* yy = N_VGetArrayPointer(y);
    bool need_full = false;
    for (const std::int32_t j : s.det_y) need_full |= j < 0;
    if (need_full) s.rhs(t, yy, s.scratch.data());
    for (std::size_t k = 0; k < s.det_node.size(); ++k) {
        const double vd = s.det_y[k] >= 0 ? yy[s.det_y[k]] : s.v[s.det_node[k]];
        gout[k] = vd - s.det_threshold[k];
    }
    return 0;
}

int precondition_setup(realtype t, N_Vector y, N_Vector, booleantype jok, booleantype* jcur,
                       realtype, void* data) {
    auto& s = *static_cast<solver_t*>(data);
    if (jok) {
        *jcur = SUNFALSE;
        return 0;
    }
    const double* yy = N_VGetArrayPointer(y);
    s.bind(yy + s.nv, nullptr);
    s.evaluate_currents(t, yy);
    std::copy(s.g.begin(), s.g.end(), s.newton.conductance().begin());
    const auto jac = s.newton.state_jacobian();
    std::fill(jac.begin(), jac.end(), 0.0);
    for (auto& m : s.mechs) {
        if (m.in.empty()) continue;
        for (std::size_t k = 0; k < m.in.size(); ++k) s.jac_out[k] = jac.data() + m.offset + k * m.count;
        m.m->state_jacobian_diagonal(s.v, m.in, {s.jac_out.data(), m.in.size()});
    }
    *jcur = SUNTRUE;
    return 0;
}

int precondition_solve(realtype, N_Vector, N_Vector, N_Vector r, N_Vector z, realtype gamma,
                       realtype, int, void* data) {
    auto& s = *static_cast<solver_t*>(data);
    const double* rr = N_VGetArrayPointer(r);
    double* zz = N_VGetArrayPointer(z);
    s.newton.solve(gamma, s.membrane_nodes, rr, rr + s.nv, zz, zz + s.nv);
    return 0;
}

void silent_error_handler(int, const char* module, const char* function, char* message, void* data) {
    auto& s = *static_cast<solver_t*>(data);
    s.last_message = std::string(module ? module : "CVODE") + "." + (function ? function : "?") + ": " +
                     (message ? message : "");
}

} // namespace

cvode_cell::cvode_cell(cable_state initial, std::int64_t gid, const cvode_options& options)
    : gid_(gid), options_(options), solver_(std::make_unique<solver>()) {
    solver_->owned_state = std::move(initial);
    set_up();
}

cvode_cell::cvode_cell(borrowed_state borrowed, std::int64_t gid, const cvode_options& options)
    : gid_(gid), options_(options), solver_(std::make_unique<solver>(borrowed.state)) {
    set_up();
}

void cvode_cell::set_up() {
    const source_location where{"", 0, "cvode (cell gid " + std::to_string(gid_) + ")"};
    solver& s = *solver_;
    cable_state& state = s.state;
    if (state.cell_count() != 1)
        throw user_error(where, "a cvode_cell integrates one cell; the group has " +
                                    std::to_string(state.cell_count()));
    if (!(options_.atol > 0)) throw user_error(where, "atol must be > 0");
    if (!(options_.rtol >= 0)) throw user_error(where, "rtol must be >= 0");
    if (options_.max_order < 1 || options_.max_order > 5) throw user_error(where, "max_order must be in 1..5");
    if (options_.max_steps <= 0) throw user_error(where, "max_steps must be > 0");
    if (!(options_.max_step >= 0)) throw user_error(where, "max_step must be >= 0 ms (0: unlimited)");
    t_ = 0;

    const cable_nodes& nodes = state.nodes();
    s.n = nodes.size();
    s.parent = nodes.parent.data();
    s.a = nodes.a.data();
    s.b = nodes.b.data();
    s.cm = nodes.cm.data();
    s.v = state.voltage_mutable().data();
    std::vector<std::int32_t> y_index(s.n, -1);
    for (std::size_t k = 0; k < s.n; ++k) {
        auto& list = nodes.cm[k] > 0 ? s.membrane_nodes : s.algebraic_nodes;
        if (nodes.cm[k] > 0) y_index[k] = static_cast<std::int32_t>(s.membrane_nodes.size());
        list.push_back(static_cast<std::int32_t>(k));
    }
    s.nv = s.membrane_nodes.size();
    s.stateless_writers = state.has_stateless_writers();
    for (const std::int32_t k : s.membrane_nodes) s.inv_cm_ms.push_back(1e3 / nodes.cm[static_cast<std::size_t>(k)]);
    if (s.nv == 0) throw user_error(where, "the cell has no node with membrane capacitance");
    s.i.assign(s.n, 0.0);
    s.g.assign(s.n, 0.0);
    s.inflow.assign(s.n, 0.0);
    s.pin_d.assign(s.n, 0.0);
    s.pin_rhs.assign(s.n, 0.0);
    s.pin_a.assign(s.n, 0.0);
    s.pin_b.assign(s.n, 0.0);
    for (std::size_t k = 0; k < s.n; ++k) {
        const std::int32_t p = s.parent[k];
        if (p < 0) continue;
        // Row k (b) and row p (a) are pinned when their node has membrane.
        s.pin_b[k] = nodes.cm[k] > 0 ? 0.0 : s.b[k];
        s.pin_a[k] = nodes.cm[static_cast<std::size_t>(p)] > 0 ? 0.0 : s.a[k];
    }
    std::size_t max_states = 0;
    for (std::size_t m = 0; m < state.mechanism_count(); ++m) {
        mechanism& mech = state.mechanism_at(m);
        mechanism_slot slot{&mech, s.ns, mech.size(), {}, {}};
        slot.in.assign(mech.state_count(), nullptr);
        slot.out.assign(mech.state_count(), nullptr);
        s.ns += mech.state_count() * mech.size();
        max_states = std::max(max_states, mech.state_count());
        s.mechs.push_back(std::move(slot));
    }
    for (const mechanism_slot& slot : s.mechs) s.views.emplace_back(slot.in);
    s.jac_out.assign(max_states, nullptr);
    // Zero-area nodes: neighbours and couplings (c_parent = -b[k], c_child = -a[child]).
    {
        std::vector<std::vector<std::pair<std::int32_t, double>>> around(s.n);
        for (std::size_t k = 0; k < s.n; ++k) {
            const std::int32_t p = s.parent[k];
            if (p < 0) continue;
            around[k].push_back({p, -s.b[k]});
            around[static_cast<std::size_t>(p)].push_back({static_cast<std::int32_t>(k), -s.a[k]});
        }
        for (const std::int32_t k : s.algebraic_nodes) {
            solver::algebraic_row row{k, -1, 0.0, static_cast<std::uint32_t>(s.neighbours.size()), 0};
            for (const auto& [j, c] : around[static_cast<std::size_t>(k)]) {
                if (!(nodes.cm[static_cast<std::size_t>(j)] > 0)) s.local_algebraic = false;
                else if (row.seed < 0) row.seed = j;
                row.coupling += c;
                s.neighbours.push_back({j, c});
                ++row.count;
            }
            s.algebraic_rows.push_back(row);
        }
    }
    s.scratch.assign(s.nv + s.ns, 0.0);
    s.newton = newton_block_solver({s.parent, s.n}, {s.a, s.n}, {s.b, s.n}, {s.cm, s.n});
    s.newton.resize_states(s.ns);

    // A detector above threshold in the initial state spikes at t = 0 (the
    // fixed-step stepper's check at t = 0).
    const spike_detectors& det = state.detectors();
    for (std::size_t k = 0; k < det.size(); ++k)
        if (s.v[det.node[k]] > det.threshold[k])
            spikes_.push_back({static_cast<std::int32_t>(k), t_});
    for (std::size_t k = 0; k < det.size(); ++k) {
        s.det_node.push_back(det.node[k]);
        s.det_y.push_back(y_index[static_cast<std::size_t>(det.node[k])]);
        s.det_threshold.push_back(det.threshold[k]);
    }
    s.roots_found.assign(det.size(), 0);

    // Stop points of time-dependent currents (IClamp on at del, off at
    // del + dur; at_time() of translated mechanisms), of every mechanism.
    {
        std::vector<double> times;
        for (std::size_t m = 0; m < state.mechanism_count(); ++m) state.mechanism_at(m).discontinuities(times);
        for (const double e : times)
            if (std::isfinite(e) && e > t_) s.edges.push_back(e);
        std::sort(s.edges.begin(), s.edges.end());
        s.edges.erase(std::unique(s.edges.begin(), s.edges.end()), s.edges.end());
    }

    // Self-events the INITIAL blocks sent (net_send), queued like any later
    // one; spikes they emitted (net_event) are the cell's at t = 0.
    s.sent.clear();
    s.emitted.clear();
    state.take_initial_requests(s.sent, s.emitted);
    take_requests();

    if (SUNContext_Create(nullptr, &s.context) != 0) throw std::bad_alloc();
    s.y = N_VNew_Serial(static_cast<sunindextype>(s.nv + s.ns), s.context);
    s.ytmp = N_VNew_Serial(static_cast<sunindextype>(s.nv + s.ns), s.context);
    s.mem = CVodeCreate(CV_BDF, s.context);
    s.ls = make_preconditioner_only_solver(s.context);
    if (!s.y || !s.ytmp || !s.mem) throw std::bad_alloc();
    use_fast_serial_operations(s.y); // before CVodeInit, which clones y
    use_fast_serial_operations(s.ytmp);
    s.load();
    auto check = [&](int flag, const char* what) {
        if (flag != CV_SUCCESS)
            throw user_error(where, std::string("setting up CVODE failed in ") + what + ": " +
                                        cvode_flag_name(flag) + " " + s.last_message);
    };
    check(CVodeSetErrHandlerFn(s.mem, silent_error_handler, &s), "CVodeSetErrHandlerFn");
    check(CVodeInit(s.mem, rhs_callback, t_, s.y), "CVodeInit");
    check(CVodeSetUserData(s.mem, &s), "CVodeSetUserData");
    if (options_.rtol == 0) {
        // Pure absolute tolerances (NEURON's default): the error weights
        // 1/atol never change, so they are computed once here instead of by
        // CVODE's four vector operations at every step (same values, bit for bit).
        const auto atol_values = tolerance_vector();
        s.error_weights.resize(atol_values.size());
        for (std::size_t k = 0; k < atol_values.size(); ++k) s.error_weights[k] = 1.0 / atol_values[k];
        check(CVodeWFtolerances(s.mem, constant_error_weights), "CVodeWFtolerances");
    } else if (options_.atol_scale.empty() && !has_state_atol_scales()) {
        check(CVodeSStolerances(s.mem, options_.rtol, options_.atol), "CVodeSStolerances");
    } else {
        const auto atol_values = tolerance_vector(); // may throw: before allocating
        N_Vector atol = N_VNew_Serial(static_cast<sunindextype>(s.nv + s.ns), s.context);
        if (!atol) throw std::bad_alloc();
        use_fast_serial_operations(atol);
        std::copy(atol_values.begin(), atol_values.end(), N_VGetArrayPointer(atol));
        const int flag = CVodeSVtolerances(s.mem, options_.rtol, atol); // CVODE keeps a copy
        N_VDestroy(atol);
        check(flag, "CVodeSVtolerances");
    }
    check(CVodeSetMaxOrd(s.mem, options_.max_order), "CVodeSetMaxOrd");
    check(CVodeSetMaxNumSteps(s.mem, options_.max_steps), "CVodeSetMaxNumSteps");
    if (options_.max_step > 0) check(CVodeSetMaxStep(s.mem, options_.max_step), "CVodeSetMaxStep");
    check(CVodeSetLinearSolver(s.mem, s.ls, nullptr), "CVodeSetLinearSolver");
    check(CVodeSetPreconditioner(s.mem, precondition_setup, precondition_solve), "CVodeSetPreconditioner");
    if (!s.det_node.empty()) {
        check(CVodeRootInit(s.mem, static_cast<int>(s.det_node.size()), root_callback), "CVodeRootInit");
        std::vector<int> upward(s.det_node.size(), 1); // upward crossings only
        check(CVodeSetRootDirection(s.mem, upward.data()), "CVodeSetRootDirection");
        check(CVodeSetNoInactiveRootWarn(s.mem), "CVodeSetNoInactiveRootWarn");
    }
    s.window = options_.event_window;
    s.tn = s.y_time = t_;
    s.store(t_, N_VGetArrayPointer(s.y)); // solve the zero-area nodes for the initial state
}

bool cvode_cell::has_state_atol_scales() const {
    for (const auto& m : solver_->mechs)
        if (!m.m->type().state_atol_scale.empty()) return true;
    return false;
}

std::vector<double> cvode_cell::tolerance_vector() const {
    const solver& s = *solver_;
    std::vector<double> atol(s.nv + s.ns, options_.atol);
    // The mechanisms' own per-state factors first (the .mod file's <tol>),
    // then the options' atol_scale entries, which replace them.
    for (const auto& m : s.mechs) {
        const auto& scales = m.m->type().state_atol_scale;
        for (std::size_t k = 0; k < scales.size() && k < m.in.size(); ++k)
            std::fill_n(atol.begin() + static_cast<std::ptrdiff_t>(s.nv + m.offset + k * m.count), m.count,
                        options_.atol * scales[k]);
    }
    // The one check of an entry (the simulation and the model file make it
    // too), then only the entry's place in y.
    const mechanism_catalogue& catalogue = catalogue_of(options_.mechanisms);
    for (const auto& [name, factor] : options_.atol_scale) {
        const std::string problem = atol_scale_problem(catalogue, name, factor);
        if (!problem.empty()) throw user_error(source_location{"", 0, "atol_scale"}, problem);
        if (name == "v") {
            std::fill_n(atol.begin(), s.nv, options_.atol * factor);
            continue;
        }
        // A mechanism this cell does not have: the scale is for other cells.
        const auto dot = name.find('.');
        const std::string mech_name = name.substr(0, dot);
        const std::string state_name = name.substr(dot + 1); // checked: "<mechanism>.<state>"
        const mechanism_slot* slot = nullptr;
        for (const auto& m : s.mechs)
            if (m.m->type().name == mech_name) slot = &m;
        if (!slot) continue;
        const int k = slot->m->type().state_index(state_name);
        if (k < 0)
            throw internal_error("cvode_cell (cell gid " + std::to_string(gid_) + "): the cell's " +
                                 mech_name + " has no state '" + state_name +
                                 "', which the catalogue's " + mech_name + " has");
        std::fill_n(atol.begin() + static_cast<std::ptrdiff_t>(s.nv + slot->offset +
                                                               static_cast<std::size_t>(k) * slot->count),
                    slot->count, options_.atol * factor);
    }
    return atol;
}

cvode_cell::~cvode_cell() = default;
cvode_cell::cvode_cell(cvode_cell&&) noexcept = default;
cvode_cell& cvode_cell::operator=(cvode_cell&&) noexcept = default;

cvode_cell::event_target cvode_cell::resolve_target(const std::string& mechanism_name,
                                                    std::size_t instance) {
    const source_location where{"", 0, "event for cell gid " + std::to_string(gid_)};
    const cable_state& state = solver_->state;
    for (std::size_t m = 0; m < state.mechanism_count(); ++m) {
        const mechanism& mech = state.mechanism_at(m);
        if (mech.type().name != mechanism_name) continue;
        if (!mech.type().receives_events) throw user_error(where, mechanism_name + " receives no events");
        if (instance >= mech.size())
            throw user_error(where, mechanism_name + " has " + std::to_string(mech.size()) +
                                        " instances, not instance " + std::to_string(instance));
        return {m, instance};
    }
    throw user_error(where, "the cell has no " + mechanism_name);
}

void cvode_cell::schedule_event(event_target target, double time, double weight, const event_origin& origin) {
    schedule_event(target, time, weight, nullptr, 0, origin);
}

void cvode_cell::schedule_event(event_target target, double time, double weight, double* args,
                                std::uint32_t nargs, const event_origin& origin) {
    if (!(time >= t_))
        throw user_error(source_location{"", 0, "event for cell gid " + std::to_string(gid_)},
                         "event time " + std::to_string(time) + " ms is before the cell's time " +
                             std::to_string(t_) + " ms");
    solver_->events.push(
        {time, solver_->event_order++, target.mechanism, target.instance, weight, 0.0, args, nargs, origin});
}

void cvode_cell::take_requests() {
    solver& s = *solver_;
    // A self-event's time is the sending event's time plus its delay (>= 0
    // as net_send requires): never before the committed time.
    for (const cable_state::self_event& e : s.sent)
        s.events.push({e.time, s.self_order++, static_cast<std::size_t>(e.mechanism),
                       static_cast<std::size_t>(e.instance), e.weight, e.flag, e.args, e.nargs});
    s.sent.clear();
    for (const cable_state::emitted_spike& e : s.emitted) spikes_.push_back({0, e.time});
    s.emitted.clear();
}

void cvode_cell::advance_to(double t_end) {
    solver& s = *solver_;
    const source_location who{"", 0, "cell gid " + std::to_string(gid_)};
    auto fail = [&](int flag, double t_now) {
        std::ostringstream os;
        os << "CVODE failed at t = " << t_now << " ms: " << cvode_flag_name(flag);
        if (!s.last_message.empty()) os << " (" << s.last_message << ")";
        os << "; atol = " << options_.atol << ", rtol = " << options_.rtol << ". Hint: " << hint_for(flag);
        throw user_error(who, os.str());
    };
    if (!(t_end >= t_))
        throw user_error(who, "cannot integrate back to " + std::to_string(t_end) + " ms from " +
                                  std::to_string(t_) + " ms");
    // Spikes at or before `t` (inclusive) or before it (exclusive) become final.
    auto commit_roots = [&](double t, bool inclusive) {
        std::size_t kept = 0;
        for (const cable_spike& r : s.pending_roots) {
            if (r.time < t || (inclusive && r.time == t)) spikes_.push_back(r);
            else s.pending_roots[kept++] = r;
        }
        s.pending_roots.resize(kept);
    };
    long steps = 0;
    for (;;) {
        if (s.draining) {
            // After a root, CVODE first reports further roots up to tn, then tn.
            realtype t_ret = s.tn;
            const int flag = CVode(s.mem, s.tn, s.y, &t_ret, CV_ONE_STEP);
            if (flag < 0) fail(flag, s.tn);
            s.y_time = t_ret;
            if (flag == CV_ROOT_RETURN) {
                CVodeGetRootInfo(s.mem, s.roots_found.data());
                for (std::size_t k = 0; k < s.roots_found.size(); ++k)
                    if (s.roots_found[k] > 0) s.pending_roots.push_back({static_cast<std::int32_t>(k), t_ret});
            } else {
                s.draining = false;
            }
            continue;
        }
        // The next discontinuity: an IClamp edge, or the time the earliest
        // pending event (with its window) acts at.
        const double group_end = s.events.empty() ? time_infinity_ms : s.events.top().time + s.window;
        double tau = group_end;
        if (s.next_edge < s.edges.size()) tau = std::min(tau, s.edges[s.next_edge]);
        // Apply it once the integrator has reached it and every event up to it
        // is known (all before t_end are).
        if (tau <= s.tn && tau < t_end) {
            commit_roots(tau, true); // crossings after tau belong to a superseded solution
            s.dropped_roots += static_cast<long>(s.pending_roots.size());
            s.pending_roots.clear();
            if (tau < s.tn) ++s.interpolated_restarts;
            const N_Vector at_tau = s.solution_at(tau);
            if (at_tau != s.y) N_VScale(1.0, at_tau, s.y);
            while (s.next_edge < s.edges.size() && s.edges[s.next_edge] <= tau) ++s.next_edge;
            // The event group acts at its window's end, not at an edge inside it.
            if (group_end <= tau) {
                s.store(tau, N_VGetArrayPointer(s.y)); // the mechanisms' own states <- y
                // A self-event sent here that falls inside the group acts in it
                // too; a later one is a stop point of its own (the loop above).
                while (!s.events.empty() && s.events.top().time <= group_end) {
                    const pending_event e = s.events.top();
                    s.events.pop();
                    s.state.net_receive(e.mechanism, e.instance, e.args, e.nargs, e.weight, e.flag, tau, s.sent,
                                        s.emitted);
                    if (!s.sent.empty() || !s.emitted.empty()) take_requests();
                }
                s.load();
            }
            s.add_counters(s.before_reinit);
            if (const int flag = CVodeReInit(s.mem, tau, s.y); flag != CV_SUCCESS) fail(flag, tau);
            ++s.reinits;
            s.tn = s.y_time = t_ = tau;
            s.synced = false;
            continue;
        }
        commit_roots(t_end, false);
        if (s.tn >= t_end) break;

        // One step of CVODE's own choosing; only IClamp edges bound it.
        if (++steps > options_.max_steps) fail(CV_TOO_MUCH_WORK, s.tn);
        const double stop =
            s.next_edge < s.edges.size() ? s.edges[s.next_edge] : max_stop_time_ms;
        if (stop != s.tstop) {
            if (const int flag = CVodeSetStopTime(s.mem, stop); flag != CV_SUCCESS) fail(flag, s.tn);
            s.tstop = stop;
        }
        if (s.stateless_writers) {
            // NEURON's Cvode::do_nonode before each step: the model at the
            // current solution (currents, so ion currents, of y), then the
            // concentrations computed outside the ODEs (cable_state).
            s.store(s.y_time, N_VGetArrayPointer(s.y));
            s.state.advance_stateless_writers(s.v);
        }
        // tout only tells CVODE the direction and bounds its first step after
        // a (re)start: a fixed distance, so it never depends on t_end.
        realtype t_ret = s.tn;
        const int flag = CVode(s.mem, std::min(stop, s.tn + first_step_horizon_ms), s.y, &t_ret,
                               CV_ONE_STEP);
        if (flag < 0) fail(flag, s.tn);
        CVodeGetCurrentTime(s.mem, &s.tn);
        // At a stop time CVODE's tn may fall short of it by round-off; y is
        // the solution at the stop time itself, where the edge must act.
        if (flag == CV_TSTOP_RETURN) s.tn = t_ret;
        s.y_time = t_ret;
        if (flag == CV_ROOT_RETURN) {
            CVodeGetRootInfo(s.mem, s.roots_found.data());
            for (std::size_t k = 0; k < s.roots_found.size(); ++k)
                if (s.roots_found[k] > 0) s.pending_roots.push_back({static_cast<std::int32_t>(k), t_ret});
            s.draining = t_ret < s.tn;
        }
    }
    t_ = t_end;
    s.synced = false;
}

void cvode_cell::restart_from_state(double t) {
    solver& s = *solver_;
    const source_location who{"", 0, "cell gid " + std::to_string(gid_)};
    if (!(t >= t_))
        throw internal_error("cvode_cell::restart_from_state: t = " + std::to_string(t) +
                             " ms is before the cell's time " + std::to_string(t_) + " ms");
    if (!s.events.empty() && s.events.top().time < t)
        throw internal_error("cvode_cell::restart_from_state: an event at " +
                             std::to_string(s.events.top().time) + " ms was left behind");
    s.load();
    s.add_counters(s.before_reinit);
    if (const int flag = CVodeReInit(s.mem, t, s.y); flag != CV_SUCCESS)
        throw user_error(who, "CVODE could not restart at t = " + std::to_string(t) +
                                  " ms: " + cvode_flag_name(flag) + " " + s.last_message);
    ++s.reinits;
    // Whatever the integrator found beyond its committed time belonged to the
    // solution just replaced.
    s.pending_roots.clear();
    s.draining = false;
    while (s.next_edge < s.edges.size() && s.edges[s.next_edge] <= t) ++s.next_edge;
    s.tn = s.y_time = t_ = t;
    s.store(t, N_VGetArrayPointer(s.y)); // zero-area nodes solved for the new state
    s.synced = true;
}

std::span<const double> cvode_cell::voltage() const {
    sync();
    return solver_->state.voltage();
}

cable_state& cvode_cell::state() {
    sync();
    return solver_->state;
}

void cvode_cell::sync() const {
    solver& s = *solver_;
    if (s.synced) return;
    s.store(t_, N_VGetArrayPointer(s.solution_at(t_)));
    s.synced = true;
}

cvode_statistics cvode_cell::statistics() const {
    const solver& s = *solver_;
    cvode_statistics st = s.before_reinit;
    s.add_counters(st);
    st.reinits = s.reinits;
    st.interpolated_restarts = s.interpolated_restarts;
    st.dropped_roots = s.dropped_roots;
    CVodeGetLastOrder(s.mem, &st.last_order);
    CVodeGetLastStep(s.mem, &st.last_step);
    return st;
}

} // namespace ranvier::cable
