// SUNLinearSolver "apply the preconditioner" (see sunlinsol_preconditioner_only.hpp).
#include "cable/cvode/sunlinsol_preconditioner_only.hpp"

#include <sundials/sundials_iterative.h>

#include <new>

namespace ranvier::cable {
namespace {

// What CVODE's linear-solver interface hands the solver.
struct preconditioner_link {
    void* data = nullptr;            // CVODE memory, passed back to the callbacks
    SUNPSetupFn setup = nullptr;     // calls the user's preconditioner setup
    SUNPSolveFn solve = nullptr;     // calls the user's preconditioner solve
};

preconditioner_link& link_of(SUNLinearSolver s) { return *static_cast<preconditioner_link*>(s->content); }

// ITERATIVE: the only type for which CVODE passes a preconditioner (and gamma).
SUNLinearSolver_Type get_type(SUNLinearSolver) { return SUNLINEARSOLVER_ITERATIVE; }
SUNLinearSolver_ID get_id(SUNLinearSolver) { return SUNLINEARSOLVER_CUSTOM; }
// CVODE insists that an iterative solver accepts a matrix-vector product;
// an exact solve never needs one.
int set_atimes(SUNLinearSolver, void*, SUNATimesFn) { return SUNLS_SUCCESS; }
int set_preconditioner(SUNLinearSolver s, void* data, SUNPSetupFn setup, SUNPSolveFn solve) {
    link_of(s) = {data, setup, solve};
    return SUNLS_SUCCESS;
}
int initialize(SUNLinearSolver) { return SUNLS_SUCCESS; }
int setup(SUNLinearSolver s, SUNMatrix) {
    const auto& l = link_of(s);
    if (!l.setup) return SUNLS_SUCCESS;
    return l.setup(l.data) == 0 ? SUNLS_SUCCESS : SUNLS_PSET_FAIL_REC;
}
int solve(SUNLinearSolver s, SUNMatrix, N_Vector x, N_Vector b, realtype tol) {
    const auto& l = link_of(s);
    if (!l.solve) return SUNLS_PSOLVE_FAIL_UNREC;
    const int flag = l.solve(l.data, b, x, tol, SUN_PREC_LEFT);
    if (flag == 0) return SUNLS_SUCCESS;
    return flag > 0 ? SUNLS_PSOLVE_FAIL_REC : SUNLS_PSOLVE_FAIL_UNREC;
}
int num_iters(SUNLinearSolver) { return 1; }
realtype res_norm(SUNLinearSolver) { return 0; }
sunindextype last_flag(SUNLinearSolver) { return 0; }

} // namespace

SUNLinearSolver make_preconditioner_only_solver(SUNContext context) {
    SUNLinearSolver s = SUNLinSolNewEmpty(context);
    if (!s) throw std::bad_alloc();
    s->content = new preconditioner_link{};
    s->ops->gettype = get_type;
    s->ops->getid = get_id;
    s->ops->setatimes = set_atimes;
    s->ops->setpreconditioner = set_preconditioner;
    s->ops->initialize = initialize;
    s->ops->setup = setup;
    s->ops->solve = solve;
    s->ops->numiters = num_iters;
    s->ops->resnorm = res_norm;
    s->ops->lastflag = last_flag;
    return s;
}

void free_preconditioner_only_solver(SUNLinearSolver s) {
    if (!s) return;
    delete static_cast<preconditioner_link*>(s->content);
    s->content = nullptr;
    SUNLinSolFreeEmpty(s);
}

} // namespace ranvier::cable
