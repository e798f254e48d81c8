// Segment areas and half-segment axial resistances, reproducing NEURON's
// arithmetic so that results agree with it to rounding (see
// docs/morphology.md, "Discretisation").
#include "cable/morphology/segment_geometry.hpp"

#include <ranvier/errors.hpp>

#include <cmath>
#include <numbers>

namespace ranvier::cable {
namespace {

constexpr double pi = std::numbers::pi;

// Ω·cm · µm / µm² = 1e4 Ω = 1e-2 MΩ.
constexpr double ohm_cm_per_um_to_megaohm = 1e-2;

// The diameter-profile walker: keeps the integration cursor between
// calls, as the integral over consecutive half-segments is taken in order.
struct profile_walk {
    const pt3d_list& p;
    std::size_t j = 0;   // current 3-d interval starts at point j
    double s1 = 0;       // µm, arc position reached so far
    double d1 = 0;       // µm, diameter there

    // Integrates from s1 to `to`, piece by piece between 3-d points.
    // Returns the sum of ds/(d1*d2) (for resistance) and adds the frustum
    // sums (d1+d2)*slant to area_sum.
    double advance(double to, double& area_sum, double& diam_sum) {
        const std::size_t last = p.arc.size() - 1;
        double inv_conductance = 0;
        for (;;) {
            const std::size_t jp = j + 1;
            const double aj = p.arc[j], ajp = p.arc[jp];
            double s2, d2;
            bool stop;
            if (ajp > to || jp == last) {
                // The boundary falls inside interval j (or beyond the last
                // point): interpolate the diameter linearly in arc length.
                const double frac = std::fabs(ajp - aj) < 1e-10 ? 1.0 : (to - aj) / (ajp - aj);
                s2 = to;
                d2 = (1.0 - frac) * p.diam[j] + frac * p.diam[jp];
                stop = true;
            } else {
                s2 = ajp;
                d2 = p.diam[jp];
                stop = false;
            }
            double ds = s2 - s1;
            diam_sum += (d2 + d1) * ds; // (the true length: the guard below is for 1/g)
            if (ds < 1e-15) ds = 1e-15; // NEURON's guard against empty pieces
            double g = d2 * d1 / ds;
            if (g == 0) g = 1e-15;
            inv_conductance += 1 / g;
            const double half_step = 0.5 * (d2 - d1);
            area_sum += (d2 + d1) * std::sqrt(ds * ds + half_step * half_step);
            s1 = s2;
            d1 = d2;
            if (stop) break;
            j = jp;
        }
        return inv_conductance;
    }
};

} // namespace

pt3d_list make_pt3d(const std::vector<sample_point>& points, bool single_precision) {
    pt3d_list out;
    out.arc.reserve(points.size());
    out.diam.reserve(points.size());
    for (std::size_t i = 0; i < points.size(); ++i) {
        const auto& q = points[i];
        out.diam.push_back(single_precision ? static_cast<double>(static_cast<float>(q.diam)) : q.diam);
        if (i == 0) {
            out.arc.push_back(0.0);
            continue;
        }
        const auto& o = points[i - 1];
        double dx, dy, dz;
        if (single_precision) { // float - float is evaluated in float, as in NEURON
            dx = static_cast<float>(q.x) - static_cast<float>(o.x);
            dy = static_cast<float>(q.y) - static_cast<float>(o.y);
            dz = static_cast<float>(q.z) - static_cast<float>(o.z);
        } else {
            dx = q.x - o.x;
            dy = q.y - o.y;
            dz = q.z - o.z;
        }
        out.arc.push_back(out.arc.back() + std::sqrt(dx * dx + dy * dy + dz * dz));
    }
    return out;
}

std::vector<segment_values> segments_from_points(const pt3d_list& p, int nseg, double Ra) {
    if (p.arc.size() < 2) throw internal_error("segments_from_points: fewer than two 3-d points");
    std::vector<segment_values> out(nseg);
    const double ds = p.length() / nseg;
    // Σ ds/(d1 d2) · 4 Ra/π, in NEURON's order of operations.
    auto to_megaohm = [Ra](double sum) { return sum * Ra / pi * (4.0 * ohm_cm_per_um_to_megaohm); };
    profile_walk w{p, 0, p.arc[0], p.diam[0]};
    for (int k = 0; k < nseg; ++k) {
        double area_sum = 0, diam_sum = 0;
        double lo = k * ds;
        const double mid = lo + ds / 2;
        out[k].r_left = to_megaohm(w.advance(mid, area_sum, diam_sum));
        lo = mid;
        out[k].r_right = to_megaohm(w.advance(lo + ds / 2, area_sum, diam_sum));
        out[k].area = area_sum * 0.5 * pi; // Σ (d1+d2)/2 · π · slant
        // The diameter averaged over the segment's length, as NEURON's seg.diam
        // (checked: 2-4-1 µm points at 0, 10, 30 µm, nseg 3 give 3, 3.25, 1.75).
        out[k].diam = ds > 0 ? diam_sum * 0.5 / ds : p.diam[0];
    }
    return out;
}

std::vector<segment_values> segments_of_cylinder(double length, double diam, int nseg, double Ra) {
    std::vector<segment_values> out(nseg);
    const double dx = length / nseg;
    for (auto& s : out) {
        s.area = pi * diam * dx;
        s.r_left = ohm_cm_per_um_to_megaohm * Ra * (dx / 2) / (pi * diam * diam / 4.0);
        s.r_right = s.r_left;
        s.diam = diam;
    }
    return out;
}

double lambda_f_cylinder(double diam, double f, double Ra, double cm) {
    if (cm == 0) return 1e10;
    return 1e5 * std::sqrt(diam / (4 * pi * f * Ra * cm));
}

double lambda_f_points(const pt3d_list& p, double f, double Ra, double cm) {
    if (cm == 0) return 1e10;
    // Electrotonic length: Σ Δs / sqrt(d1 + d2), scaled; lambda = L / that.
    double lam = 0;
    for (std::size_t i = 1; i < p.arc.size(); ++i) {
        lam += (p.arc[i] - p.arc[i - 1]) / std::sqrt(p.diam[i - 1] + p.diam[i]);
    }
    lam *= std::sqrt(2.0) * 1e-5 * std::sqrt(4 * pi * f * Ra * cm);
    return p.length() / lam;
}

double d_lambda_nseg(double length, double lambda, double d_lambda) {
    // trunc = int() for the non-negative argument; no conversion to int here.
    return std::trunc((length / (d_lambda * lambda) + 0.9) / 2) * 2 + 1;
}

} // namespace ranvier::cable
