// Reading a [[population]] with cell = "cable": morphology (SWC file or
// inline sections), discretisation, painted density mechanisms, synapses,
// stimuli, detector, scheduled events, temperature and v_init. Mechanism
// parameters are written with units and converted to the unit the mechanism
// declares (S/cm2, mV, ms, nA, uS). See docs/model-file.md.
#include "model/model_reading.hpp"

#include "cable/cable_state_builder.hpp"
#include "cable/mechanisms/mechanism_catalogue.hpp"
#include "cable/cable_cell_lowering.hpp"

#include <ranvier/cable_cell.hpp>
#include <ranvier/morphology_swc.hpp>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <limits>

namespace ranvier {
namespace {

// A mechanism's declared unit as a model-file dimension and the factor from
// Ranvier's canonical unit of that dimension to the declared one.
struct declared_unit {
    dimension d;
    double from_canonical;
    bool plain = false; // dimensionless: a bare TOML number
};

std::optional<declared_unit> unit_of(const std::string& unit) {
    if (unit == "S/cm2" || unit == "mho/cm2") return declared_unit{dimension::specific_conductance, 1.0};
    if (unit == "mV") return declared_unit{dimension::voltage, 1.0};
    if (unit == "ms") return declared_unit{dimension::time, 1.0};
    if (unit == "nA") return declared_unit{dimension::current, 1e-3};     // pA -> nA
    if (unit == "uS" || unit == "umho") return declared_unit{dimension::conductance, 1e-3}; // nS -> uS
    if (unit == "nS") return declared_unit{dimension::conductance, 1.0};
    if (unit == "pA") return declared_unit{dimension::current, 1.0};
    if (unit == "degC") return declared_unit{dimension::temperature, 1.0};
    if (unit == "mM") return declared_unit{dimension::concentration, 1.0};
    if (unit == "1" || unit.empty()) return declared_unit{dimension::time, 1.0, true};
    return std::nullopt;
}

std::vector<std::string> quantity_names(const std::vector<cable::quantity_info>& q) {
    std::vector<std::string> names;
    for (const auto& x : q) names.push_back(x.name + " (" + x.unit + ")");
    return names;
}

// Element k of the array `key` of `r`, as a table reader.
std::vector<toml_table_reader> table_list(const toml_table_reader& r, std::string_view key) {
    std::vector<toml_table_reader> out;
    const toml_value* v = r.find(key);
    if (!v) return out;
    if (!v->is_array())
        r.fail(key, "expected a list of tables [{ ... }, ...], got " + describe_toml_type(*v));
    const auto& items = v->as_array();
    for (std::size_t k = 0; k < items.size(); ++k) {
        const std::string path = std::string(key) + "[" + std::to_string(k) + "]";
        if (!items[k].is_table())
            throw user_error(r.where_line(r.line_of(items[k]), path),
                             "expected a table { ... }, got " + describe_toml_type(items[k]));
        out.emplace_back(items[k], r.origin(), r.path().empty() ? path : r.path() + "." + path);
    }
    return out;
}

} // namespace

// (model_reading.hpp; artificial cells read theirs with it too)
std::pair<std::string, mechanism_parameters>
read_mechanism(const toml_table_reader& r, const std::vector<std::string>& reserved,
               const cable::mechanism_catalogue& catalogue) {
    const std::string name = r.get_string("mechanism");
    if (!catalogue.contains(name)) {
        const auto known = catalogue.names();
        const std::string suggestion = closest_word(name, known);
        r.fail("mechanism", "unknown mechanism '" + name + "'" +
                                (suggestion.empty() ? "" : "; did you mean '" + suggestion + "'?") +
                                " (known: " + join(known) + ")");
    }
    const auto type = catalogue.type(name);
    mechanism_parameters values;
    for (const auto& [key, value] : r.table_view()) {
        if (key == "mechanism" ||
            std::find(reserved.begin(), reserved.end(), key) != reserved.end())
            continue;
        const int index = type.parameter_index(key);
        if (index < 0 && type.kind == cable::mechanism_kind::density &&
            !type.reversal_potential_ion(key).empty()) {
            // e<ion> of an ion the mechanism reads: set on the painted
            // region's ion (lower_cable_cell), as `ions = [...]` would.
            values.emplace_back(key, r.quantity_of(value, key, dimension::voltage));
            continue;
        }
        if (index < 0) {
            std::vector<std::string> plain;
            for (const auto& q : type.parameters) plain.push_back(q.name);
            const std::string suggestion = closest_word(key, plain);
            r.fail(key, name + " has no parameter '" + key + "'" +
                            (suggestion.empty() ? "" : "; did you mean '" + suggestion + "'?") +
                            " (parameters: " +
                            (plain.empty() ? "none" : join(quantity_names(type.parameters))) + ")");
        }
        const auto& info = type.parameters[static_cast<std::size_t>(index)];
        // A unit the model file has no quantities of (a .mod file's "/ms",
        // "um"): the value is a plain number in that unit.
        const auto unit = unit_of(info.unit).value_or(declared_unit{dimension::time, 1.0, true});
        double x = 0;
        if (unit.plain) {
            if (!value.is_floating() && !value.is_integer())
                r.fail(key, "expected a plain number" +
                                (info.unit == "1" || info.unit.empty() ? std::string()
                                                                       : " (in " + name + "'s unit " + info.unit + ")") +
                                ", got " + describe_toml_type(value));
            x = value.is_floating() ? value.as_floating() : static_cast<double>(value.as_integer());
        } else {
            x = r.quantity_of(value, key, unit.d) * unit.from_canonical;
        }
        values.emplace_back(key, x);
    }
    return {name, values};
}

namespace {

bool all_digits(const std::string& s) {
    return !s.empty() &&
           std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c); });
}

// A location whose section exists in `m` and whose x is in [0, 1].
cable_location read_location(const toml_table_reader& r, std::string_view key,
                             const morphology& m) {
    const std::string text = r.get_string(key);
    cable_location l;
    try {
        l = parse_cable_location(text);
    } catch (const user_error& e) {
        r.fail(key, e.what());
    }
    const bool index_ok = all_digits(l.section) && std::stoul(l.section) < m.size();
    if (!index_ok) {
        try {
            m.find(l.section);
        } catch (const user_error& e) {
            if (std::string(e.what()).find("' names ") != std::string::npos) // an ambiguous stem
                r.fail(key, std::string(e.what()).substr(user_error::format(e.where(), "").size()));
            r.fail(key, "the morphology has no section '" + l.section + "' (sections: " +
                            m.section_summary() + "; or an index 0.." + std::to_string(m.size() - 1) + ")");
        }
    }
    return l;
}

morphology read_inline_sections(const toml_table_reader& r) {
    morphology_builder b;
    std::vector<std::string> names;
    for (const auto& s : table_list(r, "sections")) {
        s.reject_unknown_keys({"name", "parent", "parent_x", "length", "diam", "tag"});
        section_spec spec;
        spec.name = s.get_string("name", "");
        spec.length_um = s.get_quantity("length", dimension::length);
        spec.diam_um = s.get_quantity("diam", dimension::length);
        spec.tag = static_cast<int>(s.get_integer("tag", 1, 1000, names.empty() ? 1 : 3));
        if (const toml_value* parent = s.find("parent")) {
            if (parent->is_integer()) {
                spec.parent = static_cast<int>(
                    s.get_integer("parent", 0, static_cast<std::int64_t>(names.size()) - 1));
            } else {
                const std::string p = s.get_string("parent");
                const auto it = std::find(names.begin(), names.end(), p);
                if (it == names.end())
                    s.fail("parent", "no earlier section is named '" + p + "' (earlier: " +
                                         (names.empty() ? "none" : join(names)) + ")");
                spec.parent = static_cast<int>(it - names.begin());
            }
        } else if (!names.empty()) {
            s.fail("parent", "every section but the first needs a parent (a name or index of an "
                             "earlier section)");
        }
        if (const toml_value* x = s.find("parent_x")) {
            if (!x->is_floating() && !x->is_integer())
                s.fail("parent_x", "expected a number in [0, 1]");
            spec.parent_x =
                x->is_floating() ? x->as_floating() : static_cast<double>(x->as_integer());
        }
        try {
            b.add_section(spec);
        } catch (const user_error& e) {
            s.fail("", e.what());
        }
        names.push_back(spec.name.empty() ? "" : spec.name);
    }
    if (b.size() == 0) r.fail("sections", "needs at least one section");
    return b.build();
}

// The SWC file of morphology = "file.swc", relative to the model file.
std::filesystem::path swc_path(const toml_table_reader& r) {
    const std::filesystem::path file = r.get_string("morphology");
    const std::filesystem::path base = std::filesystem::path(r.origin()).parent_path();
    return file.is_absolute() ? file : base / file;
}

morphology read_morphology(const toml_table_reader& r) {
    if (r.has("morphology") == r.has("sections"))
        r.fail("morphology",
               "give exactly one of morphology = \"file.swc\" (path relative to the model "
               "file) and sections = [{ name, parent, parent_x, length, diam, tag }, ...]");
    if (r.has("sections")) return read_inline_sections(r);
    const std::filesystem::path path = swc_path(r);
    try {
        return load_swc(path.string());
    } catch (const user_error& e) {
        r.fail("morphology", e.what());
    }
}

void read_discretization(const toml_table_reader& r, cable_cell& c) {
    if (!r.has("discretization")) return;
    const toml_table_reader d = r.sub_table("discretization");
    d.reject_unknown_keys({"nseg", "d_lambda", "frequency", "Ra", "cm", "nseg_of"});
    cable_discretization& p = c.discretization;
    if (d.has("nseg") && d.has("d_lambda")) d.fail("d_lambda", "give nseg or d_lambda, not both");
    p.nseg = static_cast<int>(d.get_integer("nseg", 1, 32767, 1));
    if (const toml_value* v = d.find("d_lambda")) {
        if (!v->is_floating() && !v->is_integer())
            d.fail("d_lambda", "expected a number > 0 (fraction of lambda_f)");
        p.d_lambda = v->is_floating() ? v->as_floating() : static_cast<double>(v->as_integer());
        if (!(p.d_lambda > 0)) d.fail("d_lambda", "must be > 0");
    }
    p.frequency = d.get_quantity("frequency", dimension::frequency, p.frequency);
    p.Ra = d.get_quantity("Ra", dimension::resistivity, p.Ra);
    p.cm = d.get_quantity("cm", dimension::specific_capacitance, p.cm);
    if (!(p.Ra > 0)) d.fail("Ra", "must be > 0 ohm*cm");
    if (!(p.cm >= 0)) d.fail("cm", "must be >= 0 uF/cm2");
    if (d.has("nseg_of")) {
        const toml_table_reader per = d.sub_table("nseg_of");
        for (const auto& [name, value] : per.table_view()) {
            if (!all_digits(name)) {
                try {
                    c.morph.find(name);
                } catch (const user_error& e) {
                    per.fail(name, e.what());
                }
            }
            p.nseg_for_section[name] = static_cast<int>(per.get_integer(name, 1, 32767));
        }
    }
}

std::string message_of(const user_error& e) {
    return std::string(e.what()).substr(user_error::format(e.where(), "").size());
}

// Lowers the population's cell once, as the engine will, so that what the
// engine would refuse (a d_lambda rule asking for absurd segment counts, a
// cell too large, a bad mechanism parameter) is reported now, naming the
// model file, the population and, for the geometry, the SWC file and section.
void check_lowering(const toml_table_reader& r, const population_spec& p,
                    const cable::mechanism_catalogue& catalogue) {
    const cable_cell& c = p.cable;
    try {
        (void)discretize_cable_cell(c, "population '" + p.name + "'");
    } catch (const user_error& e) {
        const bool swc = r.has("morphology");
        const std::string key = r.has("discretization") ? "discretization" : swc ? "morphology" : "sections";
        r.fail(key, (swc ? swc_path(r).string() + ": " : std::string()) + message_of(e));
    }
    try {
        cable::cable_state_builder builder(catalogue);
        (void)lower_cable_cell(builder, c, "the cells of population '" + p.name + "'");
    } catch (const user_error& e) {
        r.fail("", message_of(e));
    }
}

} // namespace

population_spec read_cable_population(const toml_table_reader& r, population_spec p,
                                      const cable::mechanism_catalogue& catalogue) {
    r.reject_unknown_keys({"name", "size", "cell", "morphology", "sections", "discretization",
                           "paint", "synapses", "stimuli", "detector", "events", "celsius",
                           "v_init", "ions", "globals"});
    p.kind = cell_kind::cable;
    cable_cell& c = p.cable;
    c.morph = read_morphology(r);
    read_discretization(r, c);
    c.celsius = r.get_quantity("celsius", dimension::temperature, c.celsius);
    c.v_init = r.get_quantity("v_init", dimension::voltage, c.v_init);

    for (const auto& t : table_list(r, "paint")) {
        const std::string where = t.has("region") ? t.get_string("region") : "all";
        try {
            parse_region(where);
        } catch (const user_error& e) {
            t.fail("region", e.what());
        }
        auto [name, values] = read_mechanism(t, {"region"}, catalogue);
        if (catalogue.type(name).kind != cable::mechanism_kind::density)
            t.fail("mechanism",
                   "'" + name + "' is a point process: place it under synapses or stimuli");
        c.paintings.push_back({where, name, values});
    }
    // globals = [{ mechanism = "HHk", usetable = 0 }]: GLOBALs of a mechanism
    // type (celsius excepted: the population's), in the declared unit.
    for (const auto& t : table_list(r, "globals")) {
        const std::string name = t.get_string("mechanism");
        if (!catalogue.contains(name))
            t.fail("mechanism", "unknown mechanism '" + name + "' (known: " + join(catalogue.names()) + ")");
        const auto type = catalogue.type(name);
        std::vector<std::string> settable;
        for (const auto& q : type.globals)
            if (q.name != "celsius") settable.push_back(q.name);
        for (const auto& [key, value] : t.table_view()) {
            if (key == "mechanism") continue;
            const int index = type.global_index(key);
            if (key == "celsius")
                t.fail(key, "the temperature is the population's celsius, not a mechanism setting");
            if (index < 0)
                t.fail(key, name + " has no global '" + key + "' (globals: " +
                                (settable.empty() ? std::string("none") : join(settable)) + ")");
            const auto& info = type.globals[static_cast<std::size_t>(index)];
            const auto unit = unit_of(info.unit).value_or(declared_unit{dimension::time, 1.0, true});
            double x = 0;
            if (unit.plain) {
                if (!value.is_floating() && !value.is_integer())
                    t.fail(key, "expected a plain number, got " + describe_toml_type(value));
                x = value.is_floating() ? value.as_floating() : static_cast<double>(value.as_integer());
            } else {
                x = t.quantity_of(value, key, unit.d) * unit.from_canonical;
            }
            c.globals.push_back({name, key, x});
        }
    }
    // ions = [{ region = "all", ion = "ca", cao = "2 mM", cai = "5e-5 mM" },
    //         { region = "soma", ion = "k", e = "-85 mV" }]
    for (const auto& t : table_list(r, "ions")) {
        const std::string ion = t.get_string("ion");
        if (ion.empty() || !std::all_of(ion.begin(), ion.end(), [](char ch) {
                return std::isalnum(static_cast<unsigned char>(ch)) || ch == '_';
            }))
            t.fail("ion", "expected an ion name such as \"ca\"");
        t.reject_unknown_keys({"region", "ion", "e", ion + "i", ion + "o"});
        cable_ion_setting s;
        s.where = t.has("region") ? t.get_string("region") : "all";
        try {
            parse_region(std::get<std::string>(s.where));
        } catch (const user_error& e) {
            t.fail("region", e.what());
        }
        s.ion = ion;
        if (t.has("e")) s.e = t.get_quantity("e", dimension::voltage);
        for (const auto& [key, field] : {std::pair{ion + "i", &s.ci}, std::pair{ion + "o", &s.co}})
            if (t.has(key)) {
                const double c = t.get_quantity(key, dimension::concentration);
                if (!(c > 0)) t.fail(key, "must be > 0 mM");
                *field = c;
            }
        if (!s.e && !s.ci && !s.co)
            t.fail("ion", "give at least one of e, " + ion + "i, " + ion + "o");
        c.ions.push_back(std::move(s));
    }
    for (const auto& t : table_list(r, "synapses")) {
        const cable_location l = read_location(t, "location", c.morph);
        // The kind first: its parameters would otherwise be reported as unknown.
        const std::string kind = t.get_string("mechanism");
        if (catalogue.contains(kind) && !catalogue.type(kind).receives_events)
            t.fail("mechanism", "'" + kind +
                                    "' receives no events (synapses: ExpSyn, Exp2Syn, or a "
                                    "POINT_PROCESS with NET_RECEIVE); put it under stimuli");
        if (catalogue.contains(kind) && catalogue.type(kind).artificial_cell)
            t.fail("mechanism", "'" + kind + "' is an ARTIFICIAL_CELL, a cell of its own: make it a population "
                                "with cell = \"artificial\"");
        auto [name, values] = read_mechanism(t, {"location"}, catalogue);
        c.synapses.push_back({l, name, values});
    }
    for (const auto& t : table_list(r, "stimuli")) {
        const cable_location l = read_location(t, "location", c.morph);
        auto [name, values] = read_mechanism(t, {"location", "cells"}, catalogue);
        if (catalogue.type(name).kind != cable::mechanism_kind::point)
            t.fail("mechanism", "'" + name + "' is a density mechanism: paint it on a region");
        if (catalogue.type(name).artificial_cell)
            t.fail("mechanism", "'" + name + "' is an ARTIFICIAL_CELL, a cell of its own: make it a population "
                                "with cell = \"artificial\"");
        c.stimuli.push_back({l, name, values});
        // `cells`: the stimulus acts on these cells of the population only.
        std::vector<gid_type> cells = read_cells(t, "cells", {&p});
        for (gid_type& g : cells) g -= p.first_gid;
        p.stimulus_cells.push_back(std::move(cells));
    }
    if (r.has("detector")) {
        const toml_table_reader d = r.sub_table("detector");
        d.reject_unknown_keys({"location", "threshold"});
        c.detector.location = d.has("location") ? read_location(d, "location", c.morph)
                                                : cable_location{c.morph[0].name, 0.5};
        c.detector.threshold =
            d.get_quantity("threshold", dimension::voltage, c.detector.threshold);
    } else {
        c.detector.location = {c.morph[0].name, 0.5};
    }
    for (const auto& t : table_list(r, "events")) {
        t.reject_unknown_keys({"synapse", "time", "weight", "cells"});
        cable_event_spec spec;
        if (const toml_value* cells = t.find("cells")) {
            if (!cells->is_array())
                t.fail("cells",
                       "expected a list of cell indices within the population, such as [0, 8]");
            for (const auto& v : cells->as_array()) {
                if (!v.is_integer() || v.as_integer() < 0 ||
                    v.as_integer() >= static_cast<std::int64_t>(p.size))
                    t.fail("cells", "every entry must be an index in 0.." +
                                        std::to_string(p.size - 1) + " (cells of population '" +
                                        p.name + "')");
                spec.cells.push_back(static_cast<gid_type>(v.as_integer()));
            }
        }
        cable_scheduled_event& e = spec.event;
        const auto sites = static_cast<std::int64_t>(c.synapses.size());
        if (sites == 0) t.fail("synapse", "the cell has no synapses to receive events");
        e.site = static_cast<std::uint32_t>(t.get_integer("synapse", 0, sites - 1, 0));
        e.time = t.get_quantity("time", dimension::time);
        if (!(e.time >= 0)) t.fail("time", "must be >= 0 ms");
        e.weight = t.get_quantity("weight", dimension::conductance) * 1e-3; // nS -> uS
        p.cable_events.push_back(std::move(spec));
    }
    check_lowering(r, p, catalogue);
    return p;
}

} // namespace ranvier
