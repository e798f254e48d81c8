// Lowering of one cable_cell into the cable numerics (see cable_cell_lowering.hpp).
#include "cable/cable_cell_lowering.hpp"

#include "cable/discretization.hpp"
#include "cable/morphology/region_nodes.hpp"

#include <ranvier/errors.hpp>

#include <algorithm>
#include <cmath>
#include <cctype>
#include <limits>

namespace ranvier {
namespace {

// Runs f(), turning a user_error from the numerics (which know nothing of
// gids) into one that names the cell and the part of its description.
template <class F> auto naming(const std::string& who, const std::string& what, F&& f) {
    try {
        return f();
    } catch (const user_error& e) {
        throw user_error(who + ": " + what + ": " + e.what());
    }
}

bool all_digits(const std::string& s) {
    return !s.empty() &&
           std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c); });
}

int section_index(const morphology& m, const std::string& name, const std::string& who) {
    if (all_digits(name)) {
        const long k = std::stol(name);
        if (k >= static_cast<long>(m.size()))
            throw user_error(who + ": section " + name + " does not exist; the morphology has " +
                             std::to_string(m.size()) + " sections (0.." +
                             std::to_string(m.size() - 1) + ")");
        return static_cast<int>(k);
    }
    return naming(who, "section '" + name + "'", [&] { return m.find(name); });
}

cable::discretization_policy policy_of(const cable_cell& c, const std::string& who) {
    const cable_discretization& d = c.discretization;
    cable::discretization_policy p;
    p.rule = d.d_lambda > 0 ? cable::nseg_rule::d_lambda : cable::nseg_rule::fixed;
    p.nseg = d.nseg;
    if (d.d_lambda > 0) p.d_lambda = d.d_lambda;
    p.frequency_hz = d.frequency;
    p.Ra_ohm_cm = d.Ra;
    p.cm_uF_per_cm2 = d.cm;
    for (const auto& [name, n] : d.nseg_for_section)
        p.nseg_for_section[section_index(c.morph, name, who)] = n;
    return p;
}

bool receives_events(const cable::mechanism_catalogue& catalogue, const std::string& name,
                     const std::string& who, const std::string& what) {
    return naming(who, what, [&] { return catalogue.type(name).receives_events; });
}

// The nodes of a region (a ranvier::region or its text) that have membrane:
// only those carry density mechanisms and ions.
std::vector<std::int32_t> membrane_nodes(const std::variant<std::string, region>& where,
                                         const cable::cv_tree& tree, const std::string& who,
                                         const std::string& what) {
    const region r = std::holds_alternative<region>(where)
                         ? std::get<region>(where)
                         : naming(who, what, [&] { return parse_region(std::get<std::string>(where)); });
    std::vector<std::int32_t> nodes;
    for (const std::int32_t n : cable::region_nodes(r, tree))
        if (tree.area[static_cast<std::size_t>(n)] > 0) nodes.push_back(n);
    return nodes;
}

} // namespace

cable::cv_tree discretize_cable_cell(const cable_cell& c, const std::string& who) {
    return cable::discretize(c.morph, policy_of(c, who));
}

std::int32_t node_of(const cable_cell& c, const cable::cv_tree& tree, const cable_location& where,
                     const std::string& who) {
    const int section = section_index(c.morph, where.section, who);
    return naming(who, "location " + to_string(where),
                  [&] { return cable::node_at(tree, section, where.x); });
}

lowered_cable_cell lower_cable_cell(cable::cable_state_builder& builder, const cable_cell& c,
                                    const std::string& who) {
    if (c.morph.size() == 0)
        throw user_error(who + ": the cable cell has no morphology (no sections)");
    const cable::mechanism_catalogue& catalogue = builder.catalogue();
    lowered_cable_cell out;
    out.tree = naming(who, "discretization",
                      [&] { return discretize_cable_cell(c, who); });
    out.cell = naming(who, "morphology", [&] { return builder.add_cell(out.tree); });
    builder.set_celsius(c.celsius);

    // Reversal potentials given with a painting (hh's ena/ek, any e<ion> a
    // mechanism READs): ion settings on the painted region, applied in
    // paint order before the cell's own `ions` list (which wins).
    std::vector<cable_ion_setting> painted_ions;
    for (std::size_t k = 0; k < c.paintings.size(); ++k) {
        const cable_painting& painted = c.paintings[k];
        cable_painting p{painted.where, painted.mechanism, {}};
        const auto type = naming(who, "paint[" + std::to_string(k) + "] (" + p.mechanism + ")",
                                 [&] { return catalogue.type(p.mechanism); });
        for (const auto& [name, value] : painted.parameters) {
            const std::string ion = type.kind == cable::mechanism_kind::density
                                        ? type.reversal_potential_ion(name)
                                        : std::string();
            if (ion.empty()) {
                p.parameters.emplace_back(name, value);
            } else {
                cable_ion_setting s;
                s.where = p.where;
                s.ion = ion;
                s.e = value;
                painted_ions.push_back(std::move(s));
            }
        }
        const std::string what = "paint[" + std::to_string(k) + "] (" + p.mechanism + ")";
        // An empty region paints nothing (the builder would read an empty
        // list as "all").
        const std::vector<std::int32_t> nodes = membrane_nodes(p.where, out.tree, who, what);
        if (nodes.empty()) {
            naming(who, what, [&] { return catalogue.type(p.mechanism); }); // still check the name
            continue;
        }
        naming(who, what, [&] {
            builder.paint(out.cell, p.mechanism, nodes, p.parameters);
            if (catalogue.type(p.mechanism).global_index("celsius") >= 0)
                builder.set_global(p.mechanism, "celsius", c.celsius);
            return 0;
        });
    }
    // Mechanism globals given by the cell (after celsius, so they may not
    // set it: the population's celsius is the temperature).
    for (std::size_t k = 0; k < c.globals.size(); ++k) {
        const cable_global_setting& g = c.globals[k];
        naming(who, "globals[" + std::to_string(k) + "] (" + g.mechanism + "." + g.name + ")", [&] {
            builder.set_global(g.mechanism, g.name, g.value);
            return 0;
        });
    }
    std::vector<std::string> ions_used; // by the cell's mechanisms (point processes use ions too)
    auto note_ions = [&](const std::string& mechanism) {
        if (!catalogue.contains(mechanism)) return; // an unknown name is reported where it is placed
        for (const auto& u : catalogue.type(mechanism).ions)
            if (std::find(ions_used.begin(), ions_used.end(), u.ion) == ions_used.end())
                ions_used.push_back(u.ion);
    };
    for (const cable_painting& p : c.paintings) note_ions(p.mechanism);
    for (const cable_placement& p : c.synapses) note_ions(p.mechanism);
    for (const cable_placement& p : c.stimuli) note_ions(p.mechanism);
    std::vector<cable_ion_setting> ion_settings = painted_ions;
    ion_settings.insert(ion_settings.end(), c.ions.begin(), c.ions.end());
    for (std::size_t k = 0; k < ion_settings.size(); ++k) {
        const cable_ion_setting& s = ion_settings[k];
        const std::string what =
            k < painted_ions.size()
                ? "e" + s.ion + " given with a painting"
                : "ions[" + std::to_string(k - painted_ions.size()) + "] (" + s.ion + ")";
        if (std::find(ions_used.begin(), ions_used.end(), s.ion) == ions_used.end()) {
            std::string list;
            for (const auto& n : ions_used) list += (list.empty() ? "" : ", ") + n;
            throw user_error(who + ": " + what + ": no mechanism of the cell uses the ion '" + s.ion +
                             "' (ions used: " + (list.empty() ? "none" : list) + ")");
        }
        const std::vector<std::int32_t> nodes = membrane_nodes(s.where, out.tree, who, what);
        const double nan = std::numeric_limits<double>::quiet_NaN();
        naming(who, what, [&] {
            builder.set_ion(out.cell, s.ion, nodes, s.e.value_or(nan), s.ci.value_or(nan),
                            s.co.value_or(nan));
            return 0;
        });
    }
    for (std::size_t k = 0; k < c.synapses.size(); ++k) {
        const cable_placement& s = c.synapses[k];
        const std::string what = "synapse " + std::to_string(k) + " (" + s.mechanism + ")";
        if (!receives_events(catalogue, s.mechanism, who, what))
            throw user_error(
                who + ": " + what + ": mechanism '" + s.mechanism +
                "' receives no events (it has no NET_RECEIVE); place it as a stimulus, or use "
                "a synapse such as ExpSyn or Exp2Syn");
        const std::int32_t node = node_of(c, out.tree, s.location, who + ": " + what);
        out.synapse_targets.push_back(naming(
            who, what, [&] { return builder.place(out.cell, s.mechanism, node, s.parameters); }));
    }
    for (std::size_t k = 0; k < c.stimuli.size(); ++k) {
        const cable_placement& s = c.stimuli[k];
        const std::string what = "stimulus " + std::to_string(k) + " (" + s.mechanism + ")";
        const std::int32_t node = node_of(c, out.tree, s.location, who + ": " + what);
        naming(who, what, [&] { return builder.place(out.cell, s.mechanism, node, s.parameters); });
    }
    const std::int32_t node = node_of(c, out.tree, c.detector.location, who + ": detector");
    naming(who, "detector",
           [&] { return builder.add_detector(out.cell, node, c.detector.threshold); });
    return out;
}

void check_scheduled_event(const cable_scheduled_event& e, std::uint32_t sites, const std::string& what) {
    if (e.site >= sites)
        throw user_error(what + ": synapse " + std::to_string(e.site) + " does not exist; the cell has " +
                         std::to_string(sites) + " synapses");
    if (!(e.time >= 0) || !std::isfinite(e.time)) throw user_error(what + ": time must be >= 0 ms");
    if (!std::isfinite(e.weight)) throw user_error(what + ": weight must be finite");
}

void check_cable_inputs(const recipe& model, gid_type gid, const std::string& who) {
    if (!model.poisson_inputs_on(gid).empty())
        throw user_error(who + ": Poisson inputs onto cable cells are not supported; connect a "
                               "spike source to a synapse instead");
    if (!model.current_inputs_on(gid).empty())
        throw user_error(who + ": current inputs onto cable cells are not supported; place an "
                               "IClamp stimulus on the cell instead");
}

} // namespace ranvier
