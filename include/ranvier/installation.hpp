// Where Ranvier finds its own files at run time: the NMODL translator and the
// mechanism interface that `ranvier build-mechanisms` compiles catalogues
// against, and the plot script of `ranvier run`. They sit at the same
// relative paths ("src/nmodl/translate.py", "python/ranvier/plot.py") in the
// source tree Ranvier was built from and in the installed data directory
// (<prefix>/share/ranvier, written by `cmake --install`), so a build works
// before it is installed and an installation works without the sources.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace ranvier {

// The places looked in, in order: $RANVIER_DATA_DIR if set; <directory of the
// running executable>/../share/ranvier (an installed `ranvier`; for the
// Python module the interpreter's prefix, e.g. /usr/share/ranvier); the
// source tree of this build; the data directory this build installs to.
std::vector<std::filesystem::path> ranvier_data_directories();

// `relative` in the first of those directories that has it; a user_error
// naming every place looked at when none has.
std::filesystem::path ranvier_data_file(const std::string& relative);

} // namespace ranvier
