// Entry points of the model file reader: TOML parsing, the top-level tables
// in dependency order ([simulation], [[population]], then the rest), and the
// checks shared by the table readers. Format reference: docs/model-file.md.
#include "cable/mechanisms/mechanism_catalogue.hpp"
#include "model/builtin_models.hpp"
#include "model/distribution_sampling.hpp"
#include "model/model_reading.hpp"
#include "time/time_grid.hpp"

#include <ranvier/network_model.hpp>
#include <ranvier/run_limits.hpp>
#include <ranvier/simulation_options.hpp>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <fstream>
#include <limits>
#include <sstream>

namespace ranvier {

// ---- model_reading_context ---------------------------------------------------

std::vector<const population_spec*> model_reading_context::resolve_populations(
    const toml_table_reader& r, std::string_view key) const {
    std::vector<const population_spec*> out;
    std::vector<std::string> existing;
    for (const auto& p : model_.populations) existing.push_back(p.name);
    for (const std::string& name : r.get_name_list(key)) {
        const auto it = std::find_if(model_.populations.begin(), model_.populations.end(),
                                     [&](const population_spec& p) { return p.name == name; });
        if (it == model_.populations.end()) {
            const std::string suggestion = closest_word(name, existing);
            r.fail(key, "no population is named '" + name + "'" +
                            (suggestion.empty() ? "" : "; did you mean '" + suggestion + "'?") +
                            " (populations: " + join(existing) + ")");
        }
        out.push_back(&*it);
    }
    return out;
}

dimension model_reading_context::weight_dimension(const toml_table_reader& r, std::string_view key,
                                                  const std::vector<const population_spec*>& targets) const {
    const population_spec* delta = nullptr;
    const population_spec* current = nullptr;
    const population_spec* cable = nullptr;
    for (const auto* p : targets) {
        if (p->kind == cell_kind::cable) cable = p;
        else (p->lif.synapse == lif_synapse::delta ? delta : current) = p;
    }
    if (cable && (delta || current))
        r.fail(key, "mixes population '" + cable->name + "' (cable cells, weights in uS) and '" +
                        (delta ? delta : current)->name +
                        "' (LIF cells): split it into one table per cell kind");
    if (cable) return dimension::conductance;
    if (delta && current)
        r.fail(key, "mixes population '" + delta->name + "' (delta synapses, weights in mV) and '" +
                        current->name + "' (" + to_string(current->lif.synapse) +
                        " synapses, weights in pA): split it into one table per synapse kind");
    return delta ? dimension::voltage : dimension::current;
}

const population_spec& model_reading_context::population_of(gid_type gid) const {
    for (const auto& p : model_.populations)
        if (gid >= p.first_gid && gid - p.first_gid < p.size) return p;
    throw internal_error("population_of: gid " + std::to_string(gid) + " is in no population");
}

void model_reading_context::check_delay(const toml_table_reader& r, std::string_view key,
                                        const distribution& delay) const {
    const double lowest = lowest_value(delay);
    const bool never_zero = delay.type == distribution::kind::lognormal && !delay.negative;
    if (!(lowest > 0) && !(never_zero && lowest >= 0))
        r.fail(key, delay.type == distribution::kind::constant || delay.type == distribution::kind::uniform
                        ? "delays must be > 0 ms"
                        : "delays must be > 0 ms: give the distribution a bound such as low = \"0.1 ms\"");
}

// ---- top level ---------------------------------------------------------------

namespace {

const std::vector<std::string> top_level_keys{"simulation", "population", "projection",
                                              "poisson",    "current",    "record",     "mechanisms"};

} // namespace

void read_simulation(const toml_table_reader& r, model_file& model) {
    r.reject_unknown_keys({"t_stop", "dt", "seed", "mode", "threads", "group_size", "atol", "rtol",
                           "atol_scale", "event_window", "scheme", "hybrid",
                           "hybrid_window", "hybrid_cvode_step_cost"});
    model.t_stop = r.get_quantity("t_stop", dimension::time, model.t_stop);
    if (!(model.t_stop > 0)) r.fail("t_stop", "must be > 0 ms");
    simulation_options& o = model.options;
    o.dt = r.get_quantity("dt", dimension::time, o.dt);
    if (!(o.dt > 0)) r.fail("dt", "must be > 0 ms");
    if (const std::string problem = dt_problem(o.dt); !problem.empty()) r.fail("dt", problem);
    if (const std::string problem = run_length_problem(model.t_stop, o.dt); !problem.empty())
        r.fail("t_stop", problem);
    o.seed = static_cast<std::uint64_t>(
        r.get_integer("seed", 0, std::numeric_limits<std::int64_t>::max(), 0));
    if (r.has("mode")) {
        try {
            o.mode = parse_execution_mode(r.get_string("mode"));
        } catch (const user_error& e) {
            r.fail("mode", e.what());
        }
    }
    if (r.has("scheme")) {
        try {
            o.scheme = parse_cable_scheme(r.get_string("scheme"));
        } catch (const user_error& e) {
            r.fail("scheme", e.what());
        }
    }
    o.threads = static_cast<unsigned>(r.get_integer("threads", 1, max_threads, o.threads));
    o.group_size = static_cast<std::size_t>(
        r.get_integer("group_size", 0, std::numeric_limits<std::int64_t>::max(), 0));
    // Variable-step tolerances: plain numbers (atol is in each state's own
    // unit, mV for v), as in NEURON's cvode.atol() / rtol().
    o.atol = r.get_number("atol", o.atol);
    if (!(o.atol > 0) || !std::isfinite(o.atol)) r.fail("atol", "must be a number > 0, e.g. 1e-3");
    o.rtol = r.get_number("rtol", o.rtol);
    if (!(o.rtol >= 0) || !std::isfinite(o.rtol)) r.fail("rtol", "must be a number >= 0, e.g. 0");
    if (r.has("atol_scale")) {
        const toml_table_reader scales = r.sub_table("atol_scale");
        const cable::mechanism_catalogue& catalogue = cable::catalogue_of(model.network.mechanisms);
        for (const auto& [name, value] : scales.table_view()) {
            const double factor = scales.number_of(value, name);
            const std::string problem = cable::atol_scale_problem(catalogue, name, factor);
            if (!problem.empty())
                scales.fail(name, problem + (problem.starts_with("'")
                                                 ? " (quote names with a dot: \"hh.m\" = 0.5)"
                                                 : ""));
            o.atol_scale.emplace_back(name, factor);
        }
    }
    o.event_window = r.get_quantity("event_window", dimension::time, o.event_window);
    if (!(o.event_window >= 0) || !std::isfinite(o.event_window))
        r.fail("event_window", "must be >= 0 ms (0: every event acts exactly at its time)");
    // Hybrid stepping of cable cells (variable-step modes).
    o.hybrid = r.get_bool("hybrid", o.hybrid);
    o.hybrid_window = r.get_quantity("hybrid_window", dimension::time, o.hybrid_window);
    if (!(o.hybrid_window > 0) || !std::isfinite(o.hybrid_window))
        r.fail("hybrid_window", "must be > 0 ms (a whole number of steps dt), e.g. \"5 ms\"");
    o.hybrid_cvode_step_cost = r.get_number("hybrid_cvode_step_cost", o.hybrid_cvode_step_cost);
    if (!(o.hybrid_cvode_step_cost > 0) || !std::isfinite(o.hybrid_cvode_step_cost))
        r.fail("hybrid_cvode_step_cost", "must be a number > 0 (one CVODE step in fixed steps), e.g. 4");
    if (o.hybrid && o.event_window > 0)
        r.fail("hybrid", "cannot be combined with event_window > 0: set one of them off");
}

void append_population(network_model& model, population_spec p, const std::string& origin) {
    for (const auto& earlier : model.populations)
        if (earlier.name == p.name)
            throw user_error(source_location{origin, p.where.line, "population.name"},
                             "a population named '" + p.name + "' already exists" +
                                 (earlier.where.line > 0 ? " (line " + std::to_string(earlier.where.line) + ")"
                                                         : std::string()) +
                                 ": names must be unique");
    const std::uint64_t first = model.num_cells();
    if (first + p.size >= std::numeric_limits<gid_type>::max())
        throw user_error(source_location{origin, p.where.line, "population.size"},
                         "the model has more than " + std::to_string(std::numeric_limits<gid_type>::max() - 1) +
                             " cells, the most gids can number");
    p.first_gid = static_cast<gid_type>(first);
    model.populations.push_back(std::move(p));
}

namespace {

// The entries of an array of tables ([[name]]), or none if absent.
const std::vector<toml_value>* array_of_tables(const toml_table_reader& top, std::string_view key) {
    const toml_value* v = top.find(key);
    if (!v) return nullptr;
    const std::string header = "[[" + std::string(key) + "]]";
    if (!v->is_array())
        top.fail(key, "expected " + header + " tables (an array of tables: write " + header +
                          " before each one), got " + describe_toml_type(*v));
    for (const auto& item : v->as_array())
        if (!item.is_table())
            throw user_error(top.where_line(top.line_of(item), key),
                             "expected " + header + " tables, but an element is " + describe_toml_type(item));
    return &v->as_array();
}

model_file read_model(const toml_value& document, const std::string& origin) {
    const toml_table_reader top(document, origin, "");
    top.reject_unknown_keys(top_level_keys);

    model_file file;
    network_model& model = file.network;
    model.origin = origin;
    // The mechanisms first: populations and atol_scale name them.
    if (top.has("mechanisms")) read_mechanisms(top, "mechanisms", origin, model);
    if (top.has("simulation")) read_simulation(top.sub_table("simulation"), file);
    const cable::mechanism_catalogue& mechanisms = cable::catalogue_of(model.mechanisms);

    const auto* populations = array_of_tables(top, "population");
    if (!populations || populations->empty())
        throw user_error(source_location{origin, 0, "population"},
                         "the model has no [[population]]: add at least one");
    for (const auto& table : *populations)
        append_population(model,
                          read_population(toml_table_reader(table, origin, "population"), model.num_cells(), mechanisms),
                          origin);

    const model_reading_context context(model);
    if (const auto* tables = array_of_tables(top, "projection"))
        for (const auto& t : *tables)
            model.projections.push_back(read_projection(toml_table_reader(t, origin, "projection"), context));
    if (const auto* tables = array_of_tables(top, "poisson"))
        for (const auto& t : *tables)
            model.poisson_inputs.push_back(read_poisson(toml_table_reader(t, origin, "poisson"), context));
    if (const auto* tables = array_of_tables(top, "current"))
        for (const auto& t : *tables)
            model.currents.push_back(read_current(toml_table_reader(t, origin, "current"), context));
    if (top.has("record")) model.record = read_record(top.sub_table("record"), context);
    check_run_options(model, file.options);
    return file;
}

constexpr const char* toml_source_name = "<model>";

std::string without_prefix(std::string text, std::string_view prefix) {
    if (text.rfind(prefix, 0) == 0) text.erase(0, prefix.size());
    return text;
}

} // namespace

toml_value parse_toml_document(const std::string& text, const std::string& origin) {
    // The TOML library reads out of bounds on malformed UTF-8: check first.
    check_utf8(text, origin);
    try {
        std::istringstream stream(text);
        // toml11 copies the source name into every value it makes: a name
        // within std::string's small-string buffer saves an allocation per
        // copy (a third of the parse time of long lists). Messages get the
        // file's name back.
        return toml::parse<toml::discard_comments, std::map, std::vector>(stream, toml_source_name);
    } catch (const toml::exception& e) {
        std::string message = without_prefix(e.what(), "[error] ");
        const std::string arrow = std::string(" --> ") + toml_source_name;
        for (std::size_t at = message.find(arrow); at != std::string::npos;
             at = message.find(arrow, at + origin.size()))
            message.replace(at, arrow.size(), " --> " + origin);
        throw user_error(source_location{origin, static_cast<int>(e.location().line()), ""},
                         "TOML syntax error: " + message);
    }
}

model_file parse_model_file(const std::string& text, const std::string& origin) {
    return read_model(parse_toml_document(text, origin), origin);
}

model_file parse_model_file_with_text(const std::string& text, const std::string& origin) {
    model_file file = parse_model_file(text, origin);
    file.text = std::make_shared<const std::string>(text); // for model_file_to_toml
    return file;
}

namespace {

// The text of a model file, read in pieces up to a bound.
std::string read_model_text(const std::string& path) {
    std::ifstream file(path, std::ios::binary);
    if (!file)
        throw user_error(source_location{path, 0, ""},
                         std::string("cannot open the model file: ") + std::strerror(errno));
    // Read in pieces up to a bound: a path such as /dev/zero would otherwise
    // be read until memory runs out. (10^6 explicit pairs take 16 MB.)
    constexpr std::size_t max_bytes = std::size_t{256} << 20;
    std::string text;
    char piece[1 << 16];
    while (file.read(piece, sizeof piece) || file.gcount() > 0) {
        text.append(piece, static_cast<std::size_t>(file.gcount()));
        if (text.size() > max_bytes)
            throw user_error(source_location{path, 0, ""},
                             "the model file is larger than 256 MB (or endless, like a device): "
                             "not a model file");
    }
    return text;
}

} // namespace

model_file load_model_file(const std::string& path) { return parse_model_file(read_model_text(path), path); }

model_file load_model_file_with_text(const std::string& path) {
    return parse_model_file_with_text(read_model_text(path), path);
}

model_file builtin_brunel_model() { return parse_model_file_with_text(builtin::brunel_toml, "builtin:brunel"); }

void check_run_options(const network_model& network, const simulation_options& options) {
    const bool fixed_step = options.mode == execution_mode::bsp_fixed ||
                            options.mode == execution_mode::async_fixed;
    // Hybrid stepping: cells in fixed windows sample at step ends too.
    const bool samples_on_steps = fixed_step || options.hybrid;
    if (!samples_on_steps) return;
    const double dt = options.dt;
    // The fixed-step engines deliver a spike at the earliest one step later.
    for (const projection_spec& p : network.projections) {
        if (!fixed_step) break;
        const double lowest = lowest_value(p.delay);
        if (time_grid(dt).shorter_than_one_step(lowest))
            throw user_error(p.delay_where,
                             "delays must be at least dt = " + format_number(dt) + " ms in mode " +
                                 to_string(options.mode) +
                                 (is_constant(p.delay) ? std::string()
                                                       : " (set low = \"" + format_number(dt) + " ms\" or more)"));
    }
    // Fixed-step modes sample at the end of steps.
    const auto check_interval = [&](double interval, const source_location& where) {
        const double whole = std::round(interval / dt); // for the example only
        if (!time_grid(dt).whole_steps(interval))
            throw user_error(where, "must be a whole number of time steps (dt = " + format_number(dt) +
                                        " ms) in the fixed-step modes and with hybrid stepping, e.g. \"" +
                                        format_number(std::max(1.0, whole) * dt) + " ms\"");
    };
    if (!network.record.voltage_gids.empty())
        check_interval(network.record.voltage_interval, network.record.voltage_interval_where);
    for (const probe_spec& p : network.record.probes) check_interval(p.what.interval, p.interval_where);
}

gid_type network_model::num_cells() const {
    std::uint64_t n = 0;
    for (const auto& p : populations) n += p.size;
    return static_cast<gid_type>(n);
}

} // namespace ranvier
