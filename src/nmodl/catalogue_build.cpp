// Catalogues of mechanisms translated from .mod files (include/ranvier/mechanisms.hpp):
// translation by src/nmodl/translate.py, compilation with this build's
// compiler and flags into DIR/.ranvier/<key>/catalogue.so, loading with dlopen.
//
// The library holds the translated mechanisms, a copy of mechanism.cpp (the
// base class's few functions) and the entry point of catalogue_library.hpp;
// it is compiled with -fvisibility=hidden, so it needs nothing from the
// process that loads it (the command line, a test, the Python module all
// link Ranvier statically) and exports only its entry point.
#include "cable/mechanisms/catalogue_library.hpp"
#include "cable/mechanisms/mechanism_catalogue.hpp"

#include "mechanism_build_config.hpp"

#include <ranvier/errors.hpp>
#include <ranvier/installation.hpp>
#include <ranvier/mechanisms.hpp>

#include <dlfcn.h>
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <ostream>
#include <sstream>

extern char** environ;

namespace ranvier {
namespace {

namespace fs = std::filesystem;
namespace config = nmodl::config;

std::string read_text(const fs::path& p, const std::string& what) {
    std::ifstream in(p, std::ios::binary);
    if (!in) throw user_error(p.string() + ": cannot read " + what + ": " + std::strerror(errno));
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

// Added to the build's flags for catalogues. Neither changes a result:
// -fno-math-errno only stops math functions from setting errno (nothing reads
// it), -fno-trapping-math lets the compiler assume no code traps on a
// floating-point exception (none is enabled; no flag is read), so that it may
// evaluate both sides of a generated `if` or `?:` and select (if-conversion),
// which the loops over instances need to vectorise. Both are part of the
// cache key.
constexpr const char* catalogue_flags[] = {"-fno-math-errno", "-fno-trapping-math"};

// FNV-1a, 64 bits: a content key for the cache (not a security measure).
class content_hash {
public:
    void add(std::string_view text) {
        for (const char c : text) mix(static_cast<unsigned char>(c));
        // Each part ends with its length, so ("ab", "c") and ("a", "bc") differ.
        for (std::size_t n = text.size(), k = 0; k < 8; ++k, n >>= 8) mix(static_cast<unsigned char>(n & 0xff));
    }
    std::string hex() const {
        char text[17];
        std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(h_));
        return text;
    }

private:
    void mix(unsigned char c) {
        h_ ^= c;
        h_ *= 1099511628211ULL;
    }
    std::uint64_t h_ = 14695981039346656037ULL;
};

std::vector<std::string> split_words(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string w; in >> w;) out.push_back(w);
    return out;
}

// Runs argv[0] (searched on PATH) with stdout and stderr into `log`; the exit
// status, or 128 + signal, or -1 if it could not be started.
int run_process(const std::vector<std::string>& argv, const fs::path& log) {
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    pid_t pid = 0;
    const int started = posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (started != 0) return -1;
    int status = 0;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR) return -1;
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    return 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

std::string trimmed(std::string s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
    return s;
}

// The translator and the mechanism interface: in the source tree of this
// build or an installation's data directory (ranvier/installation.hpp).
fs::path source_path(const char* relative) { return ranvier_data_file(relative); }

// The .mod files of `dir`, sorted by name (absolute, normalised paths).
std::vector<fs::path> mod_files_of(const std::string& dir) {
    std::error_code ec;
    const fs::path d = fs::absolute(dir).lexically_normal();
    if (!fs::exists(d, ec)) throw user_error("mechanism directory '" + dir + "' does not exist");
    if (!fs::is_directory(d, ec))
        throw user_error("'" + dir + "' is not a directory (name a directory holding .mod files)");
    std::vector<fs::path> out;
    for (const auto& e : fs::directory_iterator(d, ec))
        if (e.path().extension() == ".mod" && e.is_regular_file()) out.push_back(e.path());
    if (ec) throw user_error("cannot list the mechanism directory '" + dir + "': " + ec.message());
    if (out.empty()) throw user_error("the mechanism directory '" + dir + "' holds no .mod files");
    std::sort(out.begin(), out.end());
    return out;
}

// What the library of these files is cached under: every input of the build.
std::string cache_key(const std::vector<fs::path>& mods) {
    content_hash h;
    h.add("ranvier mechanism catalogue 1");
    h.add(config::version);
    h.add(config::cxx_compiler);
    h.add(config::cxx_compiler_version);
    h.add(config::cxx_flags);
    h.add(config::cxx_standard);
    for (const char* f : catalogue_flags) h.add(f);
    // Every module of the translator, in name order: a new one changes the
    // key without being listed here.
    std::vector<fs::path> translator;
    for (const auto& entry : fs::directory_iterator(source_path("src/nmodl/translate.py").parent_path()))
        if (entry.path().extension() == ".py") translator.push_back(entry.path());
    std::sort(translator.begin(), translator.end());
    for (const fs::path& f : translator) {
        h.add(f.filename().string());
        h.add(read_text(f, "Ranvier's translator"));
    }
    for (const char* f : {"src/cable/mechanisms/mechanism.hpp", "src/cable/mechanisms/mechanism.cpp",
                          "src/cable/mechanisms/catalogue_library.hpp", "src/cable/mechanisms/fast_exp.hpp"})
        h.add(read_text(source_path(f), "Ranvier's mechanism interface"));
    for (const auto& m : mods) {
        h.add(m.filename().string());
        h.add(read_text(m, "the .mod file"));
    }
    return h.hex();
}

std::string cpp_string(const std::string& s) {
    std::string out = "\"";
    for (const char c : s) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
    }
    return out + "\"";
}

// The entry point: one library_mechanism per .mod file, in `mods` order.
std::string registration_source(const std::vector<fs::path>& mods) {
    std::string s = "// Generated by Ranvier (src/nmodl/catalogue_build.cpp). Do not edit.\n"
                    "#include \"cable/mechanisms/catalogue_library.hpp\"\n\n";
    for (std::size_t k = 0; k < mods.size(); ++k)
        s += "namespace ranvier_catalogue::mod" + std::to_string(k) +
             " {\nranvier::cable::mechanism_type type();\n"
             "std::unique_ptr<ranvier::cable::mechanism> make();\n}\n";
    s += "\nnamespace {\nconst ranvier::cable::library_mechanism entries[] = {\n";
    for (std::size_t k = 0; k < mods.size(); ++k) {
        const std::string ns = "ranvier_catalogue::mod" + std::to_string(k);
        s += "    {" + cpp_string(mods[k].filename().string()) + ", &" + ns + "::type, &" + ns + "::make},\n";
    }
    s += "};\n}\n\nextern \"C\" __attribute__((visibility(\"default\")))\n"
         "const ranvier::cable::library_mechanism* ranvier_catalogue_v1(std::size_t* count) {\n"
         "    *count = sizeof entries / sizeof entries[0];\n    return entries;\n}\n";
    return s;
}

struct library {
    const cable::library_mechanism* entries = nullptr;
    std::size_t count = 0;
};

// Loads a catalogue library once per process; never unloaded (mechanism
// objects made by it may live as long as the process).
library open_library(const fs::path& path) {
    static std::mutex mutex;
    static std::map<std::string, library> loaded;
    const std::lock_guard<std::mutex> lock(mutex);
    if (auto it = loaded.find(path.string()); it != loaded.end()) return it->second;
    void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!handle) throw user_error(path.string() + ": cannot load the mechanism catalogue: " + dlerror());
    const auto entry = reinterpret_cast<cable::catalogue_entry_function>(dlsym(handle, cable::catalogue_entry_point));
    if (!entry)
        throw user_error(path.string() + ": not a Ranvier mechanism catalogue (no " +
                         cable::catalogue_entry_point + "); rebuild it with `ranvier build-mechanisms`");
    library lib;
    lib.entries = entry(&lib.count);
    loaded.emplace(path.string(), lib);
    return lib;
}

void compile(const std::vector<fs::path>& mods, const fs::path& work, std::ostream* log) {
    const std::string python = config::python;
    const fs::path translator = source_path("src/nmodl/translate.py");
    std::vector<std::string> sources{source_path("src/cable/mechanisms/mechanism.cpp").string()};
    for (std::size_t k = 0; k < mods.size(); ++k) {
        const fs::path cpp = work / ("mod" + std::to_string(k) + ".cpp");
        const fs::path out = work / ("translate" + std::to_string(k) + ".log");
        if (log) *log << "translating " << mods[k].string() << "\n" << std::flush;
        const int status = run_process({python, translator.string(), mods[k].string(), "--cpp", cpp.string(),
                                        "--namespace", "ranvier_catalogue::mod" + std::to_string(k)},
                                       out);
        if (status != 0) {
            const std::string said = trimmed(read_text(out, "the translator's output"));
            if (status == 1 && !said.empty())
                throw user_error(said + "\n(what the translator supports: docs/nmodl.md)");
            throw user_error("could not run the NMODL translator (" + python + " " + translator.string() +
                             ", exit status " + std::to_string(status) + "): " + said +
                             " (it needs Debian's python3-nmodl: scripts/setup.sh)");
        }
        sources.push_back(cpp.string());
    }
    const fs::path registration = work / "catalogue.cpp";
    std::ofstream(registration) << registration_source(mods);
    sources.push_back(registration.string());

    std::vector<std::string> argv{config::cxx_compiler};
    for (const auto& f : split_words(config::cxx_flags)) argv.push_back(f);
    for (const char* f : catalogue_flags) argv.push_back(f);
    for (const char* f : {"-fPIC", "-shared", "-fvisibility=hidden", "-fvisibility-inlines-hidden"})
        argv.push_back(f);
    argv.push_back(config::cxx_standard);
    argv.push_back("-I" + source_path("src").string());
    argv.push_back("-o");
    argv.push_back((work / "catalogue.so").string());
    argv.insert(argv.end(), sources.begin(), sources.end());
    if (log) {
        *log << "compiling " << mods.size() << " mechanism" << (mods.size() == 1 ? "" : "s") << ":";
        for (const auto& a : argv) *log << " " << a;
        *log << "\n" << std::flush;
    }
    const fs::path compiler_log = work / "build.log";
    const int status = run_process(argv, compiler_log);
    if (status != 0) {
        std::string names;
        for (const auto& m : mods) names += (names.empty() ? "" : ", ") + m.filename().string();
        throw user_error("compiling the C++ translated from " + names + " failed (exit status " +
                         std::to_string(status) + "): this is a bug of Ranvier's NMODL translator, "
                         "please report it with the .mod files; the compiler's messages are in " +
                         compiler_log.string());
    }
}

} // namespace

mechanism_build build_mechanisms(const std::string& dir, std::ostream* log) {
    const auto start = std::chrono::steady_clock::now();
    const std::vector<fs::path> mods = mod_files_of(dir);
    const fs::path root = mods.front().parent_path() / ".ranvier";
    const std::string key = cache_key(mods);
    const fs::path final_dir = root / key;
    mechanism_build out;
    out.library = (final_dir / "catalogue.so").string();
    for (const auto& m : mods) out.mod_files.push_back(m.string());

    std::error_code ec;
    if (!fs::exists(out.library, ec)) {
        // Built in a directory of its own and renamed into place: a
        // concurrent build of the same key (two runs, two tests) never sees
        // a half-written library, and the loser of the race discards its copy.
        const fs::path work = root / ("build-" + key + "-" + std::to_string(getpid()));
        fs::create_directories(work, ec);
        if (ec)
            throw user_error("cannot create " + work.string() + " for the mechanism catalogue: " + ec.message());
        try {
            compile(mods, work, log);
        } catch (const user_error&) {
            // Keep the compiler's log for a failed compilation (its message names it).
            if (!fs::exists(work / "build.log")) fs::remove_all(work, ec);
            throw;
        }
        fs::rename(work, final_dir, ec);
        if (ec) {
            fs::remove_all(work, ec);
            if (!fs::exists(out.library))
                throw user_error("cannot move the built catalogue into " + final_dir.string());
        }
        out.compiled = true;
        out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    }
    const library lib = open_library(out.library);
    if (lib.count != mods.size())
        throw internal_error(out.library + " holds " + std::to_string(lib.count) + " mechanisms for " +
                             std::to_string(mods.size()) + " .mod files");
    for (std::size_t k = 0; k < lib.count; ++k) {
        const std::string name = lib.entries[k].type().name;
        for (std::size_t j = 0; j < k; ++j)
            if (out.mechanisms[j] == name)
                throw user_error(out.mod_files[k] + ": mechanism '" + name + "' is also defined by " +
                                 out.mod_files[j] + ": names must be unique");
        out.mechanisms.push_back(name);
    }
    if (log && out.compiled)
        *log << "built " << out.library << " (" << out.mechanisms.size() << " mechanisms) in "
             << out.seconds << " s\n" << std::flush;
    return out;
}

std::shared_ptr<const cable::mechanism_catalogue> load_mechanisms(const std::vector<std::string>& dirs,
                                                                  std::ostream* log) {
    if (dirs.empty()) return cable::shared_builtin_catalogue();
    auto catalogue = std::make_shared<cable::mechanism_catalogue>(cable::builtin_catalogue());
    for (const std::string& dir : dirs) {
        const mechanism_build built = build_mechanisms(dir, log);
        const library lib = open_library(built.library);
        for (std::size_t k = 0; k < lib.count; ++k) {
            cable::mechanism_type type = lib.entries[k].type();
            const std::string& source = built.mod_files[k];
            if (catalogue->contains(type.name)) {
                const std::string& other = catalogue->source(type.name);
                throw user_error(source + ": mechanism '" + type.name + "' is also defined by " +
                                 (other == "built-in" ? "Ranvier (a built-in mechanism)" : other) +
                                 ": rename it (its SUFFIX or POINT_PROCESS)");
            }
            catalogue->add(std::move(type), lib.entries[k].make, source);
        }
    }
    return catalogue;
}

std::vector<std::string> mechanism_names(const std::shared_ptr<const cable::mechanism_catalogue>& catalogue) {
    return cable::catalogue_of(catalogue).names();
}

} // namespace ranvier
