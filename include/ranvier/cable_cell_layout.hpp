// What a cable cell is made of, for exploring it before simulating (Python's
// ranvier.Morphology): its sections (names, tags, parents, lengths,
// diameters, segment counts, path distances) and the nodes its
// discretisation makes (where each sits, its area and distance), and the
// nodes of a region. Everything is computed by the same discretisation the
// simulation uses (docs/morphology.md).
#pragma once

#include <ranvier/cable_cell.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace ranvier {

struct section_layout {
    std::string name;         // "soma[0]", "dend[3]", or the name given
    int tag = 3;              // SWC type
    int parent = -1;          // parent section index, -1 for the root
    double parent_x = 1;      // where it attaches on the parent
    double length_um = 0;     // NEURON's L
    double diam_um = 0;       // mean diameter (area-equivalent: area / (pi L)), as NEURON's diam of a 3-d section at nseg=1
    double area_um2 = 0;      // lateral membrane area
    int nseg = 1;             // segments under the cell's discretisation
    double distance0_um = 0;  // path distance of its x=0 end from the soma centre
    double distance1_um = 0;  // ... and of its x=1 end
    std::vector<sample_point> points; // 3-d samples (empty for sections given by length and diameter)
};

// A node of the discretised cell: a segment centre (x in (0, 1)) or a
// section end with no area (x = 0 or 1).
struct node_layout {
    int section = 0;
    double x = 0.5;
    double area_um2 = 0;
    double distance_um = 0; // path distance from the soma centre
};

struct cable_cell_layout {
    std::vector<section_layout> sections;
    std::vector<node_layout> nodes;
};

// The layout of `c` (its morphology under its discretisation). Throws
// user_error for a discretisation the simulation would refuse.
cable_cell_layout layout_of(const cable_cell& c);

// Indices into layout_of(c).nodes of the nodes in `region` (text syntax of
// morphology_region.hpp: "dend & distance(100, 200)"), sorted; only nodes
// with membrane (area > 0).
std::vector<std::int32_t> region_node_indices(const cable_cell& c, const std::string& region);

// The node `location` ("soma(0.5)", "dend[3](0.2)") falls on, as an index
// into layout_of(c).nodes. Throws user_error for an unknown section or x.
std::int32_t location_node_index(const cable_cell& c, const std::string& location);

} // namespace ranvier
