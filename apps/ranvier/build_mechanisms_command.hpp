// `ranvier build-mechanisms DIR`: translates and compiles the .mod files of
// DIR into a mechanism catalogue (include/ranvier/mechanisms.hpp).
#pragma once

#include <string>

namespace ranvier::cli {

struct build_mechanisms_arguments {
    std::string dir;  // directory of .mod files
    std::string out;  // optional: also copy the library here
    bool quiet = false;
};

// Returns the process exit code (0, or 1 with the error on stderr).
int build_mechanisms_command(const build_mechanisms_arguments& args);

} // namespace ranvier::cli
