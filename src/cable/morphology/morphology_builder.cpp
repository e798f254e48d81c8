// Validation and assembly of morphologies section by section
// (include/ranvier/morphology.hpp).
#include <algorithm>
#include <cctype>
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

namespace {

// "dend[12]" -> ("dend", 12); a name without an index -> (name, -1).
std::pair<std::string, long> stem_and_index(const std::string& name) {
    const auto open = name.rfind('[');
    if (open == std::string::npos || name.back() != ']' || open + 2 > name.size() - 1) return {name, -1};
    const std::string digits = name.substr(open + 1, name.size() - open - 2);
    if (!std::all_of(digits.begin(), digits.end(), [](unsigned char c) { return std::isdigit(c); }) ||
        digits.size() > 9)
        return {name, -1};
    return {name.substr(0, open), std::stol(digits)};
}

} // namespace

std::string morphology::section_summary() const {
    // Sections grouped by name stem in order of first appearance:
    // "soma[0], dend[0..40], axon[0..2], trunk", so no list is cut short.
    struct group {
        std::string stem;
        long lo, hi;
        std::size_t count;
    };
    std::vector<group> groups;
    for (const auto& s : sections_) {
        const auto [stem, index] = stem_and_index(s.name);
        auto it = std::find_if(groups.begin(), groups.end(), [&](const group& g) {
            return g.stem == stem && (index >= 0) == (g.lo >= 0);
        });
        if (it == groups.end() || index < 0) {
            groups.push_back({stem, index, index, 1});
        } else {
            it->lo = std::min(it->lo, index);
            it->hi = std::max(it->hi, index);
            ++it->count;
        }
    }
    std::string out;
    for (std::size_t k = 0; k < groups.size(); ++k) {
        if (k == 24) {
            out += ", ... (" + std::to_string(groups.size() - 24) + " more names)";
            break;
        }
        const group& g = groups[k];
        if (k) out.append(", ");
        out.append(g.stem);
        if (g.lo >= 0) {
            out.append("[").append(std::to_string(g.lo));
            if (g.hi != g.lo) out.append("..").append(std::to_string(g.hi));
            out.append("]");
        }
    }
    return out;
}

int morphology::find(const std::string& name) const {
    for (std::size_t i = 0; i < sections_.size(); ++i) {
        if (sections_[i].name == name) return static_cast<int>(i);
    }
    // NEURON's Import3d names SWC sections soma[0], dend[3], ...: a bare stem
    // names the only section of that stem, and "soma" the first soma section
    // (where NEURON users write soma(0.5) for a cell with one soma).
    if (stem_and_index(name).second < 0) {
        std::vector<int> matches;
        for (std::size_t i = 0; i < sections_.size(); ++i)
            if (const auto [stem, index] = stem_and_index(sections_[i].name); stem == name && index >= 0)
                matches.push_back(static_cast<int>(i));
        if (matches.size() == 1) return matches.front();
        if (!matches.empty() && name == "soma")
            for (const int i : matches)
                if (sections_[static_cast<std::size_t>(i)].name == "soma[0]") return i;
        if (!matches.empty())
            throw user_error(source_location{"", 0, name},
                             "'" + name + "' names " + std::to_string(matches.size()) + " sections (" +
                                 sections_[static_cast<std::size_t>(matches.front())].name + " .. " +
                                 sections_[static_cast<std::size_t>(matches.back())].name +
                                 "): give one, such as " +
                                 sections_[static_cast<std::size_t>(matches.front())].name);
    }
    throw user_error(source_location{"", 0, name},
                     "no such section; the morphology has " + std::to_string(sections_.size()) +
                         " sections: " + section_summary());
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
