// Where a simulation runs (as Arbor's execution context): how many worker
// threads each process uses and which processes share the network. The
// default is this process alone; under mpirun, make_launch_context() gives
// one context over every process of the launch (MPI_COMM_WORLD). No MPI
// header is needed here: include <ranvier/mpi.hpp> (opt-in) to build a
// context over a communicator of your own.
#pragma once

#include <memory>
#include <string>

namespace ranvier {

class communicator; // src/comm/communicator.hpp (the engine's)

struct execution_context {
    // Worker threads per process; 0: simulation_options::threads.
    unsigned threads = 0;
    // The processes sharing the network; null: this process alone.
    std::shared_ptr<communicator> comm;
    // True when `comm` is a pretend world (make_dry_run_context): this one
    // process plays one rank of it and writes the output whatever rank.
    bool dry_run = false;

    int rank() const; // this process, 0 .. size() - 1
    int size() const; // number of processes
};

// This process alone (what simulation(recipe, options) uses).
execution_context make_local_context(unsigned threads = 0);

// A dry run (docs/scaling.md): this process alone plays rank `rank` of a
// world of `processes`, builds only that rank's share of the network, and
// models the other ranks as copies of it (shifted by their gid offsets: valid
// for statistically homogeneous networks only). The run's statistics then
// hold what the rank would send and receive (run_statistics::dry_run). No MPI
// is needed. Throws user_error for processes < 1 or rank outside 0 ..
// processes - 1.
execution_context make_dry_run_context(int processes, int rank = 0, unsigned threads = 0);

// True when this build has MPI (CMake option RANVIER_MPI).
bool mpi_available();

// The context of how this process was started: with MPI, when a launcher
// started several processes (launch_environment.hpp), initialises MPI once
// (MPI_THREAD_SERIALIZED; finalised at exit) and returns a context over
// MPI_COMM_WORLD; a single process gets the local context. Without MPI a
// launch of several processes throws user_error (check_single_process_launch).
execution_context make_launch_context(unsigned threads = 0);

// Ends every process of the context at once (MPI_Abort with `status`), after
// this process printed why; with one process, std::exit(status). For errors
// that one process sees alone: the others may be waiting in an exchange and
// would otherwise hang.
[[noreturn]] void abort_all_processes(const execution_context& context, int status);

// "process 2 of 4: " under several processes, else "" (error messages).
std::string process_prefix(const execution_context& context);

} // namespace ranvier
