// The state of a group of cable cells (see cable_state.hpp).
#include "cable/cable_state.hpp"

#include <ranvier/errors.hpp>

#include <algorithm>
#include <string>

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
        m->self_events().clear(); // requests of an earlier run are void
        m->emitted_spikes().clear();
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

// Without states, a writer's concentration is an ASSIGNED value that its
// advance_states computes (the generated BREAKPOINT): CVODE has nothing to
// integrate for it, so it is updated between steps as in NEURON.
static bool stateless_writer(const mechanism& m) {
    return m.type().states.empty() && m.writes_concentration();
}

bool cable_state::has_stateless_writers() const {
    for (const auto& m : mechanisms_)
        if (stateless_writer(*m)) return true;
    return false;
}

void cable_state::advance_stateless_writers(const double* v) {
    for (auto& m : mechanisms_)
        if (stateless_writer(*m)) m->advance_states(v, 0.0);
}

std::int32_t cable_state::cell_of_node(std::int32_t node) const {
    return static_cast<std::int32_t>(std::upper_bound(cell_offset_.begin(), cell_offset_.end(), node) -
                                     cell_offset_.begin() - 1);
}

namespace {

// Moves mechanism m's requests into the stepper's lists. `args_are_storage`:
// the event that sent them carried connection storage (its pointer may be
// kept); otherwise its arguments were a temporary and only the weight is kept.
void take_requests(mechanism& mech, std::size_t m, bool args_are_storage, const cable_state& state,
                   std::vector<cable_state::self_event>& sent,
                   std::vector<cable_state::emitted_spike>& spikes) {
    for (const mechanism::self_event& e : mech.self_events()) {
        if (!(e.time == e.time))
            throw user_error(source_location{"", 0, mech.type().name},
                             "net_send with a negative or non-finite delay (instance " +
                                 std::to_string(e.instance) + ")");
        sent.push_back({e.time, static_cast<std::int32_t>(m), static_cast<std::int32_t>(e.instance), e.flag,
                        args_are_storage ? e.args : nullptr, args_are_storage ? e.nargs : 0u, e.weight});
    }
    mech.self_events().clear();
    for (const mechanism::emitted_spike& e : mech.emitted_spikes())
        spikes.push_back({e.time, state.cell_of_node(mech.data().node_index[e.instance])});
    mech.emitted_spikes().clear();
}

} // namespace

void cable_state::net_receive(std::size_t m, std::size_t instance, double* args, std::uint32_t nargs,
                              double weight, double flag, double t, std::vector<self_event>& sent,
                              std::vector<emitted_spike>& spikes) {
    mechanism& mech = *mechanisms_[m];
    if (args) {
        mech.net_receive(instance, std::span<double>(args, nargs), flag, t);
    } else {
        double w = weight;
        mech.net_receive(instance, std::span<double>(&w, 1), flag, t);
    }
    if (mech.has_requests()) take_requests(mech, m, args != nullptr, *this, sent, spikes);
}

void cable_state::take_initial_requests(std::vector<self_event>& sent, std::vector<emitted_spike>& spikes) {
    for (std::size_t m = 0; m < mechanisms_.size(); ++m)
        if (mechanisms_[m]->has_requests()) take_requests(*mechanisms_[m], m, false, *this, sent, spikes);
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
