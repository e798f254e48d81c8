// The lowered compartment tree of one cable cell: what the discretisation
// (src/cable/discretization*) produces and the cable numerics (Hines solver,
// mechanisms, steppers) consume. Plain arrays, no units: every field says its
// unit. Node numbering follows NEURON: parent[i] < i, the root has parent -1.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace ranvier::cable {

struct cv_tree {
    std::vector<std::int32_t> parent; // parent node index (< own index), -1 at the root
    std::vector<double> area;         // µm², membrane area of the node (0 for zero-area nodes)
    std::vector<double> r_parent;     // MΩ, axial resistance between node i and parent[i] (0 at root)
    std::vector<double> cm;           // µF/cm², specific membrane capacitance of the node
    // µm, the segment's diameter (NEURON's diam, what a mechanism reading `diam`
    // sees); 0 at zero-area nodes. May be left empty by hand-built trees (then NaN).
    std::vector<double> diam;
    // Where each node sits, for painting mechanisms and placing synapses/probes.
    std::vector<std::int32_t> section; // index of the section the node belongs to
    std::vector<double> x;             // position along that section, 0..1
    std::vector<std::int32_t> tag;     // SWC type of the section (1 soma, 2 axon, 3 dend, 4 apic, ...)
    std::vector<double> distance;      // µm, path distance of the node from the soma centre

    // Per section (indexed by section), added by the discretisation so that
    // "section s at x" can be turned into a node (cable::node_at):
    std::vector<std::int32_t> sec_nseg;          // number of segments of the section
    std::vector<std::int32_t> sec_first_centre;  // node of its first segment centre; the
                                                 // others follow, then its x=1 node
    std::vector<std::int32_t> sec_proximal_node; // node at its x=0 end (a parent's node,
                                                 // or the root node for the root section)

    std::size_t size() const { return parent.size(); }
};

} // namespace ranvier::cable
