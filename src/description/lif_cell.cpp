// Validation of the user-facing LIF description.
#include <ranvier/errors.hpp>
#include <ranvier/lif_cell.hpp>

#include <cmath>

namespace ranvier {

namespace {

void require(bool ok, const std::string& where, const std::string& key, const std::string& what) {
    if (!ok) throw user_error(source_location{"", 0, key}, where + ": " + what);
}

} // namespace

void validate(const lif_cell& c, const std::string& where) {
    const std::pair<const char*, double> values[] = {
        {"tau_m", c.tau_m},     {"C_m", c.C_m},         {"E_L", c.E_L},
        {"V_th", c.V_th},       {"V_reset", c.V_reset}, {"t_ref", c.t_ref},
        {"I_e", c.I_e},         {"tau_syn_ex", c.tau_syn_ex}, {"tau_syn_in", c.tau_syn_in},
        {"V_init", c.V_init}};
    for (const auto& [key, v] : values) require(std::isfinite(v), where, key, "must be a finite number");
    require(c.tau_m > 0, where, "tau_m", "must be > 0 ms");
    require(c.C_m > 0, where, "C_m", "must be > 0 pF");
    require(c.t_ref >= 0, where, "t_ref", "must be >= 0 ms");
    require(c.tau_syn_ex > 0, where, "tau_syn_ex", "must be > 0 ms");
    require(c.tau_syn_in > 0, where, "tau_syn_in", "must be > 0 ms");
    require(c.V_reset < c.V_th, where, "V_reset", "must be below V_th");
}

std::string to_string(lif_synapse kind) {
    switch (kind) {
    case lif_synapse::delta: return "delta";
    case lif_synapse::exp: return "exp";
    case lif_synapse::alpha: return "alpha";
    }
    return "?";
}

} // namespace ranvier
