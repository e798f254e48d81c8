// Opt-in: an execution context over an MPI communicator of the caller's
// (needs <mpi.h>; link MPI::MPI_CXX). MPI must be initialised with at least
// MPI_THREAD_SERIALIZED; Ranvier duplicates `comm` and never finalises it.
#pragma once

#include <ranvier/execution_context.hpp>

#include <mpi.h>

namespace ranvier {

execution_context make_mpi_context(MPI_Comm comm, unsigned threads = 0);

} // namespace ranvier
