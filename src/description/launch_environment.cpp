// Detecting a launch by an MPI launcher (see launch_environment.hpp).
#include <ranvier/errors.hpp>
#include <ranvier/launch_environment.hpp>

#include <cstdlib>
#include <string>
#include <utility>

namespace ranvier {
namespace {

// The first launcher variable that is set to a whole number > 0:
// {name, value}, or {"", 1}.
std::pair<const char*, long> launcher_count() {
    // Open MPI (mpirun), MPICH and Intel MPI (Hydra's mpiexec; srun with
    // PMI-2). Not Slurm's SLURM_NTASKS: a batch script that starts one
    // process has it too.
    for (const char* name : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE"}) {
        const char* value = std::getenv(name);
        if (!value || !*value) continue;
        char* end = nullptr;
        const long n = std::strtol(value, &end, 10);
        if (end && *end == '\0' && n > 0) return {name, n};
    }
    return {"", 1};
}

} // namespace

long launched_processes() { return launcher_count().second; }

std::string launcher_setting() {
    const auto [name, n] = launcher_count();
    if (!*name) return "";
    return std::string(name) + "=" + std::to_string(n);
}

void check_single_process_launch() {
    const auto [name, n] = launcher_count();
    if (n <= 1) return;
    throw user_error(source_location{"", 0, name},
                     "this run was started as one of " + std::to_string(n) +
                         " processes (" + name + "=" + std::to_string(n) +
                         "), but this build of Ranvier has no MPI support: every process would "
                         "simulate the whole network into the same output. Start it once, "
                         "without mpirun/mpiexec/srun, and use --threads N (threads give the "
                         "same results as one thread)");
}

} // namespace ranvier
