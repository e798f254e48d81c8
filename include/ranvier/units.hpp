// Physical quantities written with their unit, as in model files ("20 ms",
// "-70 mV", "0.1 nA"), converted to Ranvier's canonical unit of a dimension.
//
// Canonical units: time ms, voltage mV, current pA, capacitance pF,
// conductance nS, frequency Hz, length um, specific capacitance uF/cm2,
// specific conductance S/cm2, resistivity ohm*cm, temperature degC,
// concentration mM. The accepted units of each dimension are listed in
// docs/model-file.md (and in the table in src/model/units.cpp).
#pragma once

#include <ranvier/errors.hpp>

#include <string>
#include <string_view>

namespace ranvier {

enum class dimension {
    time,                 // ms
    voltage,              // mV
    current,              // pA
    capacitance,          // pF
    conductance,          // nS
    frequency,            // Hz
    length,               // um
    specific_capacitance, // uF/cm2
    specific_conductance, // S/cm2
    resistivity,          // ohm*cm
    temperature,          // degC
    concentration,        // mM
};

// "time", "voltage", "specific capacitance", ...
std::string to_string(dimension d);
// The canonical unit symbol: "ms", "mV", ...
std::string canonical_unit(dimension d);
// A quantity to show in messages: "20 ms", "-70 mV", ...
std::string example_quantity(dimension d);
// The accepted unit symbols of a dimension, comma separated: "s, ms, us".
std::string accepted_units(dimension d);

// Parses "<number> <unit>" (space optional, "µ"/"μ" accepted for "u") and
// returns the value in the canonical unit of `expected`. Throws user_error,
// located at `where`, for a missing unit, a unit of another dimension, an
// unknown unit, or a number that is unparsable or not finite; the message
// says what was expected, e.g. `expected a time such as "20 ms"`.
double parse_quantity(std::string_view text, dimension expected,
                      const source_location& where = {});

} // namespace ranvier
