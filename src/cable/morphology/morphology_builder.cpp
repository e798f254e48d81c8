// Validation and assembly of morphologies section by section
// (include/ranvier/morphology.hpp).
#include <ranvier/errors.hpp>
#include <ranvier/morphology.hpp>

#include <cmath>
#include <string>

namespace ranvier {

std::string swc_tag_stem(int tag) {
    switch (tag) {
    case 1: return "soma";
    case 2: return "axon";
    case 3: return "dend";
    case 4: return "apic";
    default: return "dend_" + std::to_string(tag); // NEURON Import3d's name for custom types
    }
}

int morphology::soma_section() const {
    return (!sections_.empty() && sections_[0].tag == 1) ? 0 : -1;
}

int morphology::find(const std::string& name) const {
    for (std::size_t i = 0; i < sections_.size(); ++i) {
        if (sections_[i].name == name) return static_cast<int>(i);
    }
    std::string some;
    for (std::size_t i = 0; i < sections_.size() && i < 6; ++i) {
        some += (i ? ", " : "") + sections_[i].name;
    }
    if (sections_.size() > 6) some += ", ...";
    throw user_error(source_location{"", 0, name},
                     "no such section; the morphology has " + std::to_string(sections_.size()) +
                         " sections: " + some);
}

namespace {

void check(bool ok, const std::string& who, const std::string& field, const std::string& what) {
    if (!ok) throw user_error(source_location{"", 0, who + "." + field}, what);
}

} // namespace

int morphology_builder::add_section(const section_spec& spec) {
    auto& secs = m_.sections_;
    const int index = static_cast<int>(secs.size());
    section s;
    s.tag = spec.tag;
    s.parent = spec.parent;
    s.parent_x = spec.parent_x;
    // Names follow NEURON Import3d: per-type counters in section order.
    if (spec.name.empty()) {
        int k = 0;
        for (const auto& o : secs) k += (o.tag == spec.tag);
        s.name = swc_tag_stem(spec.tag) + "[" + std::to_string(k) + "]";
    } else {
        s.name = spec.name;
    }
    const std::string who = "section " + std::to_string(index) + " (" + s.name + ")";

    check(spec.tag >= 1, who, "tag", "SWC type must be >= 1 (1 soma, 2 axon, 3 dend, 4 apic, >= 5 custom), got " +
                                         std::to_string(spec.tag));
    if (index == 0) {
        check(spec.parent == -1, who, "parent", "the first section is the root and must have parent -1");
    } else {
        check(spec.parent >= 0 && spec.parent < index, who, "parent",
              "must be the index of an already added section (0.." + std::to_string(index - 1) + "), got " +
                  std::to_string(spec.parent));
    }
    check(spec.parent_x >= 0.0 && spec.parent_x <= 1.0, who, "parent_x",
          "must lie in [0, 1], got " + std::to_string(spec.parent_x));
    for (const auto& o : secs) {
        check(o.name != s.name, who, "name", "duplicate section name '" + s.name + "'");
    }

    if (spec.points.empty()) {
        check(std::isfinite(spec.length_um) && spec.length_um > 0, who, "length_um",
              "a stylised section needs a positive length (µm), got " + std::to_string(spec.length_um));
        check(std::isfinite(spec.diam_um) && spec.diam_um > 0, who, "diam_um",
              "a stylised section needs a positive diameter (µm), got " + std::to_string(spec.diam_um));
        s.length_um = spec.length_um;
        s.diam_um = spec.diam_um;
    } else {
        check(spec.length_um == 0 && spec.diam_um == 0, who, "points",
              "give either 3-d points or length_um/diam_um, not both");
        check(spec.points.size() >= 2, who, "points", "a section needs at least two 3-d points");
        double arc = 0;
        for (std::size_t i = 0; i < spec.points.size(); ++i) {
            const auto& p = spec.points[i];
            check(std::isfinite(p.x) && std::isfinite(p.y) && std::isfinite(p.z), who,
                  "points[" + std::to_string(i) + "]", "coordinates must be finite");
            check(std::isfinite(p.diam) && p.diam > 0, who, "points[" + std::to_string(i) + "].diam",
                  "diameter must be positive (µm), got " + std::to_string(p.diam));
            if (i) {
                const auto& q = spec.points[i - 1];
                arc += std::sqrt((p.x - q.x) * (p.x - q.x) + (p.y - q.y) * (p.y - q.y) + (p.z - q.z) * (p.z - q.z));
            }
        }
        check(arc > 0, who, "points", "the 3-d points have zero total length");
        s.points = spec.points;
        s.length_um = arc;
    }
    secs.push_back(std::move(s));
    return index;
}

morphology morphology_builder::build() const {
    if (m_.sections_.empty()) throw user_error("morphology_builder: a morphology needs at least one section");
    return m_;
}

} // namespace ranvier
