// Compiled replacements for the arithmetic of SUNDIALS' serial N_Vector.
//
// Why: Debian's libsundials 6.4.1 is built without optimisation (its
// N_VWSqrSumLocal_Serial keeps every intermediate on the stack), and with
// per-cell vectors of ~100 entries CVODE's vector arithmetic was over half of
// a variable-step run. The vectors stay ordinary serial vectors (same content,
// N_VGetArrayPointer works); only their operation table points here. Clones
// copy the table, so setting it on the vector given to CVodeInit covers every
// vector CVODE and its linear solver create. Results agree with the library's
// to rounding (reductions use four partial sums), and are deterministic.
#pragma once

#include <sundials/sundials_nvector.h>

namespace ranvier::cable {

// Points v's arithmetic, reductions, fused and vector-array operations at
// the implementations in fast_serial_vector.cpp. v must be a serial vector.
void use_fast_serial_operations(N_Vector v);

} // namespace ranvier::cable
