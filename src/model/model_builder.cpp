// model_builder: a model built table by table from a program. Each table is
// turned into a TOML value (no text is generated or parsed) and read by the
// model file's own table readers, so a program gets the same checks and
// messages as a model file; to_toml writes the tables back as a model file.
#include "cable/mechanisms/mechanism_catalogue.hpp"
#include "model/model_reading.hpp"

#include <ranvier/model_builder.hpp>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <optional>

namespace ranvier {

struct model_builder::written {
    std::vector<std::string> mechanisms; // absolute directories
    std::optional<model_table> simulation;
    std::vector<model_table> populations, projections, poisson, currents;
    std::vector<bool> from_arrays; // per projection: its pairs are in the network's projection
    std::vector<bool> spikes_from_arrays; // per population: its spike times are in the network's population
    std::optional<model_table> record;
};

namespace {

toml_value to_toml_value(const model_value& v, const std::string& where, const std::string& path);

toml_value table_value(const model_table& t, const std::string& where, const std::string& path) {
    toml_value::table_type out;
    for (const auto& [key, value] : t) {
        const std::string dotted = path.empty() ? key : path + "." + key;
        if (!out.emplace(key, to_toml_value(value, where, dotted)).second)
            throw user_error(source_location{where, 0, dotted}, "the key is given twice");
    }
    return toml_value(std::move(out));
}

toml_value to_toml_value(const model_value& v, const std::string& where, const std::string& path) {
    return std::visit(
        [&](const auto& x) -> toml_value {
            using T = std::decay_t<decltype(x)>;
            if constexpr (std::is_same_v<T, model_list>) {
                toml_value::array_type out;
                out.reserve(x.size());
                for (const auto& item : x) out.push_back(to_toml_value(item, where, path));
                return toml_value(std::move(out));
            } else if constexpr (std::is_same_v<T, model_table>) {
                return table_value(x, where, path);
            } else if constexpr (std::is_same_v<T, std::int64_t>) {
                return toml_value(static_cast<toml::integer>(x));
            } else {
                return toml_value(x);
            }
        },
        v.value);
}

const model_value* find(const model_table& t, std::string_view key) {
    for (const auto& [k, v] : t)
        if (k == key) return &v;
    return nullptr;
}

// File names are resolved now, against the working directory: the model
// written by to_toml then reads back from any folder.
model_table with_absolute_paths(model_table t) {
    for (auto& [key, value] : t)
        if (key == "morphology" || key == "spikes")
            if (const auto* text = std::get_if<std::string>(&value.value);
                text && !text->empty() && std::filesystem::path(*text).is_relative())
                value = std::filesystem::absolute(*text).lexically_normal().string();
    return t;
}

// ---- writing TOML --------------------------------------------------------------

std::string number_text(double x) {
    if (std::isnan(x)) return "nan";
    if (std::isinf(x)) return x > 0 ? "inf" : "-inf";
    char buffer[40];
    // the shortest text that reads back as the same double ("0.1", not "0.10000000000000001")
    const auto end = std::to_chars(buffer, buffer + sizeof buffer, x).ptr;
    std::string s(buffer, end);
    if (s.find_first_of(".eEn") == std::string::npos) s += ".0"; // a TOML float, not an integer
    return s;
}

std::string toml_string(std::string_view s) {
    std::string out = "\"";
    for (const char c : s) {
        switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\t': out += "\\t"; break;
        case '\r': out += "\\r"; break;
        default:
            if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
                char buffer[8];
                std::snprintf(buffer, sizeof buffer, "\\u%04x", static_cast<unsigned>(c));
                out += buffer;
            } else {
                out += c;
            }
        }
    }
    return out + "\"";
}

std::string key_text(const std::string& key) {
    const bool bare = !key.empty() && std::all_of(key.begin(), key.end(), [](unsigned char c) {
        return std::isalnum(c) || c == '_' || c == '-';
    });
    return bare ? key : toml_string(key);
}

void write_value(std::string& out, const model_value& v) {
    std::visit(
        [&](const auto& x) {
            using T = std::decay_t<decltype(x)>;
            if constexpr (std::is_same_v<T, bool>) {
                out += x ? "true" : "false";
            } else if constexpr (std::is_same_v<T, std::int64_t>) {
                out += std::to_string(x);
            } else if constexpr (std::is_same_v<T, double>) {
                out += number_text(x);
            } else if constexpr (std::is_same_v<T, std::string>) {
                out += toml_string(x);
            } else if constexpr (std::is_same_v<T, model_list>) {
                out += "[";
                for (std::size_t k = 0; k < x.size(); ++k) {
                    if (k) out += ", ";
                    write_value(out, x[k]);
                }
                out += "]";
            } else {
                out += "{ ";
                for (std::size_t k = 0; k < x.size(); ++k) {
                    if (k) out += ", ";
                    out += key_text(x[k].first) + " = ";
                    write_value(out, x[k].second);
                }
                out += x.empty() ? "}" : " }";
            }
        },
        v.value);
}

void write_table(std::string& out, const std::string& header, const model_table& t) {
    out += header + "\n";
    for (const auto& [key, value] : t) {
        out += key_text(key) + " = ";
        write_value(out, value);
        out += "\n";
    }
}

// The number y written in `unit` whose reading (y * factor, as the reader
// converts) gives exactly `stored`: weights onto cable cells are read in nS
// and stored in uS, so y = stored / factor, corrected by an ulp or two.
double exact_preimage(double stored, double factor) {
    const double q = stored / factor;
    if (q * factor == stored) return q;
    double lo = q, hi = q;
    for (int k = 0; k < 8; ++k) {
        lo = std::nextafter(lo, -INFINITY);
        hi = std::nextafter(hi, INFINITY);
        if (lo * factor == stored) return lo;
        if (hi * factor == stored) return hi;
    }
    return q; // not reached for a value the reader stored (it is some y * factor)
}

// The pairs, weights and delays of an explicit projection as model-file keys.
void write_explicit(std::string& out, const network_model& network, const projection_spec& spec) {
    const auto& c = *spec.connections;
    // gid -> index in the concatenated source (target) populations
    const auto index_of = [&](const std::vector<std::string>& names, gid_type gid) -> std::uint64_t {
        std::uint64_t offset = 0;
        for (const auto& name : names)
            for (const auto& p : network.populations)
                if (p.name == name) {
                    if (gid >= p.first_gid && gid - p.first_gid < p.size) return offset + (gid - p.first_gid);
                    offset += p.size;
                }
        throw internal_error("to_toml: gid " + std::to_string(gid) + " is outside its projection");
    };
    out += "pairs = [";
    for (std::size_t k = 0; k < c.pairs.size(); ++k) {
        out += k == 0 ? "" : (k % 8 == 0 ? ",\n  " : ", ");
        out.append("[").append(std::to_string(index_of(spec.sources, c.pairs[k].first)));
        out.append(", ").append(std::to_string(index_of(spec.targets, c.pairs[k].second))).append("]");
    }
    out += "]\n";
    const auto list = [&](const char* key, const std::vector<double>& values, const char* unit, double factor) {
        if (values.empty()) return;
        out += std::string(key) + " = [";
        for (std::size_t k = 0; k < values.size(); ++k) {
            out += k == 0 ? "" : (k % 8 == 0 ? ",\n  " : ", ");
            out.append("\"").append(number_text(factor == 1 ? values[k] : exact_preimage(values[k], factor)));
            out.append(" ").append(unit).append("\"");
        }
        out += "]\n";
    };
    const population_spec* target = nullptr;
    for (const auto& p : network.populations)
        if (p.name == spec.targets.front()) target = &p;
    if (target->kind == cell_kind::artificial) {
        // NET_RECEIVE's plain numbers.
        if (!c.weights.empty()) {
            out += "weights = [";
            for (std::size_t k = 0; k < c.weights.size(); ++k)
                out.append(k == 0 ? "" : (k % 8 == 0 ? ",\n  " : ", ")).append(number_text(c.weights[k]));
            out += "]\n";
        }
    } else if (target->kind == cell_kind::cable) list("weights", c.weights, "nS", 1e-3); // stored in uS
    else if (target->lif.synapse == lif_synapse::delta) list("weights", c.weights, "mV", 1);
    else list("weights", c.weights, "pA", 1);
    list("delays", c.delays, "ms", 1);
}

// A spike_source population's per-cell times (ms) as an inline table, read
// back by the model file's reader into the same lists.
void write_inline_spikes(std::string& out, const population_spec& p) {
    std::string cells = "cells = [", times = "times = [";
    std::size_t k = 0;
    for (std::size_t c = 0; c < p.source_times.size(); ++c)
        for (const double t : p.source_times[c]) {
            const char* separator = k == 0 ? "" : (k % 16 == 0 ? ",\n  " : ", ");
            cells.append(separator).append(std::to_string(c));
            times.append(separator).append(number_text(t));
            ++k;
        }
    // newlines only inside the arrays: TOML's inline tables allow no others
    out += "spikes = { " + cells + "], " + times + "], unit = \"ms\" }\n";
}

// A value of a parsed model file as a model_value (the values a model file
// can hold: no dates or times).
model_value from_toml(const toml_value& v) {
    if (v.is_boolean()) return model_value(v.as_boolean());
    if (v.is_integer()) return model_value(static_cast<std::int64_t>(v.as_integer()));
    if (v.is_floating()) return model_value(static_cast<double>(v.as_floating()));
    if (v.is_string()) return model_value(std::string(v.as_string().str));
    if (v.is_array()) {
        model_list l;
        l.reserve(v.as_array().size());
        for (const auto& x : v.as_array()) l.push_back(from_toml(x));
        return model_value(std::move(l));
    }
    if (v.is_table()) {
        model_table t;
        for (const auto& [k, x] : v.as_table()) t.emplace_back(k, from_toml(x));
        return model_value(std::move(t));
    }
    throw internal_error("model_file_to_toml: a value of a type model files do not use");
}

// [simulation] of a model's t_stop and options: every key, so that the text
// reads back to exactly these options.
model_table simulation_table(const model_file& m) {
    const simulation_options& o = m.options;
    const auto time = [](double ms) { return model_value(number_text(ms) + " ms"); };
    model_table t{{"t_stop", time(m.t_stop)},
                  {"dt", time(o.dt)},
                  {"mode", to_string(o.mode)},
                  {"scheme", to_string(o.scheme)},
                  {"seed", static_cast<std::int64_t>(o.seed)},
                  {"threads", static_cast<std::int64_t>(o.threads)},
                  {"group_size", static_cast<std::int64_t>(o.group_size)},
                  {"atol", o.atol},
                  {"rtol", o.rtol},
                  {"event_window", time(o.event_window)},
                  {"hybrid", o.hybrid},
                  {"hybrid_window", time(o.hybrid_window)},
                  {"hybrid_cvode_step_cost", o.hybrid_cvode_step_cost}};
    if (!o.atol_scale.empty()) {
        model_table scale;
        for (const auto& [state, factor] : o.atol_scale) scale.emplace_back(state, factor);
        t.emplace_back("atol_scale", std::move(scale));
    }
    return t;
}

} // namespace

std::string model_file_to_toml(const model_file& m) {
    if (!m.text)
        throw user_error(source_location{m.network.origin, 0, ""},
                         "this model was not read from model-file text kept for writing (Python's "
                         "load_model, parse_model): a model built in Python is written by Network.to_toml()");
    const toml_value document = parse_toml_document(*m.text, m.network.origin);
    const auto& top = document.as_table();
    std::string out = "# Written by Ranvier from " + m.network.origin + "\n";
    write_table(out, "\n[simulation]", simulation_table(m));
    const std::filesystem::path base = std::filesystem::path(m.network.origin).parent_path();
    const auto tables = [&](const char* key, const char* header, bool resolve_paths) {
        const auto it = top.find(key);
        if (it == top.end()) return;
        for (const auto& item : it->second.as_array()) {
            model_table t = std::get<model_table>(from_toml(item).value);
            if (resolve_paths)
                for (auto& [name, value] : t)
                    if (name == "morphology" || name == "spikes")
                        if (const auto* text = std::get_if<std::string>(&value.value);
                            text && !text->empty() && std::filesystem::path(*text).is_relative())
                            value = std::filesystem::absolute(base / *text).lexically_normal().string();
            write_table(out, header, t);
        }
    };
    tables("population", "\n[[population]]", true);
    tables("projection", "\n[[projection]]", false);
    tables("poisson", "\n[[poisson]]", false);
    tables("current", "\n[[current]]", false);
    if (const auto it = top.find("record"); it != top.end())
        write_table(out, "\n[record]", std::get<model_table>(from_toml(it->second).value));
    return out;
}

model_builder::model_builder(std::string origin) : written_(std::make_unique<written>()) {
    model_.network.origin = std::move(origin);
}
model_builder::~model_builder() = default;
model_builder::model_builder(const model_builder& other)
    : model_(other.model_), written_(std::make_unique<written>(*other.written_)) {}
model_builder& model_builder::operator=(const model_builder& other) {
    if (this != &other) {
        model_ = other.model_;
        written_ = std::make_unique<written>(*other.written_);
    }
    return *this;
}

void model_builder::set_mechanisms(const std::vector<std::string>& dirs, const std::string& where) {
    if (!model_.network.populations.empty())
        throw user_error(source_location{where, 0, "mechanisms"},
                         "give the mechanisms before the first population (populations name them)");
    model_list list;
    std::vector<std::string> absolute;
    for (const auto& d : dirs) {
        absolute.push_back(std::filesystem::absolute(d).lexically_normal().string());
        list.emplace_back(absolute.back());
    }
    const toml_value value = table_value(model_table{{"mechanisms", list}}, where, "");
    network_model& network = model_.network;
    network_model fresh; // unchanged if reading fails
    fresh.origin = network.origin;
    read_mechanisms(toml_table_reader(value, where, ""), "mechanisms", where, fresh);
    network.mechanisms = std::move(fresh.mechanisms);
    network.mechanism_dirs = std::move(fresh.mechanism_dirs);
    written_->mechanisms = std::move(absolute);
}

void model_builder::set_simulation(const model_table& table, const std::string& where) {
    const toml_value value = table_value(table, where, "simulation");
    model_file fresh; // every key not given takes its default again
    fresh.network = std::move(model_.network);
    try {
        read_simulation(toml_table_reader(value, where, "simulation"), fresh);
    } catch (...) {
        model_.network = std::move(fresh.network);
        throw;
    }
    model_ = std::move(fresh);
    written_->simulation = table;
}

void model_builder::add_population(const model_table& given, const std::string& where) {
    const model_table table = with_absolute_paths(given);
    const toml_value value = table_value(table, where, "population");
    population_spec p = read_population(toml_table_reader(value, where, "population"), model_.network.num_cells(),
                                        cable::catalogue_of(model_.network.mechanisms));
    append_population(model_.network, std::move(p), where);
    written_->populations.push_back(table);
    written_->spikes_from_arrays.push_back(false);
}

void model_builder::add_spike_source(const model_table& given, const spike_time_arrays& spikes,
                                     const std::string& where) {
    model_table table = given;
    if (!find(table, "cell")) table.emplace_back("cell", "spike_source");
    const toml_value value = table_value(table, where, "population");
    population_spec p =
        read_population(toml_table_reader(value, where, "population"), model_.network.num_cells(),
                        cable::catalogue_of(model_.network.mechanisms), &spikes);
    append_population(model_.network, std::move(p), where);
    written_->populations.push_back(table);
    written_->spikes_from_arrays.push_back(true);
}

void model_builder::add_projection(const model_table& table, const std::string& where) {
    const toml_value value = table_value(table, where, "projection");
    const model_reading_context context(model_.network);
    model_.network.projections.push_back(read_projection(toml_table_reader(value, where, "projection"), context));
    written_->projections.push_back(table);
    written_->from_arrays.push_back(false);
}

void model_builder::add_explicit_projection(const model_table& given, const explicit_arrays& arrays,
                                            const std::string& where) {
    model_table table = given;
    if (const model_value* rule = find(table, "rule");
        rule && !(std::holds_alternative<std::string>(rule->value) && std::get<std::string>(rule->value) == "explicit"))
        throw user_error(source_location{where, 0, "projection.rule"},
                         "connections given as arrays need rule = \"explicit\" (or no rule)");
    if (!find(table, "rule")) table.emplace_back("rule", "explicit");
    const toml_value value = table_value(table, where, "projection");
    const model_reading_context context(model_.network);
    model_.network.projections.push_back(
        read_projection(toml_table_reader(value, where, "projection"), context, &arrays));
    written_->projections.push_back(table);
    written_->from_arrays.push_back(true);
}

void model_builder::add_poisson(const model_table& table, const std::string& where) {
    const toml_value value = table_value(table, where, "poisson");
    const model_reading_context context(model_.network);
    model_.network.poisson_inputs.push_back(read_poisson(toml_table_reader(value, where, "poisson"), context));
    written_->poisson.push_back(table);
}

void model_builder::add_current(const model_table& table, const std::string& where) {
    const toml_value value = table_value(table, where, "current");
    const model_reading_context context(model_.network);
    model_.network.currents.push_back(read_current(toml_table_reader(value, where, "current"), context));
    written_->currents.push_back(table);
}

void model_builder::set_record(const model_table& table, const std::string& where) {
    const toml_value value = table_value(table, where, "record");
    const model_reading_context context(model_.network);
    model_.network.record = read_record(toml_table_reader(value, where, "record"), context);
    written_->record = table;
}

model_file model_builder::to_model_file() const {
    if (model_.network.populations.empty())
        throw user_error(source_location{model_.network.origin, 0, "population"},
                         "the model has no population: add at least one");
    check_run_options(model_.network, model_.options);
    return model_;
}

std::string model_builder::to_toml() const {
    std::string out = "# Written by Ranvier's model_builder (" + model_.network.origin + ")\n";
    if (!written_->mechanisms.empty()) {
        out += "mechanisms = [";
        for (std::size_t k = 0; k < written_->mechanisms.size(); ++k)
            out += (k ? ", " : "") + toml_string(written_->mechanisms[k]);
        out += "]\n";
    }
    if (written_->simulation) write_table(out, "\n[simulation]", *written_->simulation);
    for (std::size_t k = 0; k < written_->populations.size(); ++k) {
        write_table(out, "\n[[population]]", written_->populations[k]);
        if (written_->spikes_from_arrays[k]) write_inline_spikes(out, model_.network.populations[k]);
    }
    for (std::size_t k = 0; k < written_->projections.size(); ++k) {
        write_table(out, "\n[[projection]]", written_->projections[k]);
        if (written_->from_arrays[k]) write_explicit(out, model_.network, model_.network.projections[k]);
    }
    for (const auto& t : written_->poisson) write_table(out, "\n[[poisson]]", t);
    for (const auto& t : written_->currents) write_table(out, "\n[[current]]", t);
    if (written_->record) write_table(out, "\n[record]", *written_->record);
    return out;
}

} // namespace ranvier
