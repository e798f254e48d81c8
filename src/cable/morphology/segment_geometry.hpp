// Internal: membrane area and axial resistance of the segments of one
// section, computed as NEURON 8.2 does (treeset.cpp, nrn_area_ri and
// diam_from_list), from 3-d points or from L/diam.
#pragma once

#include <ranvier/morphology.hpp>

#include <vector>

namespace ranvier::cable {

// A section's 3-d points as NEURON stores them: coordinates and diameters
// in single precision (when asked), arc lengths accumulated in double from
// differences taken in the points' own precision.
struct pt3d_list {
    std::vector<double> arc;  // µm, arc length from the first point
    std::vector<double> diam; // µm
    double length() const { return arc.back(); }
};

pt3d_list make_pt3d(const std::vector<sample_point>& points, bool single_precision);

struct segment_values {
    double area = 0;    // µm², lateral membrane area of the segment
    double r_left = 0;  // MΩ, from the segment's x=0 end to its centre
    double r_right = 0; // MΩ, from its centre to its x=1 end
    double diam = 0;    // µm, mean diameter over the segment's length (NEURON's seg.diam)
};

// nseg segments of equal arc length. Ra in Ω·cm.
std::vector<segment_values> segments_from_points(const pt3d_list& p, int nseg, double Ra_ohm_cm);
std::vector<segment_values> segments_of_cylinder(double length_um, double diam_um, int nseg, double Ra_ohm_cm);

// NEURON's lambda_f(freq) (stdlib.hoc): length constant in µm at frequency
// f of the section, from its 3-d points when it has them.
double lambda_f_points(const pt3d_list& p, double freq_hz, double Ra_ohm_cm, double cm_uF_cm2);
double lambda_f_cylinder(double diam_um, double freq_hz, double Ra_ohm_cm, double cm_uF_cm2);

// NEURON's d_lambda rule: int((L/(d_lambda*lambda_f)+0.9)/2)*2+1, in double
// (exact for every count an int holds; may be huge or non-finite for absurd
// geometry, which the caller rejects before converting).
double d_lambda_nseg(double length_um, double lambda_um, double d_lambda);

} // namespace ranvier::cable
