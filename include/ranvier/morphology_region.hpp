// Regions of a cable cell: sets of nodes of its discretised tree, named by
// what a modeller thinks in (SWC type, a section, a path-distance band from
// the soma centre), for painting mechanisms and choosing locations.
//
// Text syntax (parse_region):
//   all | soma | axon | dend | apic     whole SWC types (or all nodes)
//   tag(7)                              SWC type number
//   section(3)                          one section (alias: branch(3))
//   distance(0, 150)                    nodes whose path distance from the
//                                       soma centre lies in [0, 150] µm
//   a | b, a & b, (a)                   union, intersection ('&' binds tighter)
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace ranvier {

class region {
public:
    static region all();
    static region tag(int swc_tag);
    static region section(int index);
    static region distance(double lo_um, double hi_um);

    friend region operator|(const region& a, const region& b);
    friend region operator&(const region& a, const region& b);

    // The expression tree; what it is made of is private to Ranvier
    // (evaluated over a discretised cell by the cable numerics).
    struct expr;
    const expr& expression() const { return *e_; }

private:
    explicit region(std::shared_ptr<const expr> e) : e_(std::move(e)) {}
    std::shared_ptr<const expr> e_;
};

// Parses the syntax above. Throws user_error naming the offending word
// (and listing the valid names) or the position of a syntax error;
// `where` (e.g. "cell.toml: regions.apical") prefixes the message.
region parse_region(const std::string& text, const std::string& where = "");

} // namespace ranvier
