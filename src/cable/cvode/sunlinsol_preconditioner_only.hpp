// A SUNDIALS linear solver that applies CVODE's preconditioner once and
// nothing else: z = P^-1 r. With an exact preconditioner (here the Hines +
// diagonal block solve of newton_block_solver) this is a direct solver of
// the block-approximated Newton system, without any Krylov iteration and
// without any SUNDIALS library beyond libsundials_cvode (which bundles the
// generic SUNLinearSolver code). CVODE's preconditioner callbacks receive
// y, f(y) and gamma, which a SUNDIALS matrix-based solver would not get.
#pragma once

#include <sundials/sundials_linearsolver.h>

namespace ranvier::cable {

// Caller frees with free_preconditioner_only_solver.
SUNLinearSolver make_preconditioner_only_solver(SUNContext context);
void free_preconditioner_only_solver(SUNLinearSolver solver);

} // namespace ranvier::cable
