// Discretisation of a morphology into the compartment tree (cv_tree) that
// the cable numerics use, exactly as NEURON 8.2 lays out its nodes and
// computes their areas and axial resistances:
//  - a section with nseg segments has nseg nodes at the segment centres
//    x = (k+0.5)/nseg plus a zero-area node at x = 1;
//  - the root section also has a zero-area root node at x = 0 (node 0);
//  - a child attached at parent x hangs its first centre node off
//    node_at(parent, x) (x=0: the parent's x=0 node, x=1: its x=1 node,
//    otherwise the centre of the segment containing x), through the left
//    half of its first segment only;
//  - r_parent of a centre node = right half of the previous segment + left
//    half of its own; of an x=1 node = right half of the last segment.
// See docs/morphology.md.
#pragma once

#include "cable/cv_tree.hpp"

#include <ranvier/morphology.hpp>

#include <cstdint>
#include <map>

namespace ranvier::cable {

// NEURON's own limit on a section's nseg.
inline constexpr int max_nseg = 32767;
// Segments of one cell, all sections together: a million compartments are
// far beyond any reconstructed cell (tens of thousands at d_lambda = 0.1)
// and already take hundreds of MB per cell in the cable state.
inline constexpr long long max_cell_segments = 1'000'000;

enum class nseg_rule {
    fixed,    // policy.nseg segments per section
    d_lambda, // NEURON's d_lambda rule at policy.frequency_hz
};

struct discretization_policy {
    nseg_rule rule = nseg_rule::fixed;
    int nseg = 1;                     // segments per section for the fixed rule
    double d_lambda = 0.1;            // segment length as a fraction of lambda_f (d_lambda rule)
    double frequency_hz = 100;        // Hz, frequency at which lambda_f is evaluated
    std::map<int, int> nseg_for_section; // explicit nseg per section index (wins over the rule)

    double Ra_ohm_cm = 35.4;             // Ω·cm, axial resistivity (NEURON's default)
    double cm_uF_per_cm2 = 1.0;          // µF/cm², membrane capacitance (NEURON's default)
    std::map<int, double> Ra_for_section; // Ω·cm, per section index
    std::map<int, double> cm_for_section; // µF/cm², per section index

    // NEURON stores 3-d points in single precision; do the same so that
    // areas and resistances match it to rounding. Off: use doubles.
    bool single_precision_points = true;
};

// Throws user_error (key names the policy field) for nseg outside
// [1, max_nseg], d_lambda <= 0, frequency < 0, Ra <= 0, cm < 0, a section
// index out of range, a section whose d_lambda rule gives more than max_nseg
// segments (or none: non-finite geometry), or a cell of more than
// max_cell_segments segments; the message names the section.
cv_tree discretize(const morphology& m, const discretization_policy& policy);

// The node holding location (section, x), NEURON's rule (node_exact): x=0 is
// the section's x=0 node, x=1 its x=1 node, otherwise the centre of segment
// floor(x*nseg). Throws user_error for an unknown section or x outside [0,1].
std::int32_t node_at(const cv_tree& tree, int section, double x);

// Number of segments the policy gives a section (explicit, fixed or d_lambda).
// Throws user_error naming the section if the d_lambda rule gives more than
// max_nseg (computed in double, so absurd lengths do not overflow).
int nseg_for(const section& s, int index, const discretization_policy& policy);

} // namespace ranvier::cable
