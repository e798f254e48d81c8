// Morphology -> cv_tree, NEURON's node layout (see discretization.hpp).
#include "cable/discretization.hpp"

#include "cable/morphology/segment_geometry.hpp"

#include <ranvier/errors.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>

namespace ranvier::cable {
namespace {

void require(bool ok, const std::string& key, const std::string& what) {
    if (!ok) throw user_error(source_location{"", 0, key}, what);
}

template <class T>
T per_section(const std::map<int, T>& overrides, int index, T fallback) {
    const auto it = overrides.find(index);
    return it == overrides.end() ? fallback : it->second;
}

std::string format_um(double x) {
    char text[32];
    std::snprintf(text, sizeof text, "%.6g", x);
    return text;
}

void check_policy(const morphology& m, const discretization_policy& p) {
    const int n = static_cast<int>(m.size());
    require(p.nseg >= 1 && p.nseg <= max_nseg, "nseg",
            "must be in [1, " + std::to_string(max_nseg) + "], got " + std::to_string(p.nseg));
    require(p.d_lambda > 0, "d_lambda", "must be > 0, got " + std::to_string(p.d_lambda));
    require(p.frequency_hz >= 0, "frequency_hz", "must be >= 0 Hz, got " + std::to_string(p.frequency_hz));
    require(p.Ra_ohm_cm > 0, "Ra_ohm_cm", "must be > 0 Ω·cm, got " + std::to_string(p.Ra_ohm_cm));
    require(p.cm_uF_per_cm2 >= 0, "cm_uF_per_cm2", "must be >= 0 µF/cm², got " + std::to_string(p.cm_uF_per_cm2));
    auto in_range = [n](int i) { return i >= 0 && i < n; };
    for (auto [i, v] : p.nseg_for_section) {
        const std::string key = "nseg_for_section[" + std::to_string(i) + "]";
        require(in_range(i), key, "no such section (the morphology has " + std::to_string(n) + ")");
        require(v >= 1 && v <= max_nseg, key,
                "must be in [1, " + std::to_string(max_nseg) + "], got " + std::to_string(v));
    }
    for (auto [i, v] : p.Ra_for_section) {
        const std::string key = "Ra_for_section[" + std::to_string(i) + "]";
        require(in_range(i), key, "no such section (the morphology has " + std::to_string(n) + ")");
        require(v > 0, key, "must be > 0 Ω·cm");
    }
    for (auto [i, v] : p.cm_for_section) {
        const std::string key = "cm_for_section[" + std::to_string(i) + "]";
        require(in_range(i), key, "no such section (the morphology has " + std::to_string(n) + ")");
        require(v >= 0, key, "must be >= 0 µF/cm²");
    }
}

} // namespace

int nseg_for(const section& s, int index, const discretization_policy& p) {
    if (const auto it = p.nseg_for_section.find(index); it != p.nseg_for_section.end()) return it->second;
    if (p.rule == nseg_rule::fixed) return p.nseg;
    const double Ra = per_section(p.Ra_for_section, index, p.Ra_ohm_cm);
    const double cm = per_section(p.cm_for_section, index, p.cm_uF_per_cm2);
    double length = s.length_um, lambda = 0;
    if (s.has_points()) {
        const auto pts = make_pt3d(s.points, p.single_precision_points);
        length = pts.length();
        lambda = lambda_f_points(pts, p.frequency_hz, Ra, cm);
    } else {
        lambda = lambda_f_cylinder(s.diam_um, p.frequency_hz, Ra, cm);
    }
    const double n = d_lambda_nseg(length, lambda, p.d_lambda);
    // Checked in double before converting: 1e12 um once wrapped to nseg 1,
    // 1.5e11 um to a negative nseg.
    if (!(n >= 1 && n <= max_nseg))
        throw user_error(source_location{"", 0, "d_lambda"},
                         "section " + s.name + " (length " + format_um(length) + " um, lambda_f " +
                             format_um(lambda) + " um at " + format_um(p.frequency_hz) +
                             " Hz) would need " +
                             (std::isfinite(n) ? format_um(n) : std::string("unboundedly many")) +
                             " segments by the d_lambda rule (d_lambda = " + format_um(p.d_lambda) +
                             "); NEURON allows at most " + std::to_string(max_nseg) +
                             " per section: check the section's geometry or raise d_lambda");
    return static_cast<int>(n);
}

cv_tree discretize(const morphology& m, const discretization_policy& p) {
    check_policy(m, p);
    const int nsec = static_cast<int>(m.size());
    const int origin = m.soma_section();
    // Every section's nseg first: an absurd cell is refused before anything
    // is allocated for it.
    std::vector<int> nsegs(nsec);
    long long total = 0;
    for (int s = 0; s < nsec; ++s) {
        nsegs[s] = nseg_for(m[s], s, p);
        total += nsegs[s];
    }
    if (total > max_cell_segments) {
        const auto most = std::max_element(nsegs.begin(), nsegs.end()) - nsegs.begin();
        throw user_error(source_location{"", 0, p.rule == nseg_rule::d_lambda ? "d_lambda" : "nseg"},
                         "the cell would have " + std::to_string(total) + " segments in " +
                             std::to_string(nsec) + " sections (section " + m[most].name + " has " +
                             std::to_string(nsegs[most]) + "); at most " +
                             std::to_string(max_cell_segments) +
                             " per cell are allowed: check the geometry or use fewer segments");
    }
    cv_tree t;
    t.sec_nseg.resize(nsec);
    t.sec_first_centre.resize(nsec);
    t.sec_proximal_node.resize(nsec);
    std::vector<double> length(nsec), start_distance(nsec);

    auto add_node = [&](int parent, double area, double diam, double r, double cm, int sec, double x,
                        double dist) {
        t.parent.push_back(parent);
        t.area.push_back(area);
        t.diam.push_back(diam);
        t.r_parent.push_back(r);
        t.cm.push_back(cm);
        t.section.push_back(sec);
        t.x.push_back(x);
        t.tag.push_back(m[sec].tag);
        t.distance.push_back(dist);
        return static_cast<std::int32_t>(t.parent.size() - 1);
    };
    // Path distance of (section s, x) from the soma centre (or root x=0).
    // The origin is the soma node holding x=0.5 (its centre for odd nseg),
    // as in NEURON's distance(soma(0.5), ...).
    double origin_x = 0.5;
    auto distance_at = [&](int s, double x) {
        if (s == origin) return std::fabs(x - origin_x) * length[s];
        return start_distance[s] + x * length[s];
    };

    for (int s = 0; s < nsec; ++s) {
        const auto& sec = m[s];
        const int nseg = nsegs[s];
        const double Ra = per_section(p.Ra_for_section, s, p.Ra_ohm_cm);
        const double cm = per_section(p.cm_for_section, s, p.cm_uF_per_cm2);
        std::vector<segment_values> seg;
        if (sec.has_points()) {
            const auto pts = make_pt3d(sec.points, p.single_precision_points);
            length[s] = pts.length();
            seg = segments_from_points(pts, nseg, Ra);
        } else {
            length[s] = sec.length_um;
            seg = segments_of_cylinder(sec.length_um, sec.diam_um, nseg, Ra);
        }
        // Geometry beyond what the numbers hold (points beyond single
        // precision, diameters whose cross-section overflows) would give
        // non-finite areas or resistances of zero: say which section.
        for (const auto& g : seg)
            if (!std::isfinite(length[s]) || !std::isfinite(g.area) || !(g.r_left > 0) || !(g.r_right > 0) ||
                !std::isfinite(g.r_left) || !std::isfinite(g.r_right))
                throw user_error(source_location{"", 0, "section"},
                                 "section " + sec.name + " (length " + format_um(length[s]) +
                                     " um) has a geometry that gives " +
                                     (std::isfinite(g.area) ? "an axial resistance of " + format_um(std::min(g.r_left, g.r_right)) +
                                                                  " MOhm"
                                                            : "a membrane area of " + format_um(g.area) + " um2") +
                                     ": its lengths or diameters are beyond what double (or, for 3-d "
                                     "points, NEURON's single precision) holds");
        t.sec_nseg[s] = nseg;
        if (s == origin) origin_x = (std::min(static_cast<int>(0.5 * nseg), nseg - 1) + 0.5) / nseg;
        std::int32_t attach;
        if (sec.parent < 0) {
            start_distance[s] = 0;
            attach = add_node(-1, 0.0, 0.0, 0.0, cm, s, 0.0, distance_at(s, 0.0));
        } else {
            attach = node_at(t, sec.parent, sec.parent_x);
            // As in NEURON's distance(): electrically the child starts at the
            // parent node it hangs from, not at parent_x itself.
            start_distance[s] = t.distance[attach];
        }
        t.sec_proximal_node[s] = attach;
        double r_before = 0; // right half of the previous segment (none before the first)
        std::int32_t prev = attach;
        for (int k = 0; k < nseg; ++k) {
            const double x = (k + 0.5) / nseg;
            prev = add_node(prev, seg[k].area, seg[k].diam, r_before + seg[k].r_left, cm, s, x, distance_at(s, x));
            if (k == 0) t.sec_first_centre[s] = prev;
            r_before = seg[k].r_right;
        }
        add_node(prev, 0.0, 0.0, r_before, cm, s, 1.0, distance_at(s, 1.0));
    }
    return t;
}

std::int32_t node_at(const cv_tree& t, int section, double x) {
    const int nsec = static_cast<int>(t.sec_nseg.size());
    if (section < 0 || section >= nsec) {
        throw user_error(source_location{"", 0, "section"},
                         "no section " + std::to_string(section) + " (valid: 0.." + std::to_string(nsec - 1) + ")");
    }
    if (!(x >= 0.0 && x <= 1.0)) {
        throw user_error(source_location{"", 0, "x"}, "location must lie in [0, 1], got " + std::to_string(x));
    }
    const int nseg = t.sec_nseg[section];
    if (x == 0.0) return t.sec_proximal_node[section];
    if (x == 1.0) return t.sec_first_centre[section] + nseg; // the x=1 node follows the centres
    int k = static_cast<int>(nseg * x);
    if (k == nseg) k = nseg - 1;
    return t.sec_first_centre[section] + k;
}

} // namespace ranvier::cable
