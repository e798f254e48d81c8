// Common part of every mechanism: type look-ups and instance storage.
#include "cable/mechanisms/mechanism.hpp"

#include <cmath>
#include <limits>
#include <utility>

namespace ranvier::cable {
namespace {
int index_of(const std::vector<quantity_info>& list, const std::string& name) {
    for (std::size_t k = 0; k < list.size(); ++k)
        if (list[k].name == name) return static_cast<int>(k);
    return -1;
}
} // namespace

int mechanism_type::parameter_index(const std::string& n) const { return index_of(parameters, n); }
int mechanism_type::state_index(const std::string& n) const { return index_of(states, n); }
int mechanism_type::global_index(const std::string& n) const { return index_of(globals, n); }
int mechanism_type::observable_index(const std::string& n) const { return index_of(observables, n); }

std::string mechanism_type::reversal_potential_ion(const std::string& n) const {
    if (parameter_index(n) >= 0) return {};
    for (const ion_use& u : ions)
        if (u.read_e && n == "e" + u.ion) return u.ion;
    return {};
}

double nernst_mV(double ci, double co, int valence, double celsius) {
    const double kt_over_f_mV =
        1e3 * gas_constant_J_per_K_mol * (celsius + 273.15) / faraday_C_per_mol;
    return kt_over_f_mV / valence * std::log(co / ci);
}

bool mechanism::writes_concentration() const {
    for (const ion_use& u : type_.ions)
        if (u.writes_concentration()) return true;
    return false;
}

void mechanism::write_concentrations(state_view states) const {
    for (std::size_t j = 0; j < type_.ions.size() && j < ions_.size(); ++j) {
        const ion_use& u = type_.ions[j];
        ion_species& ion = *ions_[j];
        if (u.ci_state >= 0) {
            const double* s = states[static_cast<std::size_t>(u.ci_state)];
            for (std::size_t k = 0; k < size(); ++k)
                ion.ci[static_cast<std::size_t>(data_.node_index[k])] = s[k];
        }
        if (u.co_state >= 0) {
            const double* s = states[static_cast<std::size_t>(u.co_state)];
            for (std::size_t k = 0; k < size(); ++k)
                ion.co[static_cast<std::size_t>(data_.node_index[k])] = s[k];
        }
    }
}

double mechanism::observe(std::size_t, std::size_t, double, state_view, double) const {
    return std::numeric_limits<double>::quiet_NaN(); // a type declaring observables overrides this
}

mechanism::mechanism(mechanism_type type) : type_(std::move(type)) {
    data_.parameters.resize(type_.parameters.size());
    data_.states.resize(type_.states.size());
    for (const auto& g : type_.globals) data_.globals.push_back(g.default_value);
    refresh_state_pointers();
}

std::size_t mechanism::add_instance(std::int32_t node) {
    data_.node_index.push_back(node);
    for (std::size_t k = 0; k < type_.parameters.size(); ++k)
        data_.parameters[k].push_back(type_.parameters[k].default_value);
    for (std::size_t k = 0; k < type_.states.size(); ++k)
        data_.states[k].push_back(type_.states[k].default_value);
    refresh_state_pointers();
    return data_.size() - 1;
}

void mechanism::refresh_state_pointers() {
    state_ptrs_.clear();
    state_ptrs_mut_.clear();
    for (auto& s : data_.states) {
        state_ptrs_.push_back(s.data());
        state_ptrs_mut_.push_back(s.data());
    }
}

} // namespace ranvier::cable
