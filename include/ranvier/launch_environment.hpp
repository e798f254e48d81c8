// What the process was started by. A run started by mpirun (or mpiexec) with
// several processes must run as one distributed simulation
// (execution_context.hpp); a build without MPI, or a simulation given a
// single-process context, would have every process simulate the whole
// network into the same output folder, and refuses with a clear message.
#pragma once

#include <string>

namespace ranvier {

// The number of processes the launcher says this run has (the environment
// variables Open MPI's mpirun and MPICH/Hydra's mpiexec set), 1 when started
// directly.
long launched_processes();

// The launcher's variable that says so, as "OMPI_COMM_WORLD_SIZE=4"; empty
// when started directly.
std::string launcher_setting();

// Throws user_error when launched_processes() > 1, naming the count, the
// variable that says so, and what to do instead.
void check_single_process_launch();

} // namespace ranvier
