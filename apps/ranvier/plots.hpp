// Drawing the run's figures with matplotlib through Debian's Python
// (python/ranvier/plot.py). The first `python3` on PATH may lack matplotlib,
// so the interpreter is the one configured at build time (RANVIER_PYTHON).
#pragma once

#include <string>

namespace ranvier::cli {

// Draws raster.png (and traces.png if traces.csv has rows) in `out_dir`.
// Returns an empty string on success, else what went wrong.
std::string draw_plots(const std::string& out_dir, unsigned long long cells);

} // namespace ranvier::cli
