// The state of a group of cable cells (see cable_state.hpp).
#include "cable/cable_state.hpp"

#include <algorithm>

namespace ranvier::cable {

void cable_state::initialise() {
    std::fill(nodes_.v.begin(), nodes_.v.end(), v_init_);
    for (auto& m : mechanisms_) m->initialise(nodes_.v.data());
    std::fill(detectors_.above.begin(), detectors_.above.end(), std::uint8_t{0});
}

mechanism* cable_state::find_mechanism(const std::string& name) {
    for (auto& m : mechanisms_)
        if (m->type().name == name) return m.get();
    return nullptr;
}

} // namespace ranvier::cable
