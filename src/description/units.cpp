// Parsing of quantities with units ("20 ms") into canonical units.
// The table below is the single list of accepted units: adding a unit is one
// line. value_in_canonical = number * factor + offset.
#include <ranvier/units.hpp>

#include <array>
#include <charconv>
#include <cmath>
#include <string>
#include <string_view>

namespace ranvier {
namespace {

struct unit_entry {
    std::string_view symbol; // after normalisation (see normalise_unit)
    dimension dim;
    double factor;      // canonical units per unit
    double offset = 0;  // added after scaling (temperatures only)
};

// clang-format off
constexpr std::array unit_table{
    unit_entry{"ms",  dimension::time, 1.0},
    unit_entry{"s",   dimension::time, 1e3},
    unit_entry{"us",  dimension::time, 1e-3},

    unit_entry{"mV",  dimension::voltage, 1.0},
    unit_entry{"V",   dimension::voltage, 1e3},
    unit_entry{"uV",  dimension::voltage, 1e-3},

    unit_entry{"pA",  dimension::current, 1.0},
    unit_entry{"nA",  dimension::current, 1e3},
    unit_entry{"uA",  dimension::current, 1e6},
    unit_entry{"mA",  dimension::current, 1e9},

    unit_entry{"pF",  dimension::capacitance, 1.0},
    unit_entry{"nF",  dimension::capacitance, 1e3},
    unit_entry{"uF",  dimension::capacitance, 1e6},

    unit_entry{"nS",  dimension::conductance, 1.0},
    unit_entry{"pS",  dimension::conductance, 1e-3},
    unit_entry{"uS",  dimension::conductance, 1e3},
    unit_entry{"mS",  dimension::conductance, 1e6},
    unit_entry{"S",   dimension::conductance, 1e9},

    unit_entry{"Hz",  dimension::frequency, 1.0},
    unit_entry{"kHz", dimension::frequency, 1e3},

    unit_entry{"um",  dimension::length, 1.0},
    unit_entry{"nm",  dimension::length, 1e-3},
    unit_entry{"mm",  dimension::length, 1e3},
    unit_entry{"cm",  dimension::length, 1e4},
    unit_entry{"m",   dimension::length, 1e6},

    unit_entry{"uF/cm2", dimension::specific_capacitance, 1.0},
    unit_entry{"F/m2",   dimension::specific_capacitance, 1e2},

    unit_entry{"S/cm2",  dimension::specific_conductance, 1.0},
    unit_entry{"mS/cm2", dimension::specific_conductance, 1e-3},
    unit_entry{"uS/cm2", dimension::specific_conductance, 1e-6},
    unit_entry{"S/m2",   dimension::specific_conductance, 1e-4},

    unit_entry{"ohm*cm", dimension::resistivity, 1.0},
    unit_entry{"ohm*m",  dimension::resistivity, 1e2},

    unit_entry{"degC", dimension::temperature, 1.0},
    unit_entry{"K",    dimension::temperature, 1.0, -273.15},

    unit_entry{"mM",  dimension::concentration, 1.0},
    unit_entry{"uM",  dimension::concentration, 1e-3},
    unit_entry{"nM",  dimension::concentration, 1e-6},
    unit_entry{"M",   dimension::concentration, 1e3},
};
// clang-format on

struct dimension_info {
    dimension dim;
    std::string_view name;
    std::string_view canonical;
    std::string_view example;
};

constexpr std::array dimension_table{
    dimension_info{dimension::time, "time", "ms", "20 ms"},
    dimension_info{dimension::voltage, "voltage", "mV", "-70 mV"},
    dimension_info{dimension::current, "current", "pA", "100 pA"},
    dimension_info{dimension::capacitance, "capacitance", "pF", "250 pF"},
    dimension_info{dimension::conductance, "conductance", "nS", "10 nS"},
    dimension_info{dimension::frequency, "frequency", "Hz", "20 Hz"},
    dimension_info{dimension::length, "length", "um", "100 um"},
    dimension_info{dimension::specific_capacitance, "specific capacitance", "uF/cm2", "1 uF/cm2"},
    dimension_info{dimension::specific_conductance, "specific conductance", "S/cm2", "0.12 S/cm2"},
    dimension_info{dimension::resistivity, "resistivity", "ohm*cm", "100 ohm cm"},
    dimension_info{dimension::temperature, "temperature", "degC", "6.3 degC"},
    dimension_info{dimension::concentration, "concentration", "mM", "2 mM"},
};

const dimension_info& info(dimension d) {
    for (const auto& i : dimension_table)
        if (i.dim == d) return i;
    throw internal_error("units: dimension missing from dimension_table");
}

void replace_all(std::string& s, std::string_view from, std::string_view to) {
    // Rebuilt rather than edited in place (GCC 12 warns falsely on string::replace).
    std::string out;
    std::size_t done = 0;
    for (std::size_t pos = s.find(from); pos != std::string::npos; pos = s.find(from, done)) {
        out.append(s, done, pos - done);
        out.append(to);
        done = pos + from.size();
    }
    out.append(s, done, std::string::npos);
    s = std::move(out);
}

bool is_space(char c) { return c == ' ' || c == '\t'; }

// Brings the spellings people use to the table's: micro signs to "u", Ohm and
// the omega sign to "ohm", products ("ohm cm", "ohm * cm", "ohm·cm") to
// "ohm*cm", powers ("cm^2") to "cm2", "°C" to "degC".
std::string normalise_unit(std::string_view text) {
    std::string s(text);
    replace_all(s, "\xC2\xB5", "u"); // µ MICRO SIGN
    replace_all(s, "\xCE\xBC", "u"); // μ GREEK SMALL LETTER MU
    replace_all(s, "\xCE\xA9", "ohm"); // Ω
    replace_all(s, "\xC2\xB7", "*");   // · MIDDLE DOT
    replace_all(s, "\xC2\xB0" "C", "degC");
    replace_all(s, "Ohm", "ohm");
    replace_all(s, "^", "");
    // Collapse whitespace and '*' between two symbols into one '*'.
    std::string out;
    bool pending_product = false;
    for (char c : s) {
        if (is_space(c) || c == '*') {
            pending_product = !out.empty();
            continue;
        }
        if (pending_product && c != '/' && out.back() != '/') out += '*';
        pending_product = false;
        out += c;
    }
    return out;
}

const unit_entry* find_unit(std::string_view symbol) {
    for (const auto& u : unit_table)
        if (u.symbol == symbol) return &u;
    return nullptr;
}

} // namespace

std::string to_string(dimension d) { return std::string(info(d).name); }
std::string canonical_unit(dimension d) { return std::string(info(d).canonical); }
std::string example_quantity(dimension d) { return std::string(info(d).example); }

std::string accepted_units(dimension d) {
    std::string out;
    for (const auto& u : unit_table) {
        if (u.dim != d) continue;
        if (!out.empty()) out += ", ";
        out += u.symbol;
    }
    return out;
}

double parse_quantity(std::string_view text, dimension expected, const source_location& where) {
    const std::string expectation = "expected a " + to_string(expected) + " such as \"" +
                                    example_quantity(expected) + "\"";
    auto fail = [&](const std::string& why) -> double {
        throw user_error(where, expectation + ", got \"" + std::string(text) + "\"" + why);
    };

    std::size_t begin = 0, end = text.size();
    while (begin < end && is_space(text[begin])) ++begin;
    while (end > begin && is_space(text[end - 1])) --end;
    if (begin == end) return fail(" (empty)");
    if (text[begin] == '+') ++begin; // from_chars rejects a leading '+'

    double number = 0;
    const char* first = text.data() + begin;
    const char* last = text.data() + end;
    const auto [stop, ec] = std::from_chars(first, last, number, std::chars_format::general);
    if (ec == std::errc::invalid_argument) return fail(": it does not start with a number");
    if (ec == std::errc::result_out_of_range || !std::isfinite(number))
        return fail(": the number must be finite");

    const std::string_view unit_text(stop, static_cast<std::size_t>(last - stop));
    const std::string symbol = normalise_unit(unit_text);
    if (symbol.empty())
        return fail(" without a unit (write it with one of: " + accepted_units(expected) + ")");

    const unit_entry* unit = find_unit(symbol);
    if (!unit)
        return fail(": unknown unit '" + std::string(unit_text.substr(unit_text.find_first_not_of(" \t"))) +
                    "' (units of a " + to_string(expected) + ": " + accepted_units(expected) + ")");
    if (unit->dim != expected)
        return fail(", which is a " + to_string(unit->dim) + " (units of a " + to_string(expected) +
                    ": " + accepted_units(expected) + ")");
    return number * unit->factor + unit->offset;
}

} // namespace ranvier
