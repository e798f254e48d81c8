// Reading the stimulus tables [[poisson]] and [[current]], and [record].
#include "model/model_reading.hpp"


#include <algorithm>
#include <cmath>
#include <unordered_set>

namespace ranvier {
namespace {

// The merged rate of a [[poisson]] table onto one cell (rate * count). A
// cortical neuron with 10^4 synapses firing at 100 Hz receives 10^6 Hz; the
// limit leaves a factor of 1000 and keeps every draw sane: the fixed-step
// count table has about rate * dt entries (10^5 at dt = 0.1 ms), the
// event-driven LIF draws one interval per event.
constexpr double max_poisson_rate_hz = 1e9;

std::vector<std::string> names_of(const std::vector<const population_spec*>& pops) {
    std::vector<std::string> names;
    for (const auto* p : pops) names.push_back(p->name);
    return names;
}

} // namespace

std::vector<double> read_quantity_list(const toml_table_reader& r, std::string_view key, dimension d) {
    const toml_value& v = r.require(key, "a list of " + to_string(d) + "s");
    if (!v.is_array())
        r.fail(key, "expected a list such as [\"" + example_quantity(d) + "\", ...], got " +
                        describe_toml_type(v));
    std::vector<double> out;
    for (const auto& item : v.as_array()) out.push_back(r.quantity_of(item, key, d));
    if (out.empty()) r.fail(key, "the list is empty; give at least one value");
    return out;
}

namespace {

void check_window(const toml_table_reader& r, double start, double stop) {
    if (start < 0) r.fail("start", "must be >= 0 ms");
    if (!(stop > start)) r.fail("stop", "must be after start");
}

// Poisson trains and injected currents are point-neuron inputs: cable cells
// get theirs through synapses, stimuli and events.
void reject_cable_targets(const toml_table_reader& r, const std::vector<const population_spec*>& targets,
                          const std::string& instead) {
    for (const auto* p : targets)
        if (p->kind == cell_kind::cable)
            r.fail("target", "population '" + p->name + "' is made of cable cells, which take no such input: " + instead);
        else if (p->kind == cell_kind::artificial)
            r.fail("target", "population '" + p->name + "' is made of artificial cells, which take events "
                             "only: connect a spike source (cell = \"poisson_source\") with a [[projection]]");
    reject_source_targets(r, "target", targets);
}

} // namespace

std::vector<gid_type> read_cells(const toml_table_reader& r, std::string_view key,
                                 const std::vector<const population_spec*>& populations) {
    const toml_value* v = r.find(key);
    if (!v) return {};
    std::uint64_t n = 0;
    for (const auto* p : populations) n += p->size;
    const std::string names = join(names_of(populations));
    const std::string shape = "expected a list of cell indices within " +
                              std::string(populations.size() > 1 ? "the concatenated populations (" + names + ")"
                                                                 : "population '" + names + "'") +
                              ", such as [0, 3]";
    if (!v->is_array()) r.fail(key, shape + ", got " + describe_toml_type(*v));
    if (v->as_array().empty()) r.fail(key, "the list is empty: give at least one cell index, or leave it out for every cell");
    std::vector<gid_type> gids;
    for (const auto& item : v->as_array()) {
        const source_location at = r.where_line(r.line_of(item), key);
        if (!item.is_integer()) throw user_error(at, shape + ", but an element is " + describe_toml_type(item));
        std::int64_t index = item.as_integer();
        if (index < 0 || static_cast<std::uint64_t>(index) >= n)
            throw user_error(at, "cell index " + std::to_string(index) + " is out of range: " +
                                     (populations.size() > 1 ? "the populations (" + names + ") have" : "population '" + names + "' has") +
                                     " cells 0.." + std::to_string(n - 1));
        for (const auto* p : populations) {
            if (static_cast<std::uint64_t>(index) < p->size) {
                gids.push_back(static_cast<gid_type>(p->first_gid + static_cast<std::uint64_t>(index)));
                break;
            }
            index -= static_cast<std::int64_t>(p->size);
        }
    }
    std::vector<gid_type> sorted = gids;
    std::sort(sorted.begin(), sorted.end());
    if (const auto twice = std::adjacent_find(sorted.begin(), sorted.end()); twice != sorted.end())
        r.fail(key, "gid " + std::to_string(*twice) + " is chosen twice: list each cell once");
    return sorted;
}

poisson_spec read_poisson(const toml_table_reader& r, const model_reading_context& context) {
    r.reject_unknown_keys({"target", "cells", "rate", "count", "weight", "start", "stop"});
    poisson_spec spec;
    spec.where = r.where("");
    const auto targets = context.resolve_populations(r, "target");
    reject_cable_targets(r, targets, "connect a LIF population with a [[projection]] to its synapses instead");
    spec.targets = names_of(targets);
    spec.gids = read_cells(r, "cells", targets);
    spec.rate = r.get_quantity("rate", dimension::frequency);
    if (spec.rate < 0) r.fail("rate", "must be >= 0 Hz");
    const std::string bound = format_number(max_poisson_rate_hz) + " Hz";
    if (!(spec.rate <= max_poisson_rate_hz))
        r.fail("rate", "must be at most " + bound + " (" + format_number(max_poisson_rate_hz * 1e-3) +
                           " events per ms onto each cell), got " + format_number(spec.rate) + " Hz");
    spec.count = static_cast<std::uint64_t>(r.get_integer("count", 1, 1'000'000'000, 1));
    // The trains are merged into one of rate * count (exact in double: both
    // factors are bounded, so the product is finite).
    const double merged = spec.rate * static_cast<double>(spec.count);
    if (!(merged <= max_poisson_rate_hz))
        r.fail("count", "rate * count = " + format_number(spec.rate) + " Hz * " +
                            std::to_string(spec.count) + " = " + format_number(merged) +
                            " Hz exceeds the limit of " + bound + " per cell (" +
                            format_number(max_poisson_rate_hz * 1e-3) + " events per ms)");
    spec.weight = context.read_weight(r, targets, [&](dimension d) { return r.get_quantity("weight", d); });
    spec.start = r.get_quantity("start", dimension::time, 0.0);
    spec.stop = r.get_quantity("stop", dimension::time, time_infinity);
    check_window(r, spec.start, spec.stop);
    return spec;
}

current_spec read_current(const toml_table_reader& r, const model_reading_context& context) {
    const std::string kind = r.get_string("kind");
    current_spec spec;
    spec.where = r.where("");
    if (kind == "dc") {
        r.reject_unknown_keys({"target", "cells", "kind", "amplitude", "start", "stop"});
        const double amplitude = r.get_quantity("amplitude", dimension::current);
        const double start = r.get_quantity("start", dimension::time, 0.0);
        const double stop = r.get_quantity("stop", dimension::time, time_infinity);
        check_window(r, start, stop);
        spec.current.time = {start};
        spec.current.amplitude = {amplitude};
        if (std::isfinite(stop)) {
            spec.current.time.push_back(stop);
            spec.current.amplitude.push_back(0.0);
        }
    } else if (kind == "step") {
        r.reject_unknown_keys({"target", "cells", "kind", "times", "amplitudes"});
        spec.current.time = read_quantity_list(r, "times", dimension::time);
        spec.current.amplitude = read_quantity_list(r, "amplitudes", dimension::current);
        if (spec.current.time.size() != spec.current.amplitude.size())
            r.fail("amplitudes", "has " + std::to_string(spec.current.amplitude.size()) +
                                     " values but times has " + std::to_string(spec.current.time.size()) +
                                     ": give one amplitude per time");
        if (spec.current.time.front() < 0) r.fail("times", "must be >= 0 ms");
        if (std::adjacent_find(spec.current.time.begin(), spec.current.time.end(),
                               [](double a, double b) { return !(a < b); }) != spec.current.time.end())
            r.fail("times", "must be strictly increasing");
    } else {
        r.fail("kind", "unknown current kind '" + kind + "' (valid: dc, step)");
    }
    const auto targets = context.resolve_populations(r, "target");
    reject_cable_targets(r, targets, "place an IClamp under the population's stimuli instead");
    spec.targets = names_of(targets);
    spec.gids = read_cells(r, "cells", targets);
    return spec;
}

namespace {

// A sampling interval: > 0 (whole steps in the fixed-step modes:
// check_run_options, which reports at `where`).
double read_interval(const toml_table_reader& t, double fallback, source_location& where) {
    const double interval = t.get_quantity("interval", dimension::time, fallback);
    if (!(interval > 0)) t.fail("interval", "must be > 0 ms");
    where = t.where("interval");
    return interval;
}

// A list of distinct, existing gids under `key`.
std::vector<gid_type> read_gids(const toml_table_reader& t, const model_reading_context& context) {
    const toml_value& gids = t.require("gids", "a list of gids such as [0, 1, 2]");
    if (!gids.is_array()) t.fail("gids", "expected a list of gids such as [0, 1, 2], got " + describe_toml_type(gids));
    const std::int64_t n = context.model().num_cells();
    std::unordered_set<std::int64_t> seen;
    std::vector<gid_type> out;
    for (const auto& g : gids.as_array()) {
        const source_location at = t.where_line(t.line_of(g), "gids");
        if (!g.is_integer()) throw user_error(at, "expected integer gids, got " + describe_toml_type(g));
        const std::int64_t gid = g.as_integer();
        if (gid < 0 || gid >= n)
            throw user_error(at, "gid " + std::to_string(gid) + " does not exist: the model has gids 0.." +
                                     std::to_string(n - 1));
        if (!seen.insert(gid).second)
            throw user_error(at, "gid " + std::to_string(gid) + " is listed twice");
        if (const population_spec& p = context.population_of(static_cast<gid_type>(gid));
            p.kind == cell_kind::spike_source)
            throw user_error(at, "gid " + std::to_string(gid) + " is a spike source (population '" + p.name +
                                     "'), which has no state to record: its spikes are recorded with the others");
        out.push_back(static_cast<gid_type>(gid));
    }
    return out;
}

} // namespace

record_spec read_record(const toml_table_reader& r, const model_reading_context& context) {
    r.reject_unknown_keys({"spikes", "voltage", "probes"});
    record_spec spec;
    if (const toml_value* spikes = r.find("spikes"); spikes && !spikes->is_boolean()) {
        // spikes = "E" or ["E", "I"]: only these populations' spikes are kept
        if (!spikes->is_string() && !spikes->is_array())
            r.fail("spikes", "expected true, false, or population names such as [\"E\"], got " +
                                 describe_toml_type(*spikes));
        for (const population_spec* p : context.resolve_populations(r, "spikes"))
            spec.spike_populations.push_back(p->name);
    } else {
        spec.spikes = r.get_bool("spikes", true);
    }
    if (r.has("voltage")) {
        const toml_table_reader v = r.sub_table("voltage");
        v.reject_unknown_keys({"gids", "interval"});
        spec.voltage_interval = read_interval(v, spec.voltage_interval, spec.voltage_interval_where);
        spec.voltage_gids = read_gids(v, context);
    }
    if (const toml_value* probes = r.find("probes")) {
        if (!probes->is_array())
            r.fail("probes", "expected a list of probes such as [{ gids = [0], variable = \"hh.m\", "
                             "location = \"soma(0.5)\", interval = \"0.1 ms\" }], got " +
                                 describe_toml_type(*probes));
        std::size_t k = 0;
        for (const auto& item : probes->as_array()) {
            const std::string name = "probes[" + std::to_string(k++) + "]";
            if (!item.is_table())
                throw user_error(r.where_line(r.line_of(item), "probes"),
                                 "expected a table { gids, variable, location, interval }, got " +
                                     describe_toml_type(item));
            const toml_table_reader p(item, r.origin(), r.path() + "." + name);
            p.reject_unknown_keys({"gids", "population", "cells", "variable", "location", "interval"});
            probe_spec ps;
            if (p.has("population")) {
                // The cells of one population by index (all of them without `cells`).
                if (p.has("gids")) p.fail("gids", "give gids or population (with cells), not both");
                const auto pops = context.resolve_populations(p, "population");
                for (const auto* pop : pops)
                    if (pop->kind == cell_kind::spike_source)
                        p.fail("population", "population '" + pop->name +
                                                 "' is made of spike sources, which have no state to record");
                ps.gids = read_cells(p, "cells", pops);
                if (ps.gids.empty())
                    for (const auto* pop : pops)
                        for (gid_type i = 0; i < pop->size; ++i) ps.gids.push_back(pop->first_gid + i);
            } else {
                if (p.has("cells")) p.fail("cells", "needs population = \"name\" (cells are indices within it)");
                ps.gids = read_gids(p, context);
            }
            ps.what.variable = p.get_string("variable", "v");
            if (ps.what.variable.empty())
                p.fail("variable", "must be 'v' or '<mechanism>.<state>' such as \"hh.m\"");
            ps.what.location = p.get_string("location", "");
            ps.what.interval = read_interval(p, 0.1, ps.interval_where);
            spec.probes.push_back(std::move(ps));
        }
    }
    return spec;
}

} // namespace ranvier
