// Reading NEURON reference cells and adding them to a cable_state_builder;
// see neuron_reference_cell.hpp.
#include "support/neuron_reference_cell.hpp"

#include <algorithm>
#include <fstream>
#include <limits>
#include <map>
#include <sstream>
#include <stdexcept>

namespace ranvier::testing {

std::vector<std::string> split_csv_line(const std::string& line) {
    std::vector<std::string> out;
    std::stringstream ss(line);
    for (std::string field; std::getline(ss, field, ',');) out.push_back(field);
    return out;
}

std::vector<geometry_row> read_geometry(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw std::runtime_error("cannot read node table " + path);
    std::string line;
    std::getline(in, line); // node,parent,section,x,area_um2,ri_Mohm
    std::vector<geometry_row> rows;
    while (std::getline(in, line)) {
        const auto f = split_csv_line(line);
        if (f.size() < 6) continue;
        const double ri = f[5] == "inf" ? std::numeric_limits<double>::infinity() : std::stod(f[5]);
        rows.push_back({std::stoi(f[0]), std::stoi(f[1]), f[2], std::stod(f[3]), std::stod(f[4]), ri});
        if (rows.back().node != static_cast<int>(rows.size() - 1))
            throw std::runtime_error(path + ": geometry rows out of order: row " + std::to_string(rows.size() - 1) +
                                     " is node " + std::to_string(rows.back().node));
    }
    return rows;
}

int node_for(const std::vector<geometry_row>& rows, const nlohmann::json& sections, const std::string& section,
             double x) {
    std::vector<const geometry_row*> centres; // in node-table order
    for (const auto& r : rows) {
        if (r.section != section) continue;
        if ((x == 0 || x == 1) && r.x == x) return r.node;
        if (r.x > 0 && r.x < 1) centres.push_back(&r);
    }
    if (centres.empty()) throw std::runtime_error("no section " + section + " in the node table");
    // A section without an x = 0 node of its own starts at its parent's node.
    if (x == 0) return centres.front()->parent;
    int nseg = 0;
    for (const auto& s : sections)
        if (s["name"] == section) nseg = s["nseg"];
    std::sort(centres.begin(), centres.end(), [](auto* a, auto* b) { return a->x < b->x; });
    const int k = std::min(static_cast<int>(x * nseg), nseg - 1);
    return centres.at(static_cast<std::size_t>(k))->node;
}

std::string strip_unit(const std::string& key) {
    for (const std::string suffix : {"_S_per_cm2", "_mV", "_ms", "_nA", "_uS"})
        if (key.size() > suffix.size() && key.compare(key.size() - suffix.size(), suffix.size(), suffix) == 0)
            return key.substr(0, key.size() - suffix.size());
    return key;
}

int neuron_reference_cell::node_for(const nlohmann::json& location) const {
    return testing::node_for(rows, desc["sections"], location["section"], location["x"]);
}

std::vector<int> neuron_reference_cell::probe_nodes() const {
    std::vector<int> nodes;
    for (const auto& p : desc["probes"]) nodes.push_back(node_for(p));
    return nodes;
}

neuron_reference_cell read_neuron_reference_cell(const std::string& geometry_csv, const std::string& cell_json) {
    neuron_reference_cell cell;
    cell.rows = read_geometry(geometry_csv);
    std::ifstream in(cell_json);
    if (!in) throw std::runtime_error("cannot read cell JSON " + cell_json);
    in >> cell.desc;
    return cell;
}

placed_reference_cell add_neuron_reference_cell(cable::cable_state_builder& builder,
                                                const neuron_reference_cell& cell, reference_stimuli stimuli) {
    const auto& desc = cell.desc;
    const auto& sections = desc["sections"];
    cable::cv_tree tree;
    for (const auto& r : cell.rows) {
        tree.parent.push_back(r.parent);
        tree.area.push_back(r.area);
        tree.r_parent.push_back(r.parent < 0 ? 0.0 : r.ri);
        double cm = 1.0; // µF/cm²
        for (const auto& s : sections)
            if (s["name"] == r.section) cm = s["cm_uF_per_cm2"];
        tree.cm.push_back(cm);
    }
    placed_reference_cell out;
    const auto c = out.cell = builder.add_cell(tree);
    for (const auto& s : sections)
        for (const auto& [mech, params] : s["mechanisms"].items()) {
            std::vector<std::int32_t> nodes; // NEURON inserts on segments, never on zero-area end nodes
            for (const auto& r : cell.rows)
                if (r.section == s["name"] && r.area > 0) nodes.push_back(r.node);
            cable::parameter_values values;
            const cable::mechanism_type& type = builder.catalogue().type(mech);
            for (const auto& [key, value] : params.items()) {
                const std::string name = strip_unit(key);
                // A reversal potential a translated mechanism reads from its
                // ion (hh.mod's ena, ek) is the ion's, set on these nodes (NEURON:
                // sec.ena), not a parameter.
                bool ion_value = false;
                if (type.parameter_index(name) < 0)
                    for (const auto& u : type.ions)
                        if (u.read_e && name == "e" + u.ion) {
                            const double nan = std::numeric_limits<double>::quiet_NaN();
                            builder.set_ion(c, u.ion, nodes, value.get<double>(), nan, nan);
                            ion_value = true;
                        }
                if (!ion_value) values.emplace_back(name, value);
            }
            builder.paint(c, mech, nodes, values);
        }
    builder.set_global("hh", "celsius", desc["celsius_degC"]);
    builder.set_celsius(desc["celsius_degC"]);

    if (stimuli == reference_stimuli::described) {
        for (const auto& ic : desc["iclamps"])
            builder.place(c, "IClamp", cell.node_for(ic),
                          {{"del", ic["del_ms"]}, {"dur", ic["dur_ms"]}, {"amp", ic["amp_nA"]}});
        std::map<std::string, std::size_t> instances; // per point-process type, in place() order
        for (const auto& syn : desc["synapses"]) {
            cable::parameter_values values;
            for (const auto& [key, value] : syn.items())
                if (key != "type" && key != "section" && key != "x" && key != "weight_uS" &&
                    key != "event_times_ms")
                    values.emplace_back(strip_unit(key), value);
            reference_synapse placed;
            placed.type = syn["type"].get<std::string>();
            placed.target = builder.place(c, placed.type, cell.node_for(syn), values);
            placed.instance = instances[placed.type]++;
            placed.event_times = syn["event_times_ms"].get<std::vector<double>>();
            placed.weight = syn["weight_uS"].get<double>();
            out.synapses.push_back(std::move(placed));
        }
    }
    const auto& sd = desc["spike_detector"];
    builder.add_detector(c, cell.node_for(sd), sd["threshold_mV"]);
    return out;
}

} // namespace ranvier::testing
