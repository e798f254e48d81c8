// What the process was started by. This build has no MPI: a run started by
// mpirun (or mpiexec) with several processes would have every process
// simulate the whole network into the same output folder. The simulation
// refuses that with a clear message instead.
#pragma once

#include <string>

namespace ranvier {

// The number of processes the launcher says this run has (the environment
// variables Open MPI's mpirun and MPICH/Hydra's mpiexec set), 1 when started
// directly.
long launched_processes();

// Throws user_error when launched_processes() > 1, naming the count, the
// variable that says so, and what to do instead.
void check_single_process_launch();

} // namespace ranvier
