// Mechanism look-up by name (see mechanism_catalogue.hpp).
#include "cable/mechanisms/mechanism_catalogue.hpp"

#include "cable/mechanisms/builtin_mechanisms.hpp"

#include <ranvier/errors.hpp>

namespace ranvier::cable {

void mechanism_catalogue::add(const std::string& name, factory make) {
    for (auto& e : entries_)
        if (e.first == name) {
            e.second = make;
            return;
        }
    entries_.emplace_back(name, make);
}

bool mechanism_catalogue::contains(const std::string& name) const { return rank(name) >= 0; }

int mechanism_catalogue::rank(const std::string& name) const {
    for (std::size_t k = 0; k < entries_.size(); ++k)
        if (entries_[k].first == name) return static_cast<int>(k);
    return -1;
}

std::unique_ptr<mechanism> mechanism_catalogue::make(const std::string& name) const {
    const int r = rank(name);
    if (r < 0) {
        std::string known;
        for (const auto& e : entries_) known += (known.empty() ? "" : ", ") + e.first;
        throw user_error(source_location{"", 0, name},
                         "unknown mechanism; known mechanisms are: " + known);
    }
    return entries_[static_cast<std::size_t>(r)].second();
}

std::vector<std::string> mechanism_catalogue::names() const {
    std::vector<std::string> out;
    for (const auto& e : entries_) out.push_back(e.first);
    return out;
}

mechanism_catalogue builtin_catalogue() {
    mechanism_catalogue c;
    // Density mechanisms first, then point processes (NEURON's order of
    // current evaluation within a step, which only matters to rounding).
    c.add("pas", &make_pas);
    c.add("hh", &make_hh);
    c.add("IClamp", &make_iclamp);
    c.add("ExpSyn", &make_expsyn);
    c.add("Exp2Syn", &make_exp2syn);
    return c;
}

std::vector<std::string> tolerance_state_names(const mechanism_catalogue& catalogue) {
    std::vector<std::string> names{"v"};
    for (const std::string& mech : catalogue.names()) {
        const auto made = catalogue.make(mech); // alive while its type is read
        for (const auto& state : made->type().states) names.push_back(mech + "." + state.name);
    }
    return names;
}

} // namespace ranvier::cable
