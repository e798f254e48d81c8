// Mechanism look-up by name (see mechanism_catalogue.hpp).
#include "cable/mechanisms/mechanism_catalogue.hpp"

// The built-ins: translations of src/cable/mechanisms/builtin/*.mod made by
// the build (src/CMakeLists.txt), one header each.
#include "builtin/exp2syn.hpp"
#include "builtin/expsyn.hpp"
#include "builtin/hh.hpp"
#include "builtin/iclamp.hpp"
#include "builtin/pas.hpp"

#include <ranvier/errors.hpp>

#include <algorithm>
#include <cmath>

namespace ranvier::cable {

void mechanism_catalogue::add(mechanism_type type, factory make, std::string source) {
    for (auto& e : entries_)
        if (e.type.name == type.name) {
            e = {std::move(type), make, std::move(source)};
            return;
        }
    entries_.push_back({std::move(type), make, std::move(source)});
}

const std::string& mechanism_catalogue::source(const std::string& name) const {
    return entries_[static_cast<std::size_t>(checked_rank(name))].source;
}

bool mechanism_catalogue::contains(const std::string& name) const { return rank(name) >= 0; }

int mechanism_catalogue::rank(const std::string& name) const {
    for (std::size_t k = 0; k < entries_.size(); ++k)
        if (entries_[k].type.name == name) return static_cast<int>(k);
    return -1;
}

int mechanism_catalogue::checked_rank(const std::string& name) const {
    const int r = rank(name);
    if (r < 0) {
        std::string known;
        for (const auto& e : entries_) known += (known.empty() ? "" : ", ") + e.type.name;
        throw user_error(source_location{"", 0, name},
                         "unknown mechanism; known mechanisms are: " + known);
    }
    return r;
}

const mechanism_type& mechanism_catalogue::type(const std::string& name) const {
    return entries_[static_cast<std::size_t>(checked_rank(name))].type;
}

std::unique_ptr<mechanism> mechanism_catalogue::make(const std::string& name) const {
    return entries_[static_cast<std::size_t>(checked_rank(name))].make();
}

std::vector<std::string> mechanism_catalogue::names() const {
    std::vector<std::string> out;
    for (const auto& e : entries_) out.push_back(e.type.name);
    return out;
}

mechanism_catalogue builtin_catalogue() {
    mechanism_catalogue c;
    // Density mechanisms first, then point processes (NEURON's order of
    // current evaluation within a step, which only matters to rounding).
    c.add(builtin_pas::type(), &builtin_pas::make);
    c.add(builtin_hh::type(), &builtin_hh::make);
    c.add(builtin_iclamp::type(), &builtin_iclamp::make);
    c.add(builtin_expsyn::type(), &builtin_expsyn::make);
    c.add(builtin_exp2syn::type(), &builtin_exp2syn::make);
    return c;
}

std::shared_ptr<const mechanism_catalogue> shared_builtin_catalogue() {
    static const auto builtin = std::make_shared<const mechanism_catalogue>(builtin_catalogue());
    return builtin;
}

const mechanism_catalogue& catalogue_of(const std::shared_ptr<const mechanism_catalogue>& model) {
    return model ? *model : *shared_builtin_catalogue();
}

std::vector<std::string> tolerance_state_names(const mechanism_catalogue& catalogue) {
    std::vector<std::string> names{"v"};
    for (const std::string& mech : catalogue.names())
        for (const auto& state : catalogue.type(mech).states) names.push_back(mech + "." + state.name);
    return names;
}

std::string atol_scale_problem(const mechanism_catalogue& catalogue, const std::string& name,
                               double factor) {
    if (!(factor > 0) || !std::isfinite(factor))
        return "the factor for '" + name + "' must be a number > 0 (finite; atol is multiplied by it)";
    const auto names = tolerance_state_names(catalogue);
    if (std::find(names.begin(), names.end(), name) != names.end()) return "";
    std::string valid;
    for (const auto& n : names) valid += (valid.empty() ? "" : ", ") + n;
    return "'" + name + "' is not a state of any mechanism; valid: " + valid;
}

} // namespace ranvier::cable
