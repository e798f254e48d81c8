// The user-facing description of one morphologically detailed (cable) cell:
// its shape, how to cut it into compartments, which membrane mechanisms are
// painted on which regions, which point processes sit where (synapses,
// current clamps), where its spikes are detected, and its initial state.
// A recipe returns it from cell(gid) with kind(gid) == cell_kind::cable; the
// engine lowers it with the cable numerics (src/cable/, docs/numerics-cable.md).
//
// Units follow NEURON's mechanism declarations, not Ranvier's point-neuron
// canonical units: mechanism parameters in their declared unit (S/cm2, mV,
// ms, nA, uS), connection weights onto a cable synapse in uS.
#pragma once

#include <ranvier/morphology.hpp>
#include <ranvier/morphology_region.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace ranvier {

// A point on a cell: a section (by name, e.g. "soma", "dend[3]", or by index
// written as a decimal number, "0") and a position x in [0, 1] along it.
struct cable_location {
    std::string section = "soma";
    double x = 0.5; // 0..1, fraction of the section's length from its 0 end
};

// Parses "soma(0.5)", "dend[0](1)", "3(0.25)"; without "(x)" x is 0.5.
// Throws user_error prefixed by `where` for malformed text.
cable_location parse_cable_location(const std::string& text, const std::string& where = "");
// "soma(0.5)"
std::string to_string(const cable_location& l);

// Parameter values by name, in the mechanism's declared units
// (e.g. {"gnabar", 0.12} in S/cm2).
using mechanism_parameters = std::vector<std::pair<std::string, double>>;

// How a morphology is cut into compartments (NEURON's nseg, Ra, cm).
struct cable_discretization {
    int nseg = 1;           // segments per section (when d_lambda <= 0)
    double d_lambda = 0;    // > 0: NEURON's d_lambda rule with this fraction of lambda_f
    double frequency = 100; // Hz, frequency of lambda_f for the d_lambda rule
    std::map<std::string, int> nseg_for_section; // explicit nseg by section name (wins)
    double Ra = 35.4;                            // Ω·cm, axial resistivity
    double cm = 1.0;                             // µF/cm², specific membrane capacitance
};

// A density mechanism on a region: `region` is a ranvier::region or its text
// syntax (morphology_region.hpp), e.g. "soma", "dend | apic", "all".
struct cable_painting {
    std::variant<std::string, region> where = std::string("all");
    std::string mechanism;           // "hh", "pas", ...
    mechanism_parameters parameters; // overrides of the defaults
};

// Initial values of an ion on a region (NEURON: `sec.ek = -85` where the
// k ion exists; cai0_ca_ion and cao0_ca_ion, here per region). Applied in
// order after NEURON's defaults, at the region's nodes where a mechanism
// uses the ion. Where a mechanism writes a concentration of the ion, e is
// computed by Nernst and a given e has no effect (as in NEURON).
struct cable_ion_setting {
    std::variant<std::string, region> where = std::string("all");
    std::string ion;          // "na", "k", "ca", or an ion a USEION declares
    std::optional<double> e;  // mV, reversal potential
    std::optional<double> ci; // mM, inside concentration (initial)
    std::optional<double> co; // mM, outside concentration (initial)
};

// A GLOBAL of a mechanism type for the cell (`globals = [{ mechanism = "HHk",
// usetable = 0 }]`): NEURON's `usetable_HHk = 0`, one value per mechanism
// type; here per cable group (cells of a group must agree, as on celsius).
struct cable_global_setting {
    std::string mechanism;
    std::string name;
    double value = 0; // in the unit the mechanism declares
    bool operator==(const cable_global_setting&) const = default;
};

// A point process at a location: a synapse (ExpSyn, Exp2Syn: receives
// events) or a stimulus (IClamp: no events).
struct cable_placement {
    cable_location location;
    std::string mechanism;
    mechanism_parameters parameters;
};

// The cell's spike source: an upward crossing of `threshold` by v at `location`.
struct cable_detector {
    cable_location location;
    double threshold = 10; // mV (NEURON's NetCon default)
};

// An event scheduled on a synapse of this cell at a given time, independent
// of any presynaptic cell (NEURON's NetCon(None, syn).event(time)).
struct cable_scheduled_event {
    std::uint32_t site = 0; // index into cable_cell::synapses
    double time = 0;        // ms, >= 0
    double weight = 0;      // uS
};

struct cable_cell {
    morphology morph;
    cable_discretization discretization;
    std::vector<cable_painting> paintings; // applied in order (a later one overrides)
    std::vector<cable_ion_setting> ions;   // applied in order (a later one overrides)
    // Synapses: site k of the cell is synapses[k]; connection.target_site indexes them.
    std::vector<cable_placement> synapses;
    std::vector<cable_placement> stimuli; // IClamp and other event-less point processes
    cable_detector detector;
    std::vector<cable_scheduled_event> events; // external events onto its synapses
    double celsius = 6.3; // degC, temperature for every mechanism with a celsius global
    std::vector<cable_global_setting> globals; // applied in order, after celsius
    double v_init = -65;  // mV, initial membrane potential of every node
};

} // namespace ranvier
