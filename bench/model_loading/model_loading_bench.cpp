// Loading time of model files with long explicit lists (issue 8): a model of
// `pairs` explicit connection pairs and `gids` recorded gids is generated,
// written to a temporary file and loaded with load_model_file (TOML
// parsing, then reading and checking every element with its line). Loading
// must grow linearly with the file: the table shows each size and its time
// per element. A plain program, not a Google Benchmark one (one load of
// 10^6 pairs takes seconds, once is enough); run it from a Release build:
//
//   build/bench/model_loading_bench                 # 10^4 .. 10^6 pairs, 10^3 .. 10^5 gids
//   build/bench/model_loading_bench 1000000 100000  # one size
//
// See README.md in this folder for figures.
#include <ranvier/network_model.hpp>

#include <toml.hpp>

#include <ctime>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <unistd.h>
#include <vector>

namespace {

// Processor time of this process: the machine is shared, so wall-clock time
// says more about the neighbours than about the loader.
double cpu_seconds() {
    timespec t{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return static_cast<double>(t.tv_sec) + 1e-9 * static_cast<double>(t.tv_nsec);
}

// One population of `cells` LIF cells, `pairs` explicit pairs (8 per line)
// and `gids` recorded gids (16 per line).
std::string model_text(long pairs, long gids, long cells) {
    std::ostringstream out;
    out << "[simulation]\nt_stop = \"10 ms\"\n\n[[population]]\nname = \"E\"\nsize = " << cells
        << "\n\n[[projection]]\nsource = \"E\"\ntarget = \"E\"\nrule = \"explicit\"\n"
           "weight = \"0.1 mV\"\ndelay = \"1.5 ms\"\npairs = [\n";
    for (long k = 0; k < pairs; ++k) {
        const long s = k % cells, t = (k * 7919 + 1) % cells;
        out << "[" << s << ", " << t << "]," << (k % 8 == 7 ? "\n" : " ");
    }
    out << "]\n\n[record.voltage]\ninterval = \"1 ms\"\ngids = [\n";
    for (long k = 0; k < gids; ++k) out << k << "," << (k % 16 == 15 ? "\n" : " ");
    out << "]\n";
    return out.str();
}

struct timing {
    double bytes = 0, toml = 0, toml_short_name = 0, load = 0;
};

double parse_seconds(const std::string& text, const std::string& name) {
    const double start = cpu_seconds();
    std::istringstream stream(text);
    const auto document = toml::parse(stream, name);
    return cpu_seconds() - start;
}

timing measure(long pairs, long gids) {
    const long cells = std::max(gids, 100000L);
    const std::string text = model_text(pairs, gids, cells);
    const std::filesystem::path path = std::filesystem::temp_directory_path() /
                                       ("ranvier_model_loading_" + std::to_string(::getpid()) + ".toml");
    std::ofstream(path, std::ios::binary) << text;
    timing t;
    t.bytes = static_cast<double>(text.size());
    // The TOML library alone (parse into values, no reading of the model),
    // with the file's path and with a name short enough for std::string's
    // small-string buffer (toml11 copies it into every value's region).
    t.toml = parse_seconds(text, path.string());
    t.toml_short_name = parse_seconds(text, "m.toml");
    const double start = cpu_seconds();
    const ranvier::model_file m = ranvier::load_model_file(path.string());
    t.load = cpu_seconds() - start;
    std::filesystem::remove(path);
    if (m.network.projections.at(0).pairs().size() != static_cast<std::size_t>(pairs) ||
        m.network.record.voltage_gids.size() != static_cast<std::size_t>(gids)) {
        std::fprintf(stderr, "model_loading_bench: the model did not load as generated\n");
        std::exit(1);
    }
    return t;
}

} // namespace

int main(int argc, char** argv) {
    std::vector<std::pair<long, long>> sizes;
    if (argc == 3) {
        sizes.emplace_back(std::atol(argv[1]), std::atol(argv[2]));
    } else if (argc == 1) {
        sizes = {{10'000, 1'000}, {100'000, 10'000}, {1'000'000, 100'000}};
    } else {
        std::fprintf(stderr, "usage: %s [pairs gids]\n", argv[0]);
        return 2;
    }
    std::printf("CPU seconds (this process)\n");
    std::printf("%10s %10s %8s %10s %12s %10s %12s\n", "pairs", "gids", "MB", "toml11", "toml11 short",
                "load", "us/element");
    for (const auto& [pairs, gids] : sizes) {
        const timing t = measure(pairs, gids);
        std::printf("%10ld %10ld %8.1f %10.2f %12.2f %10.2f %12.2f\n", pairs, gids, t.bytes / 1e6, t.toml,
                    t.toml_short_name, t.load, 1e6 * t.load / static_cast<double>(pairs + gids));
        std::fflush(stdout);
    }
    return 0;
}
