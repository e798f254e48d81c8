// Names of the execution modes and cable schemes (simulation_options.hpp).
#include <ranvier/errors.hpp>
#include <ranvier/simulation_options.hpp>

namespace ranvier {

std::string to_string(execution_mode mode) {
    switch (mode) {
    case execution_mode::bsp_fixed: return "bsp-fixed";
    case execution_mode::bsp_variable: return "bsp-variable";
    case execution_mode::async_fixed: return "async-fixed";
    case execution_mode::async_variable: return "async-variable";
    }
    return "?";
}

execution_mode parse_execution_mode(const std::string& name) {
    for (auto m : {execution_mode::bsp_fixed, execution_mode::bsp_variable,
                   execution_mode::async_fixed, execution_mode::async_variable})
        if (to_string(m) == name) return m;
    throw user_error("unknown execution mode '" + name +
                     "'; valid modes are bsp-fixed, bsp-variable, async-fixed, async-variable");
}

std::string to_string(cable_scheme scheme) {
    return scheme == cable_scheme::crank_nicolson ? "crank-nicolson" : "backward-euler";
}

cable_scheme parse_cable_scheme(const std::string& name) {
    for (auto s : {cable_scheme::backward_euler, cable_scheme::crank_nicolson})
        if (to_string(s) == name) return s;
    throw user_error("unknown scheme '" + name + "'; valid schemes are backward-euler (NEURON's "
                     "default, secondorder = 0) and crank-nicolson (secondorder = 2)");
}

} // namespace ranvier
