// Ranvier side of the variable-step benchmark (bench/variable/run.py drives it):
// one detailed HH cable cell (NEURON's node table of a reference cell) for
// tstop ms, driven by a somatic IClamp at fractions of its threshold current
// or by Poisson events on a dendritic ExpSyn, run with fixed step (backward
// Euler, fixed_step_cable_stepper::run_until) and variable step (CVODE, cvode_cell).
// Finds the threshold current and the single-event threshold weight by
// bisection first. Reads a case file, writes a results file (JSON), both
// described in bench/variable/README.md. Has its own main: it is not a
// Google Benchmark, it only links against the library like one.
#include "cable/cable_state_builder.hpp"
#include "cable/cvode/cvode_cell.hpp"
#include "cable/fixed_step_cable_stepper.hpp"
#include "support/neuron_reference_cell.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <functional>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

using namespace ranvier::cable;
using namespace ranvier::testing;
using json = nlohmann::json;

// The benchmark cell: the reference cell's sections, mechanisms and spike
// detector (test/support/neuron_reference_cell), its own stimuli replaced by
// one IClamp and one ExpSyn (ExpSyn instance 0, target 1).
class bench_cell {
public:
    explicit bench_cell(const json& spec)
        : spec_(spec), ref_(read_neuron_reference_cell(spec["geometry_csv"], spec["cell_json"])) {}

    cable_state build(double amp_nA) const {
        cable_state_builder b;
        const auto c = add_neuron_reference_cell(b, ref_, reference_stimuli::none).cell;
        const auto& ic = spec_["iclamp"];
        b.place(c, "IClamp", ref_.node_for(ic), {{"del", ic["del_ms"]}, {"dur", ic["dur_ms"]}, {"amp", amp_nA}});
        const auto& syn = spec_["synapse"];
        syn_target_ = b.place(c, "ExpSyn", ref_.node_for(syn), {{"tau", syn["tau_ms"]}, {"e", syn["e_mV"]}});
        return b.build(ref_.desc["v_init_mV"].get<double>());
    }
    fixed_step_cable_stepper build_fixed(double amp_nA) const {
        return fixed_step_cable_stepper(build(amp_nA),
                                        {time_scheme::backward_euler, spec_["dt_ms"]});
    }
    std::int32_t synapse_target() const { return syn_target_; }

private:
    const json& spec_;
    neuron_reference_cell ref_;
    mutable std::int32_t syn_target_ = -1;
};

struct run_result {
    long steps = 0;
    double wall_s = 0; // best of the repeats
    std::size_t spikes = 0;
    cvode_statistics cvode; // variable step only: CVODE's work counters
};

using clock_type = std::chrono::steady_clock;

run_result run_fixed(const bench_cell& cell, double amp, const std::vector<double>& events, double weight,
                     double tstop, int repeats) {
    run_result r;
    r.wall_s = std::numeric_limits<double>::infinity();
    for (int k = 0; k < repeats; ++k) {
        auto g = cell.build_fixed(amp);
        const auto start = clock_type::now();
        for (double te : events) g.schedule_event(cell.synapse_target(), te, weight);
        g.run_until(tstop);
        const std::chrono::duration<double> wall = clock_type::now() - start;
        r.wall_s = std::min(r.wall_s, wall.count());
        r.steps = static_cast<long>(g.step_index());
        r.spikes = g.spikes().size();
    }
    return r;
}

run_result run_variable(const bench_cell& cell, double amp, const std::vector<double>& events, double weight,
                        double tstop, int repeats, double atol) {
    run_result r;
    r.wall_s = std::numeric_limits<double>::infinity();
    cvode_options options;
    options.atol = atol;
    for (int k = 0; k < repeats; ++k) {
        cvode_cell cv(cell.build(amp), 0, options); // CVODE set-up is not timed (NEURON: finitialize)
        const auto start = clock_type::now();
        for (double te : events) cv.schedule_event("ExpSyn", 0, te, weight);
        cv.advance_to(tstop);
        const std::chrono::duration<double> wall = clock_type::now() - start;
        r.wall_s = std::min(r.wall_s, wall.count());
        r.cvode = cv.statistics();
        r.steps = r.cvode.steps;
        r.spikes = cv.spikes().size();
    }
    return r;
}

// Smallest x in (0, hi] for which fires(x), to relative precision rel; hi is
// doubled until it fires. Returns the lowest value known to fire.
double bisect_threshold(const std::function<bool(double)>& fires, double hi, double rel) {
    for (int k = 0; !fires(hi); ++k) {
        if (k > 30) throw std::runtime_error("no threshold found: the cell never fires");
        hi *= 2;
    }
    double lo = 0;
    while (hi - lo > rel * hi) {
        const double mid = 0.5 * (lo + hi);
        (fires(mid) ? hi : lo) = mid;
    }
    return hi;
}

} // namespace

int main(int argc, char** argv) {
    if (argc != 3) {
        std::fprintf(stderr, "usage: %s cases.json results.json (bench/variable/run.py writes cases.json)\n", argv[0]);
        return 2;
    }
    try {
        json spec;
        std::ifstream(argv[1]) >> spec;
        const bench_cell cell(spec);
        const double tstop = spec["tstop_ms"];
        const int repeats = spec["repeats"];
        const double atol = spec["atol"];
        const double rel = spec["bisection_rel"];

        // Threshold current: the smallest step current (fixed step) that
        // fires the soma at least once before tstop.
        const double threshold_nA = bisect_threshold(
            [&](double amp) { return run_fixed(cell, amp, {}, 0, tstop, 1).spikes > 0; }, 0.1, rel);
        // Single-event threshold weight of the ExpSyn, one event at 10 ms.
        const double weight_threshold_uS = bisect_threshold(
            [&](double w) { return run_fixed(cell, 0, {10.0}, w, tstop, 1).spikes > 0; }, 0.01, rel);
        const double weight = spec["synapse"]["weight_fraction"].get<double>() * weight_threshold_uS;

        json out;
        out["threshold_nA"] = threshold_nA;
        out["weight_threshold_uS"] = weight_threshold_uS;
        out["cases"] = json::array();
        for (const auto& c : spec["cases"]) {
            const bool clamp = c.contains("threshold_fraction");
            const double amp = clamp ? c["threshold_fraction"].get<double>() * threshold_nA : 0.0;
            const std::vector<double> events = clamp ? std::vector<double>{} : c["event_times_ms"].get<std::vector<double>>();
            const double w = clamp ? 0.0 : weight;
            const auto fixed = run_fixed(cell, amp, events, w, tstop, repeats);
            const auto variable = run_variable(cell, amp, events, w, tstop, repeats, atol);
            auto row = c;
            row["amp_nA"] = amp;
            row["weight_uS"] = w;
            row["fixed"] = {{"steps", fixed.steps}, {"wall_s", fixed.wall_s}, {"spikes", fixed.spikes}};
            const auto& st = variable.cvode;
            row["cvode"] = {{"steps", variable.steps},
                            {"wall_s", variable.wall_s},
                            {"spikes", variable.spikes},
                            {"rhs_evaluations", st.rhs_evaluations},
                            {"linear_setups", st.linear_setups},
                            {"nonlinear_iterations", st.nonlinear_iterations},
                            {"error_test_failures", st.error_test_failures},
                            {"reinits", st.reinits}};
            out["cases"].push_back(row);
            std::fprintf(stderr, "%s: fixed %ld steps %.3g s, cvode %ld steps %.3g s\n",
                         c["name"].get<std::string>().c_str(), fixed.steps, fixed.wall_s, variable.steps,
                         variable.wall_s);
        }
        std::ofstream(argv[2]) << out.dump(1) << '\n';
    } catch (const std::exception& e) {
        std::fprintf(stderr, "variable_bench: %s\n", e.what());
        return 1;
    }
    return 0;
}
