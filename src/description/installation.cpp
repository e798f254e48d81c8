// Ranvier's own files at run time (include/ranvier/installation.hpp). The
// source tree and the install directory are recorded at configure time
// (src/CMakeLists.txt).
#include <ranvier/errors.hpp>
#include <ranvier/installation.hpp>

#include <cstdlib>
#include <system_error>

namespace ranvier {

std::vector<std::filesystem::path> ranvier_data_directories() {
    namespace fs = std::filesystem;
    std::vector<fs::path> dirs;
    if (const char* env = std::getenv("RANVIER_DATA_DIR"); env && *env) dirs.emplace_back(env);
    std::error_code ec;
    const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    if (!ec) dirs.push_back((exe.parent_path() / ".." / "share" / "ranvier").lexically_normal());
    dirs.emplace_back(RANVIER_SOURCE_TREE);
    dirs.emplace_back(RANVIER_INSTALLED_DATA_DIR);
    return dirs;
}

std::filesystem::path ranvier_data_file(const std::string& relative) {
    std::string looked;
    for (const auto& dir : ranvier_data_directories()) {
        const auto candidate = dir / relative;
        std::error_code ec;
        if (std::filesystem::exists(candidate, ec)) return candidate;
        looked += (looked.empty() ? "" : ", ") + candidate.string();
    }
    throw user_error("Ranvier's file " + relative + " was not found (looked at " + looked +
                     "); set RANVIER_DATA_DIR to the directory holding src/ and python/ of "
                     "Ranvier's sources, or reinstall (cmake --install)");
}

} // namespace ranvier
