// The state of a group of cable cells (see cable_state.hpp).
#include "cable/cable_state.hpp"

#include <algorithm>

namespace ranvier::cable {

void cable_state::initialise() {
    std::fill(nodes_.v.begin(), nodes_.v.end(), v_init_);
    // NEURON's ion_init: initial concentrations and e, e by Nernst where a
    // concentration is written; then INITIAL blocks in order, a writer's
    // concentrations visible to the mechanisms after it.
    for (auto& ion : ions_) {
        ion->e = ion->e_init;
        ion->ci = ion->ci_init;
        ion->co = ion->co_init;
        std::fill(ion->i.begin(), ion->i.end(), 0.0);
        std::fill(ion->didv.begin(), ion->didv.end(), 0.0);
        for (const std::int32_t k : ion->nernst_nodes) {
            const auto n = static_cast<std::size_t>(k);
            ion->e[n] = nernst_mV(ion->ci[n], ion->co[n], ion->valence, celsius_);
        }
    }
    for (auto& m : mechanisms_) {
        m->initialise(nodes_.v.data());
        if (m->writes_concentration()) m->write_concentrations(m->own_states());
    }
    // e after the INITIAL blocks' concentrations (NEURON's finitialize ends
    // with a current evaluation, whose ion step does this).
    for (auto& ion : ions_)
        for (const std::int32_t k : ion->nernst_nodes) {
            const auto n = static_cast<std::size_t>(k);
            ion->e[n] = nernst_mV(ion->ci[n], ion->co[n], ion->valence, celsius_);
        }
    std::fill(detectors_.above.begin(), detectors_.above.end(), std::uint8_t{0});
}

void cable_state::prepare_ions(const state_view* states) {
    for (const std::size_t k : concentration_writers_)
        mechanisms_[k]->write_concentrations(states ? states[k] : mechanisms_[k]->own_states());
    for (auto& ion : ions_) {
        for (const std::int32_t k : ion->nernst_nodes) {
            const auto n = static_cast<std::size_t>(k);
            ion->e[n] = nernst_mV(ion->ci[n], ion->co[n], ion->valence, celsius_);
        }
        double* i = ion->i.data();
        double* didv = ion->didv.data();
        for (const std::int32_t k : ion->nodes) {
            i[k] = 0.0;
            didv[k] = 0.0;
        }
    }
}

void cable_state::advance_states(const double* v, double dt) {
    for (auto& m : mechanisms_) {
        m->advance_states(v, dt);
        if (m->writes_concentration()) m->write_concentrations(m->own_states());
    }
}

const ion_species* cable_state::find_ion(const std::string& name) const {
    for (const auto& ion : ions_)
        if (ion->name == name) return ion.get();
    return nullptr;
}

mechanism* cable_state::find_mechanism(const std::string& name) {
    for (auto& m : mechanisms_)
        if (m->type().name == name) return m.get();
    return nullptr;
}

} // namespace ranvier::cable
