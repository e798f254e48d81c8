#include "plots.hpp"

#include <ranvier/errors.hpp>
#include <ranvier/installation.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sys/wait.h>

namespace ranvier::cli {

namespace {

std::string quote(const std::string& s) {
    std::string q = "'";
    for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return q + "'";
}

// The source tree's or the installation's plot script (installation.hpp).
std::string plot_script() {
    if (const char* p = std::getenv("RANVIER_PLOT_SCRIPT")) return p;
    try {
        return ranvier_data_file("python/ranvier/plot.py").string();
    } catch (const user_error&) {
        return std::string(RANVIER_SOURCE_DIR) + "/python/ranvier/plot.py"; // reported as missing
    }
}

bool has_data_rows(const std::filesystem::path& csv) {
    std::ifstream in(csv);
    std::string line;
    return std::getline(in, line) && std::getline(in, line);
}

// plot.py's exit code for a file it could not read or write (CANNOT_WRITE).
bool cannot_write(int status) { return WIFEXITED(status) && WEXITSTATUS(status) == 5; }

} // namespace

std::string draw_plots(const std::string& out_dir, unsigned long long cells) {
    namespace fs = std::filesystem;
    const std::string python = std::getenv("RANVIER_PYTHON") ? std::getenv("RANVIER_PYTHON")
                                                              : RANVIER_PYTHON;
    const std::string script = plot_script();
    if (!fs::exists(script)) return "plot script not found at " + script;
    const fs::path dir(out_dir);
    std::string cmd = quote(python) + " " + quote(script) + " raster " +
                      quote((dir / "spikes.csv").string()) + " " +
                      quote((dir / "raster.png").string()) + " --cells " + std::to_string(cells);
    int status = std::system(cmd.c_str());
    if (cannot_write(status)) return "raster.png could not be written (the reason is above)";
    if (status != 0)
        return "drawing raster.png failed (command: " + cmd +
               "); is python3-matplotlib installed for " + python + "?";
    if (has_data_rows(dir / "traces.csv")) {
        cmd = quote(python) + " " + quote(script) + " traces " +
              quote((dir / "traces.csv").string()) + " " + quote((dir / "traces.png").string());
        status = std::system(cmd.c_str());
        if (cannot_write(status)) return "traces.png could not be written (the reason is above)";
        if (status != 0) return "drawing traces.png failed (command: " + cmd + ")";
    }
    return {};
}

} // namespace ranvier::cli
