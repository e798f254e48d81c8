// The execution context (include/ranvier/execution_context.hpp): local, or
// over MPI_COMM_WORLD when a launcher started several processes.
#include "comm/communicator.hpp"
#include "comm/dry_run_communicator.hpp"
#if RANVIER_MPI
#include "comm/mpi_communicator.hpp"
#endif

#include <ranvier/errors.hpp>
#include <ranvier/execution_context.hpp>
#include <ranvier/launch_environment.hpp>
#if RANVIER_MPI
#include <ranvier/mpi.hpp>
#endif

#include <cstdio>
#include <cstdlib>
#include <string>

namespace ranvier {

void local_communicator::abort(int status) {
    std::fflush(stdout);
    std::fflush(stderr);
    std::exit(status);
}

void local_communicator::no_peers() {
    throw internal_error("a single-process run sent a message to another process");
}

int execution_context::rank() const { return comm ? comm->rank() : 0; }
int execution_context::size() const { return comm ? comm->size() : 1; }

execution_context make_local_context(unsigned threads) { return {threads, nullptr, false}; }

execution_context make_dry_run_context(int processes, int rank, unsigned threads) {
    return {threads, std::make_shared<dry_run_communicator>(processes, rank), true};
}

std::string process_prefix(const execution_context& context) {
    if (context.size() <= 1 || context.dry_run) return ""; // a dry run is one real process
    return "process " + std::to_string(context.rank()) + " of " + std::to_string(context.size()) + ": ";
}

void abort_all_processes(const execution_context& context, int status) {
    if (context.comm) context.comm->abort(status);
    std::fflush(stdout);
    std::fflush(stderr);
    std::exit(status);
}

#if RANVIER_MPI

bool mpi_available() { return true; }

namespace {

bool ranvier_initialised_mpi = false;

void finalise_mpi() {
    int finalized = 0;
    MPI_Finalized(&finalized);
    if (ranvier_initialised_mpi && !finalized) MPI_Finalize();
}

// MPI_COMM_WORLD, initialising MPI if nobody did (the command line, Python
// without mpi4py). Serialized threads: the engines call MPI from one thread
// at a time.
std::shared_ptr<communicator> world() {
    static const std::shared_ptr<communicator> w = [] {
        int initialised = 0;
        MPI_Initialized(&initialised);
        int provided = MPI_THREAD_SINGLE;
        if (!initialised) {
            MPI_Init_thread(nullptr, nullptr, MPI_THREAD_SERIALIZED, &provided);
            ranvier_initialised_mpi = true;
            std::atexit(finalise_mpi); // runs after `w` is destroyed (registered before it)
        } else {
            MPI_Query_thread(&provided);
        }
        if (provided < MPI_THREAD_SERIALIZED)
            throw user_error("this MPI library provides thread level " + std::to_string(provided) +
                             ", Ranvier needs MPI_THREAD_SERIALIZED (" +
                             std::to_string(MPI_THREAD_SERIALIZED) + ")");
        return std::shared_ptr<communicator>(std::make_shared<mpi_communicator>(MPI_COMM_WORLD));
    }();
    return w;
}

} // namespace

execution_context make_launch_context(unsigned threads) {
    const long launched = launched_processes();
    if (launched <= 1) return make_local_context(threads);
    execution_context context{threads, world(), false};
    // A launcher of another MPI (MPICH's mpiexec for an Open MPI build), or a
    // stray variable, leaves each process alone in its own world.
    if (context.size() != launched)
        throw user_error("the launcher says this run has " + std::to_string(launched) + " processes (" +
                         launcher_setting() + "), but MPI sees " + std::to_string(context.size()) +
                         ": start it with the mpirun of the MPI this Ranvier was built with (" +
                         "Open MPI on Debian), or without the variable to run one process");
    return context;
}

execution_context make_mpi_context(MPI_Comm comm, unsigned threads) {
    return {threads, std::make_shared<mpi_communicator>(comm), false};
}

#else

bool mpi_available() { return false; }

execution_context make_launch_context(unsigned threads) {
    check_single_process_launch(); // no MPI in this build: never run N copies
    return make_local_context(threads);
}

#endif

} // namespace ranvier
