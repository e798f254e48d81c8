// Per-cell CVODE integration of a cable cell (see cvode_cell.hpp and
// docs/numerics-variable-step.md): the right-hand side with zero-area nodes
// eliminated, the Newton block solve hooked in as CVODE's preconditioner of
// a one-shot linear solver, stop points, root finding and error reporting.
#include "cable/cvode/cvode_cell.hpp"

#include "cable/cvode/newton_block_solver.hpp"
#include "cable/cvode/sunlinsol_preconditioner_only.hpp"
#include "cable/hines_solver.hpp"

#include <ranvier/errors.hpp>

#include <cvode/cvode.h>
#include <cvode/cvode_ls.h>
#include <nvector/nvector_serial.h>
#include <sundials/sundials_context.h>

#include <algorithm>
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

// An event waiting for its stop point.
struct pending_event {
    double time;          // ms
    std::uint64_t order;  // ties broken by scheduling order
    std::size_t mechanism; // index into the group's mechanisms
    std::size_t instance;
    double weight;        // the mechanism's weight unit (uS for synapses)
};
struct later_event {
    bool operator()(const pending_event& x, const pending_event& y) const {
        return x.time != y.time ? x.time > y.time : x.order > y.order;
    }
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
    // Tree and node arrays of the group (their buffers survive moves of the group).
    std::size_t n = 0;
    const std::int32_t* parent = nullptr;
    const double* a = nullptr;    // mA/cm² per mV (parent's row)
    const double* b = nullptr;    // mA/cm² per mV (own row)
    const double* cm = nullptr;   // µF/cm², 0 at zero-area nodes
    const double* area = nullptr; // µm²
    double* v = nullptr;          // mV, every node (the group's buffer)
    std::vector<std::int32_t> membrane_nodes; // nodes with capacitance: the v part of y
    std::vector<std::int32_t> algebraic_nodes; // nodes without: eliminated
    std::vector<double> i, g;     // mA/cm², S/cm² per node
    std::vector<double> inflow;   // mA/cm², axial current density into each node
    std::vector<double> pin_a, pin_b, pin_d, pin_rhs; // zero-area balance system
    std::vector<mechanism_slot> mechs;
    std::size_t nv = 0, ns = 0;
    std::vector<std::int32_t> det_node;
    std::vector<std::int32_t> det_y; // index into y, -1 if the node is algebraic
    std::vector<double> det_threshold; // mV
    std::vector<double> scratch;       // a throw-away ydot
    std::vector<int> roots_found;
    newton_block_solver newton;
    std::vector<double*> jac_out;

    std::priority_queue<pending_event, std::vector<pending_event>, later_event> events;
    std::uint64_t event_order = 0;
    std::vector<double> edges; // ms, IClamp on/off times
    std::size_t next_edge = 0;
    long reinits = 0;
    cvode_statistics before_reinit; // counters CVodeReInit reset, summed

    SUNContext context = nullptr;
    N_Vector y = nullptr;
    void* mem = nullptr;
    SUNLinearSolver ls = nullptr;
    std::string last_message; // CVODE's last error text (its printing is silenced)

    ~solver() {
        if (mem) CVodeFree(&mem);
        free_preconditioner_only_solver(ls);
        if (y) N_VDestroy(y);
        if (context) SUNContext_Free(&context);
    }

    void bind(const double* y_states, double* out_states) {
        for (auto& s : mechs)
            for (std::size_t k = 0; k < s.in.size(); ++k) {
                s.in[k] = y_states + s.offset + k * s.count;
                if (out_states) s.out[k] = out_states + s.offset + k * s.count;
            }
    }

    // i and g at v (membrane part from y) and the bound states.
    void evaluate_currents(double t, const double* yv) {
        for (std::size_t j = 0; j < nv; ++j) v[membrane_nodes[j]] = yv[j];
        std::fill(i.begin(), i.end(), 0.0);
        std::fill(g.begin(), g.end(), 0.0);
        const current_context ctx{v, area, i.data(), g.data(), t};
        for (const auto& s : mechs) s.m->current(ctx, s.in);
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
            ydot[j] = 1e3 * (-i[k] + inflow[k]) / cm[k];
        }
        std::fill(ydot + nv, ydot + nv + ns, 0.0);
        for (const auto& s : mechs)
            if (!s.in.empty()) s.m->state_derivatives(v, s.in, s.out);
    }

    // y <- the group's v and mechanism states.
    void load() {
        double* yy = N_VGetArrayPointer(y);
        for (std::size_t j = 0; j < nv; ++j) yy[j] = v[membrane_nodes[j]];
        for (const auto& s : mechs)
            for (std::size_t k = 0; k < s.in.size(); ++k)
                std::copy(s.m->data().states[k].begin(), s.m->data().states[k].end(),
                          yy + nv + s.offset + k * s.count);
    }
    // The group's v (all nodes, zero-area ones solved) and states <- y at t.
    void store(double t) {
        const double* yy = N_VGetArrayPointer(y);
        rhs(t, yy, scratch.data());
        for (const auto& s : mechs)
            for (std::size_t k = 0; k < s.in.size(); ++k)
                std::copy_n(yy + nv + s.offset + k * s.count, s.count, s.m->data().states[k].begin());
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

cvode_cell::cvode_cell(cable_group group, std::int64_t gid, const cvode_options& options)
    : group_(std::move(group)), gid_(gid), options_(options), solver_(std::make_unique<solver>()) {
    const source_location where{"", 0, "cvode (cell gid " + std::to_string(gid) + ")"};
    if (group_.cell_count() != 1)
        throw user_error(where, "a cvode_cell integrates one cell; the group has " +
                                    std::to_string(group_.cell_count()));
    if (!(options_.atol > 0)) throw user_error(where, "atol must be > 0");
    if (!(options_.rtol >= 0)) throw user_error(where, "rtol must be >= 0");
    if (options_.max_order < 1 || options_.max_order > 5) throw user_error(where, "max_order must be in 1..5");
    if (options_.max_steps <= 0) throw user_error(where, "max_steps must be > 0");
    if (!(options_.max_step >= 0)) throw user_error(where, "max_step must be >= 0 ms (0: unlimited)");
    t_ = group_.time();
    spikes_.assign(group_.spikes().begin(), group_.spikes().end()); // spikes at initialise()

    solver& s = *solver_;
    const cable_nodes& nodes = group_.nodes();
    s.n = nodes.size();
    s.parent = nodes.parent.data();
    s.a = nodes.a.data();
    s.b = nodes.b.data();
    s.cm = nodes.cm.data();
    s.area = nodes.area.data();
    s.v = group_.voltage_mutable().data();
    std::vector<std::int32_t> y_index(s.n, -1);
    for (std::size_t k = 0; k < s.n; ++k) {
        auto& list = nodes.cm[k] > 0 ? s.membrane_nodes : s.algebraic_nodes;
        if (nodes.cm[k] > 0) y_index[k] = static_cast<std::int32_t>(s.membrane_nodes.size());
        list.push_back(static_cast<std::int32_t>(k));
    }
    s.nv = s.membrane_nodes.size();
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
    for (std::size_t m = 0; m < group_.mechanism_count(); ++m) {
        mechanism& mech = group_.mechanism_at(m);
        mechanism_slot slot{&mech, s.ns, mech.size(), {}, {}};
        slot.in.assign(mech.state_count(), nullptr);
        slot.out.assign(mech.state_count(), nullptr);
        s.ns += mech.state_count() * mech.size();
        max_states = std::max(max_states, mech.state_count());
        s.mechs.push_back(std::move(slot));
    }
    s.jac_out.assign(max_states, nullptr);
    s.scratch.assign(s.nv + s.ns, 0.0);
    s.newton = newton_block_solver({s.parent, s.n}, {s.a, s.n}, {s.b, s.n}, {s.cm, s.n});
    s.newton.resize_states(s.ns);

    const spike_detectors& det = group_.detectors();
    for (std::size_t k = 0; k < det.size(); ++k) {
        s.det_node.push_back(det.node[k]);
        s.det_y.push_back(y_index[static_cast<std::size_t>(det.node[k])]);
        s.det_threshold.push_back(det.threshold[k]);
    }
    s.roots_found.assign(det.size(), 0);

    // Stop points of time-dependent currents: IClamp on at del, off at del + dur.
    if (mechanism* clamp = group_.find_mechanism("IClamp")) {
        const int del = clamp->type().parameter_index("del");
        const int dur = clamp->type().parameter_index("dur");
        for (std::size_t k = 0; k < clamp->size(); ++k) {
            const double on = clamp->data().parameters[static_cast<std::size_t>(del)][k];
            const double off = on + clamp->data().parameters[static_cast<std::size_t>(dur)][k];
            for (const double e : {on, off})
                if (std::isfinite(e) && e > t_) s.edges.push_back(e);
        }
        std::sort(s.edges.begin(), s.edges.end());
        s.edges.erase(std::unique(s.edges.begin(), s.edges.end()), s.edges.end());
    }

    if (SUNContext_Create(nullptr, &s.context) != 0) throw std::bad_alloc();
    s.y = N_VNew_Serial(static_cast<sunindextype>(s.nv + s.ns), s.context);
    s.mem = CVodeCreate(CV_BDF, s.context);
    s.ls = make_preconditioner_only_solver(s.context);
    if (!s.y || !s.mem) throw std::bad_alloc();
    s.load();
    auto check = [&](int flag, const char* what) {
        if (flag != CV_SUCCESS)
            throw user_error(where, std::string("setting up CVODE failed in ") + what + ": " +
                                        cvode_flag_name(flag) + " " + s.last_message);
    };
    check(CVodeSetErrHandlerFn(s.mem, silent_error_handler, &s), "CVodeSetErrHandlerFn");
    check(CVodeInit(s.mem, rhs_callback, t_, s.y), "CVodeInit");
    check(CVodeSetUserData(s.mem, &s), "CVodeSetUserData");
    check(CVodeSStolerances(s.mem, options_.rtol, options_.atol), "CVodeSStolerances");
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
    s.store(t_); // solve the zero-area nodes for the initial state
}

cvode_cell::~cvode_cell() = default;
cvode_cell::cvode_cell(cvode_cell&&) noexcept = default;
cvode_cell& cvode_cell::operator=(cvode_cell&&) noexcept = default;

void cvode_cell::schedule_event(const std::string& mechanism_name, std::size_t instance, double time,
                                double weight) {
    const source_location where{"", 0, "event for cell gid " + std::to_string(gid_)};
    if (!(time >= t_))
        throw user_error(where, "event time " + std::to_string(time) + " ms is before the cell's time " +
                                    std::to_string(t_) + " ms");
    for (std::size_t m = 0; m < group_.mechanism_count(); ++m) {
        const mechanism& mech = group_.mechanism_at(m);
        if (mech.type().name != mechanism_name) continue;
        if (!mech.type().receives_events) throw user_error(where, mechanism_name + " receives no events");
        if (instance >= mech.size())
            throw user_error(where, mechanism_name + " has " + std::to_string(mech.size()) +
                                        " instances, not instance " + std::to_string(instance));
        solver_->events.push({time, solver_->event_order++, m, instance, weight});
        return;
    }
    throw user_error(where, "the cell has no " + mechanism_name);
}

void cvode_cell::advance_to(double t_end) {
    solver& s = *solver_;
    auto fail = [&](int flag) {
        double t_now = t_;
        CVodeGetCurrentTime(s.mem, &t_now);
        std::ostringstream os;
        os << "CVODE failed at t = " << t_now << " ms: " << cvode_flag_name(flag);
        if (!s.last_message.empty()) os << " (" << s.last_message << ")";
        os << "; atol = " << options_.atol << ", rtol = " << options_.rtol << ". Hint: " << hint_for(flag);
        throw user_error(source_location{"", 0, "cell gid " + std::to_string(gid_)}, os.str());
    };
    if (!(t_end >= t_))
        throw user_error(source_location{"", 0, "cell gid " + std::to_string(gid_)},
                         "cannot integrate back to " + std::to_string(t_end) + " ms from " + std::to_string(t_) + " ms");
    for (;;) {
        // Discontinuities due now: apply them and restart CVODE at t_.
        bool restart = false;
        while (s.next_edge < s.edges.size() && s.edges[s.next_edge] <= t_) {
            ++s.next_edge;
            restart = true;
        }
        if (!s.events.empty() && s.events.top().time <= t_) {
            s.store(t_); // the mechanisms' own states <- y
            while (!s.events.empty() && s.events.top().time <= t_) {
                const pending_event e = s.events.top();
                s.events.pop();
                group_.mechanism_at(e.mechanism).receive_event(e.instance, e.weight);
            }
            s.load();
            restart = true;
        }
        if (restart) {
            s.add_counters(s.before_reinit);
            const int flag = CVodeReInit(s.mem, t_, s.y);
            if (flag != CV_SUCCESS) fail(flag);
            ++s.reinits;
        }
        if (t_ >= t_end) break;

        double stop = t_end;
        if (!s.events.empty()) stop = std::min(stop, s.events.top().time);
        if (s.next_edge < s.edges.size()) stop = std::min(stop, s.edges[s.next_edge]);
        if (const int flag = CVodeSetStopTime(s.mem, stop); flag != CV_SUCCESS) fail(flag);
        realtype t_ret = t_;
        const int flag = CVode(s.mem, stop, s.y, &t_ret, CV_NORMAL);
        if (flag < 0) fail(flag);
        if (flag == CV_ROOT_RETURN) {
            CVodeGetRootInfo(s.mem, s.roots_found.data());
            for (std::size_t k = 0; k < s.roots_found.size(); ++k)
                if (s.roots_found[k] > 0) spikes_.push_back({static_cast<std::int32_t>(k), t_ret});
            t_ = t_ret;
            continue;
        }
        t_ = stop; // CV_TSTOP_RETURN / CV_SUCCESS: y is at the stop point
    }
    s.store(t_);
}

cvode_statistics cvode_cell::statistics() const {
    const solver& s = *solver_;
    cvode_statistics st = s.before_reinit;
    s.add_counters(st);
    st.reinits = s.reinits;
    CVodeGetLastOrder(s.mem, &st.last_order);
    CVodeGetLastStep(s.mem, &st.last_step);
    return st;
}

} // namespace ranvier::cable
