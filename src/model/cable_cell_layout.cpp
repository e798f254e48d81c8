// layout_of, region_node_indices, location_node_index: a cable cell seen
// through the discretisation the simulation uses (cable_cell_lowering), for
// front ends that explore a morphology (include/ranvier/cable_cell_layout.hpp).
#include "cable/cable_cell_lowering.hpp"
#include "cable/morphology/region_nodes.hpp"

#include <ranvier/cable_cell_layout.hpp>

#include <cmath>
#include <numbers>

namespace ranvier {

cable_cell_layout layout_of(const cable_cell& c) {
    const cable::cv_tree tree = discretize_cable_cell(c, "layout");
    cable_cell_layout out;
    out.sections.resize(c.morph.size());
    for (std::size_t s = 0; s < c.morph.size(); ++s) {
        const section& sec = c.morph[s];
        section_layout& l = out.sections[s];
        l.name = sec.name;
        l.tag = sec.tag;
        l.parent = sec.parent;
        l.parent_x = sec.parent_x;
        l.length_um = sec.length_um;
        l.points = sec.points;
        l.nseg = tree.sec_nseg[s];
    }
    out.nodes.resize(tree.size());
    for (std::size_t n = 0; n < tree.size(); ++n) {
        out.nodes[n] = {tree.section[n], tree.x[n], tree.area[n], tree.distance[n]};
        section_layout& l = out.sections[static_cast<std::size_t>(tree.section[n])];
        l.area_um2 += tree.area[n];
    }
    for (std::size_t s = 0; s < c.morph.size(); ++s) {
        section_layout& l = out.sections[s];
        const section& sec = c.morph[s];
        l.diam_um = sec.has_points() ? (l.length_um > 0 ? l.area_um2 / (std::numbers::pi * l.length_um) : 0)
                                     : sec.diam_um;
        // Ends: the proximal node (a parent's node for non-roots) and the x=1 node.
        const auto proximal = static_cast<std::size_t>(tree.sec_proximal_node[s]);
        const auto last = static_cast<std::size_t>(tree.sec_first_centre[s] + tree.sec_nseg[s]);
        l.distance0_um = tree.distance[proximal];
        l.distance1_um = last < tree.size() ? tree.distance[last] : tree.distance[proximal] + l.length_um;
    }
    return out;
}

std::vector<std::int32_t> region_node_indices(const cable_cell& c, const std::string& text) {
    const cable::cv_tree tree = discretize_cable_cell(c, "layout");
    std::vector<std::int32_t> out;
    for (const std::int32_t n : cable::region_nodes(parse_region(text), tree))
        if (tree.area[static_cast<std::size_t>(n)] > 0) out.push_back(n);
    return out;
}

std::int32_t location_node_index(const cable_cell& c, const std::string& location) {
    const cable::cv_tree tree = discretize_cable_cell(c, "layout");
    return node_of(c, tree, parse_cable_location(location), "location '" + location + "'");
}

} // namespace ranvier
