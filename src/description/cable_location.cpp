// Text form of cable locations: "soma(0.5)", "dend[2](1)", "3(0.25)".
#include <ranvier/cable_cell.hpp>
#include <ranvier/recipe.hpp>
#include <ranvier/errors.hpp>

#include <cstdio>
#include <string>

namespace ranvier {

cable_location parse_cable_location(const std::string& text, const std::string& where) {
    const std::string prefix = where.empty() ? "" : where + ": ";
    auto bad = [&](const std::string& why) -> user_error {
        return user_error(prefix + "location '" + text + "' " + why +
                          " (expected \"section(x)\" such as \"soma(0.5)\" or \"dend[0](1)\")");
    };
    cable_location l;
    const auto open = text.rfind('(');
    if (open == std::string::npos) {
        if (text.empty()) throw bad("is empty");
        l.section = text;
        l.x = 0.5;
        return l;
    }
    if (text.back() != ')') throw bad("does not end with ')'");
    l.section = text.substr(0, open);
    if (l.section.empty()) throw bad("names no section");
    const std::string number = text.substr(open + 1, text.size() - open - 2);
    std::size_t used = 0;
    try {
        l.x = std::stod(number, &used);
    } catch (const std::exception&) {
        throw bad("has no number in parentheses");
    }
    if (used != number.size()) throw bad("has trailing characters after x");
    if (!(l.x >= 0 && l.x <= 1)) throw bad("has x outside [0, 1]");
    return l;
}

std::string to_string(const cable_location& l) {
    char x[32];
    std::snprintf(x, sizeof x, "%g", l.x);
    return l.section + "(" + x + ")";
}

} // namespace ranvier

namespace ranvier {

std::string probe_location_text(const recipe& r, gid_type gid, const probe& p) {
    if (!p.location.empty() || r.kind(gid) != cell_kind::cable) return p.location;
    return to_string(std::get<cable_cell>(r.cell(gid)).detector.location);
}

} // namespace ranvier
