#include "plots.hpp"

#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace ranvier::cli {

namespace {

std::string quote(const std::string& s) {
    std::string q = "'";
    for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return q + "'";
}

std::string plot_script() {
    if (const char* p = std::getenv("RANVIER_PLOT_SCRIPT")) return p;
    return std::string(RANVIER_SOURCE_DIR) + "/python/ranvier/plot.py";
}

bool has_data_rows(const std::filesystem::path& csv) {
    std::ifstream in(csv);
    std::string line;
    return std::getline(in, line) && std::getline(in, line);
}

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
    if (std::system(cmd.c_str()) != 0)
        return "drawing raster.png failed (command: " + cmd +
               "); is python3-matplotlib installed for " + python + "?";
    if (has_data_rows(dir / "traces.csv")) {
        cmd = quote(python) + " " + quote(script) + " traces " +
              quote((dir / "traces.csv").string()) + " " + quote((dir / "traces.png").string());
        if (std::system(cmd.c_str()) != 0) return "drawing traces.png failed (command: " + cmd + ")";
    }
    return {};
}

} // namespace ranvier::cli
