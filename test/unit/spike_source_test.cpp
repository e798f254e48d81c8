// Spike sources (include/ranvier/spike_source_cell.hpp): the Poisson process
// against theory, explicit times (exact in the variable-step modes, on the
// step grid in the fixed-step modes), spike files, laziness (where advances
// end changes nothing) and the checks that a source takes no inputs.
#include "cells/source/spike_source_groups.hpp"
#include "cells/source/spike_source_schedule.hpp"
#include "support/test_recipes.hpp"

#include <ranvier/errors.hpp>
#include <ranvier/network_model.hpp>
#include <ranvier/simulation.hpp>

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <algorithm>
#include <map>
#include <numeric>
#include <set>
#include <string>
#include <vector>

#include <unistd.h>

using namespace ranvier;
using ranvier::testing::collecting_sink;

namespace {

// A recipe of spike sources only (plus optional extras to provoke errors).
struct source_recipe final : recipe {
    std::vector<spike_source_cell> cells;
    std::vector<connection> onto_first;
    std::vector<probe> probes_on_first;
    gid_type num_cells() const override { return static_cast<gid_type>(cells.size()); }
    cell_kind kind(gid_type) const override { return cell_kind::spike_source; }
    cell_description cell(gid_type gid) const override { return cells.at(gid); }
    std::vector<connection> connections_on(gid_type gid) const override {
        return gid == 0 ? onto_first : std::vector<connection>{};
    }
    std::vector<probe> probes_on(gid_type gid) const override {
        return gid == 0 ? probes_on_first : std::vector<probe>{};
    }
};

std::vector<gid_type> all_gids(const recipe& r) {
    std::vector<gid_type> g(r.num_cells());
    std::iota(g.begin(), g.end(), gid_type{0});
    return g;
}

// Every spike of a variable-step source group up to t_end, in advances of `chunk` ms.
std::vector<spike> variable_spikes(const recipe& r, double t_end, double chunk, std::uint64_t seed = 1) {
    spike_source_variable_step_group g(r, all_gids(r), seed);
    group_output out;
    g.advance_to(0, out);
    for (double t = chunk; t < t_end + chunk; t += chunk) g.advance_to(std::min(t, t_end), out);
    return out.spikes;
}

collecting_sink run_model(const std::string& toml, execution_mode mode, double t_stop, unsigned threads = 1,
                          std::size_t group_size = 0) {
    model_file m = parse_model_file(toml, "test.toml");
    m.options.mode = mode;
    m.options.threads = threads;
    m.options.group_size = group_size;
    const auto r = make_recipe(m);
    simulation sim(*r, m.options);
    collecting_sink sink;
    sim.run(t_stop, &sink);
    return sink;
}

} // namespace

// N independent cells at rate r for T seconds. Statistics and thresholds:
// - Total count: Poisson with mean N r T (2e5 here), sd sqrt(N r T) = 447;
//   accepted within 5 sd (a false failure has probability 6e-7).
// - Fano factor of the per-cell counts (sample variance / mean): 1 for a
//   Poisson process; its sampling sd is sqrt(2 / (N - 1)) = 0.045 for N =
//   1000 (variance of a sample variance, 2 sigma^4 / (N - 1), the fourth
//   cumulant's part r T / N is negligible); accepted within 5 sd.
// - Intervals: the first K = 100 of every cell (from start to the first
//   spike, then between spikes), M = N K = 1e5 of them. They are iid
//   exponential, so mean 1/r with sd (1/r)/sqrt(M), and CV 1 with sd
//   1/sqrt(M) (delta method: Var(CV^2) = 4/M for the exponential, whose
//   mu3 = 2 sigma^3, mu4 = 9 sigma^4); each accepted within 5 sd. (All
//   intervals inside the window would be biased short: a long one is more
//   likely to run past stop, so their mean is about T/(n+1), not T/n.) A
//   cell has fewer than K + 1 spikes with probability about 1e-12 (count
//   Poisson with mean 200: 7 sd below).
// - No spike before start or at/after stop.
TEST(SpikeSource, PoissonCountsAndIntervalsMatchTheory) {
    const std::size_t n = 1000;
    const double rate = 20.0, start = 100.0, stop = 10100.0; // Hz, ms: 10 s active
    source_recipe r;
    r.cells.assign(n, spike_source_cell{rate, start, stop, {}});
    const auto spikes = variable_spikes(r, 10500.0, 7.3);

    const double T = (stop - start) * 1e-3, expected = static_cast<double>(n) * rate * T;
    EXPECT_NEAR(static_cast<double>(spikes.size()), expected, 5 * std::sqrt(expected));

    std::vector<std::vector<double>> per_cell(n);
    for (const spike& s : spikes) {
        ASSERT_GE(s.time, start);
        ASSERT_LT(s.time, stop);
        per_cell.at(s.gid).push_back(s.time);
    }
    double mean_count = 0, var_count = 0;
    for (const auto& t : per_cell) mean_count += static_cast<double>(t.size());
    mean_count /= static_cast<double>(n);
    for (const auto& t : per_cell) var_count += std::pow(static_cast<double>(t.size()) - mean_count, 2);
    var_count /= static_cast<double>(n - 1);
    const double fano = var_count / mean_count;
    EXPECT_NEAR(fano, 1.0, 5 * std::sqrt(2.0 / static_cast<double>(n - 1))) << "Fano factor";

    constexpr std::size_t K = 100;
    double sum = 0, sum2 = 0;
    std::size_t m = 0;
    for (const auto& t : per_cell) {
        ASSERT_GT(t.size(), K);
        for (std::size_t k = 0; k < K; ++k) {
            const double isi = t[k] - (k == 0 ? start : t[k - 1]);
            ASSERT_GE(isi, 0.0);
            sum += isi;
            sum2 += isi * isi;
            ++m;
        }
    }
    const double mean_isi = sum / static_cast<double>(m);
    const double sd_isi = std::sqrt((sum2 - static_cast<double>(m) * mean_isi * mean_isi) / static_cast<double>(m - 1));
    const double cv = sd_isi / mean_isi;
    const double expected_isi = 1000.0 / rate;
    EXPECT_NEAR(mean_isi, expected_isi, 5 * expected_isi / std::sqrt(static_cast<double>(m)));
    EXPECT_NEAR(cv, 1.0, 5 / std::sqrt(static_cast<double>(m))) << "ISI CV";
    std::printf("%zu spikes (expected %.0f), Fano %.4f, mean ISI %.4f ms, CV %.5f (%zu intervals)\n",
                spikes.size(), expected, fano, mean_isi, cv, m);
}

// The first spike after start is exponential too: with rate r, P(first spike
// later than start + x) = exp(-r x). Over N cells the fraction with no spike
// in the first x = 1/r ms is binomial around e^-1; sd sqrt(p(1-p)/N) = 0.0048
// for N = 10000; accepted within 5 sd. This catches a process that starts
// with a spike at `start` or skips its first interval.
TEST(SpikeSource, FirstSpikeAfterStartIsExponential) {
    const std::size_t n = 10000;
    source_recipe r;
    r.cells.assign(n, spike_source_cell{50.0, 30.0, time_infinity, {}}); // 1/r = 20 ms
    const auto spikes = variable_spikes(r, 50.0, 1.0);
    std::vector<bool> fired(n, false);
    for (const spike& s : spikes) {
        ASSERT_GT(s.time, 30.0);
        fired[s.gid] = true;
    }
    const double silent = static_cast<double>(std::count(fired.begin(), fired.end(), false)) / static_cast<double>(n);
    const double p = std::exp(-1.0);
    EXPECT_NEAR(silent, p, 5 * std::sqrt(p * (1 - p) / static_cast<double>(n)));
}

// Lazy generation: where advances end changes nothing, the seed and the gid
// key the stream, and fixed step is the variable-step train on the grid.
TEST(SpikeSource, TrainsDoNotDependOnAdvancesAndFixedStepRoundsUpToTheGrid) {
    source_recipe r;
    r.cells.assign(50, spike_source_cell{80.0, 3.0, 900.0, {}});
    r.cells[7].times = {0.0, 12.34, 12.34, 5.0}; // a Poisson cell with extra times
    const auto a = variable_spikes(r, 1000.0, 1000.0);
    const auto b = variable_spikes(r, 1000.0, 0.37);
    ASSERT_EQ(a, b);
    ASSERT_GT(a.size(), 3000u);
    EXPECT_NE(a, variable_spikes(r, 1000.0, 1000.0, 2)) << "another seed, another train";
    // gid 7 has the listed times among its spikes (repeated once each as listed).
    std::multiset<double> seven;
    for (const spike& s : a)
        if (s.gid == 7) seven.insert(s.time);
    EXPECT_EQ(seven.count(0.0), 1u);
    EXPECT_EQ(seven.count(12.34), 2u);
    EXPECT_EQ(seven.count(5.0), 1u);
    // Cells differ from each other (independent streams).
    std::vector<double> first(50, -1);
    for (const spike& s : a)
        if (first[s.gid] < 0 && s.gid != 7) first[s.gid] = s.time;
    std::sort(first.begin(), first.end());
    EXPECT_EQ(std::adjacent_find(first.begin() + 1, first.end()), first.end());

    const double dt = 0.1;
    for (const std::int64_t chunk : {1, 7, 10000}) {
        spike_source_fixed_step_group g(r, all_gids(r), dt, 1);
        group_output out;
        for (std::int64_t s = 0; s < 10000; s += chunk) g.advance(s, std::min<std::int64_t>(s + chunk, 10000), out);
        ASSERT_EQ(out.spikes.size(), a.size()) << "chunk " << chunk;
        // Per gid, the k-th fixed-step spike is the k-th exact one moved up to
        // the next grid point (t = 0 to dt).
        std::map<gid_type, std::vector<double>> exact, fixed;
        for (const spike& s : a) exact[s.gid].push_back(s.time);
        for (const spike& s : out.spikes) fixed[s.gid].push_back(s.time);
        for (auto& [gid, times] : exact) {
            const auto& f = fixed[gid];
            ASSERT_EQ(f.size(), times.size());
            for (std::size_t k = 0; k < f.size(); ++k) {
                const std::int64_t step = spike_source_fixed_step_group::emission_step(times[k], dt);
                EXPECT_EQ(f[k], static_cast<double>(step + 1) * dt);
                EXPECT_GE(f[k], times[k] - 1e-9 * dt) << "never early";
                EXPECT_LE(f[k], std::max(times[k], 0.0) + dt + 1e-12) << "at most one step late";
            }
        }
        for (std::size_t k = 1; k < out.spikes.size(); ++k)
            EXPECT_TRUE(spike_before(out.spikes[k - 1], out.spikes[k]) || out.spikes[k - 1] == out.spikes[k]);
    }
}

namespace {

const char* explicit_model = R"(
[simulation]
dt = "0.1 ms"
[[population]]
name = "stim"
size = 3
cell = "spike_source"
times = ["20.5 ms", "10 ms", "0 ms", "0.05 ms", "3.33 ms", "7.000000001 ms", "10 ms"]
)";

std::vector<double> times_of(const std::vector<spike>& spikes, gid_type gid) {
    std::vector<double> t;
    for (const spike& s : spikes)
        if (s.gid == gid) t.push_back(s.time);
    return t;
}

} // namespace

TEST(SpikeSource, ExplicitTimesExactInVariableStepAndOnTheGridInFixedStep) {
    const std::vector<double> exact{0.0, 0.05, 3.33, 7.000000001, 10.0, 10.0, 20.5};
    // Fixed step (dt = 0.1): each time moves up to the grid point at or after
    // it (t = 0 to the first step's end). 7.000000001 ms is 1e-8 steps past
    // 7 ms, more than the billionth of a step that counts as on the grid, so
    // it goes to 7.1 ms.
    const std::vector<double> on_grid{0.1, 0.1, 34 * 0.1, 71 * 0.1, 100 * 0.1, 100 * 0.1, 205 * 0.1};
    for (const auto mode : {execution_mode::bsp_variable, execution_mode::async_variable}) {
        const auto out = run_model(explicit_model, mode, 30.0);
        for (gid_type g = 0; g < 3; ++g) EXPECT_EQ(times_of(out.spikes, g), exact) << to_string(mode);
    }
    for (const auto mode : {execution_mode::bsp_fixed, execution_mode::async_fixed}) {
        const auto out = run_model(explicit_model, mode, 30.0);
        for (gid_type g = 0; g < 3; ++g) EXPECT_EQ(times_of(out.spikes, g), on_grid) << to_string(mode);
    }
    EXPECT_EQ(on_grid[4], 10.0);
    EXPECT_EQ(on_grid[6], 20.5);
}

TEST(SpikeSource, SpikeFileGivesEachCellItsTimes) {
    const auto dir = std::filesystem::temp_directory_path() / ("ranvier_spike_file_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    {
        std::ofstream csv(dir / "stim.csv");
        csv << "gid,time_ms\n3,12.5\n2, 4.25\n\n3,1\n4,0\n3,12.5\n";
        std::ofstream model(dir / "model.toml");
        model << "[[population]]\nname = \"E\"\nsize = 2\n"
                 "[[population]]\nname = \"stim\"\nsize = 3\ncell = \"spike_source\"\nspikes = \"stim.csv\"\n"
                 "[[projection]]\nsource = \"stim\"\ntarget = \"E\"\nrule = \"all_to_all\"\n"
                 "weight = \"1 mV\"\ndelay = \"1 ms\"\n";
    }
    model_file m = load_model_file((dir / "model.toml").string());
    ASSERT_EQ(m.network.populations[1].kind, cell_kind::spike_source);
    const auto r = make_recipe(m);
    EXPECT_EQ(std::get<spike_source_cell>(r->cell(2)).times, (std::vector<double>{4.25}));
    EXPECT_EQ(std::get<spike_source_cell>(r->cell(3)).times, (std::vector<double>{12.5, 1, 12.5}));
    EXPECT_EQ(std::get<spike_source_cell>(r->cell(4)).times, (std::vector<double>{0}));
    m.options.mode = execution_mode::bsp_variable;
    simulation sim(*r, m.options);
    collecting_sink sink;
    sim.run(20.0, &sink);
    EXPECT_EQ(times_of(sink.spikes, 2), (std::vector<double>{4.25}));
    EXPECT_EQ(times_of(sink.spikes, 3), (std::vector<double>{1, 12.5, 12.5}));
    EXPECT_EQ(times_of(sink.spikes, 4), (std::vector<double>{0}));
    std::filesystem::remove_all(dir);
}

TEST(SpikeSource, SourcesTakeNoInputsOrProbes) {
    source_recipe r;
    r.cells.assign(2, spike_source_cell{});
    r.onto_first = {connection{1, 0, 1.0, 1.0}};
    simulation_options o;
    EXPECT_THROW(simulation(r, o), user_error);
    r.onto_first.clear();
    r.probes_on_first = {probe{}};
    try {
        simulation sim(r, o);
        FAIL() << "no error for a probe on a source";
    } catch (const user_error& e) {
        EXPECT_NE(std::string(e.what()).find("cell 0 is a spike source"), std::string::npos) << e.what();
    }
    r.probes_on_first.clear();
    r.cells[1].rate = -1;
    EXPECT_THROW(simulation(r, o), user_error);
}
