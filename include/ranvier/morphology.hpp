// The shape of one cable cell: a tree of sections (unbranched cables), as
// NEURON describes it. A section is given either by 3-d sample points with
// diameters (from a reconstruction) or by a length and a diameter (a
// stylised uniform cylinder, NEURON's L/diam). Each section but the root
// hangs off a parent section at a position x in [0, 1] of that parent.
// Build one with morphology_builder or read one with load_swc
// (morphology_swc.hpp); discretise it with cable::discretize.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace ranvier {

// SWC structure types. Any tag >= 5 is a user-defined type.
enum class swc_tag : int { soma = 1, axon = 2, dend = 3, apic = 4 };

// One 3-d sample of a section's centre line.
struct sample_point {
    double x = 0;    // µm
    double y = 0;    // µm
    double z = 0;    // µm
    double diam = 0; // µm, diameter at this point
};

// What a caller gives to morphology_builder::add_section. Give either
// length_um and diam_um (stylised cylinder) or at least two points.
struct section_spec {
    int tag = 3;                      // SWC type: 1 soma, 2 axon, 3 dend, 4 apic, >= 5 custom
    double length_um = 0;             // µm, stylised section length (NEURON's L)
    double diam_um = 0;               // µm, stylised section diameter (NEURON's diam)
    std::vector<sample_point> points; // 3-d samples, proximal (x=0) first
    int parent = -1;                  // parent section index; -1 only for the root (first) section
    double parent_x = 1.0;            // where on the parent it attaches, 0..1
    std::string name;                 // optional; default is NEURON-style "dend[3]"
};

// One section of a built morphology (validated).
struct section {
    int tag = 3;
    int parent = -1;                  // < own index; -1 for the root
    double parent_x = 1.0;            // 0..1 on the parent
    std::vector<sample_point> points; // empty for stylised sections
    double length_um = 0;             // µm: L, or the arc length of the points
    double diam_um = 0;               // µm: diam of a stylised section, 0 if given by points
    std::string name;

    bool has_points() const { return !points.empty(); }
};

class morphology {
public:
    morphology() = default;

    std::size_t size() const { return sections_.size(); }
    const section& operator[](std::size_t i) const { return sections_[i]; }
    const std::vector<section>& sections() const { return sections_; }

    // Section whose centre is the distance origin: the root if it is a
    // soma (tag 1), otherwise none (-1, distances then start at root x=0).
    int soma_section() const;

    // Section index by name ("dend[3]", or a name given in the spec). A bare
    // stem names the only section of that stem ("axon" for axon[0]), and
    // "soma" the section soma[0] (NEURON users write soma(0.5) for the soma
    // an SWC file makes soma[0]). Throws user_error listing the sections
    // (section_summary) if unknown or ambiguous ("dend" of dend[0..40]).
    int find(const std::string& name) const;
    // Every section name, grouped by stem: "soma[0], dend[0..40], axon[0]".
    std::string section_summary() const;

private:
    friend class morphology_builder;
    std::vector<section> sections_;
};

// Collects sections one at a time, checking each; parents must be added
// before their children, so parent index < child index always holds.
class morphology_builder {
public:
    // Returns the new section's index. Throws user_error (naming the section
    // and the field) for a non-positive length/diameter, fewer than two
    // points, zero total arc length, a bad parent or parent_x, a bad tag.
    int add_section(const section_spec& spec);

    std::size_t size() const { return m_.sections_.size(); }

    // The finished morphology. Throws user_error if it has no sections.
    morphology build() const;

private:
    morphology m_;
};

// NEURON's name stem for a tag: soma, axon, dend, apic, dend_<tag> (custom).
std::string swc_tag_stem(int tag);

} // namespace ranvier
