// Ordered SWC samples -> sections, reproducing NEURON 8.2's Import3d
// (Import3d_SWC_read.sectionify/mksection and Import3d_GUI.instantiate):
//  - a section is a run of contiguous samples (each the previous one's
//    child) of one type; it ends where a sample has other than exactly one
//    contiguous child, and where the type changes;
//  - consecutive soma samples stay in one section unless a non-root soma
//    sample has several soma children;
//  - a NeuroMorpho three-point soma becomes a one-point (sphere) soma;
//  - a one-point soma (sphere of diameter d) becomes a cylinder L = diam = d
//    along x through the centre: points (x-d/2), x, (x+d/2);
//  - child sections start with a copy of their parent sample (with the
//    child's own diameter if the parent is soma), except "wired" children
//    (e.g. dendrites of a one-point soma), which keep only their own
//    samples and attach logically at parent x=0.5;
//  - attachment x on the parent: 1 at its last sample, 0 at the root's
//    first sample, 0.5 for a one-point soma or a soma interior sample;
//  - zero-length one/two-point sections are dropped, their children
//    re-attached to the dropped section's parent;
//  - coordinates and diameters pass through "%.8g", as Import3d prints
//    them into hoc commands.
// See docs/morphology.md.
#include "cable/morphology/swc_samples.hpp"

#include <ranvier/errors.hpp>

#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace ranvier::swc {
namespace {

struct raw_section {
    int first = 0, end = 0;  // sample range [first, end)
    int parent = -1;         // raw section index
    double parent_x = 1.0;
    bool wire = false;       // first point (parent copy) dropped, logical connection
    std::vector<sample_point> points;
    int tag = 0;
    bool removed = false;
};

double g8(double v) { // NEURON's sprint("%.8g") round trip
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.8g", v);
    return std::strtod(buf, nullptr);
}

sample_point point_of(const sample& s) { return {s.x, s.y, s.z, s.diam}; }

} // namespace

morphology import3d_sections(std::vector<sample> s, const std::string& file) {
    const int n = static_cast<int>(s.size());
    auto par = [&](int i) { return s[i].parent; };

    // Children per sample: a contiguous child (index i+1) counts 1; any
    // other child or a type change marks the sample as a section end.
    std::vector<int> nchild(n, 0);
    std::vector<char> forced_end(n, 0), connect_proximal(n, 0);
    for (int i = 0; i < n; ++i) {
        const int p = par(i);
        if (p < 0) continue;
        ++nchild[p];
        if (p != i - 1) {
            forced_end[p] = 1;
            // A branch off the first sample of a dendrite that is wired to
            // the soma attaches at that dendrite's x=0 instead.
            const bool off_wired_start = (p > 1 && s[p].type != 1 && s[par(p)].type == 1) ||
                                         (p == 0 && s[0].type != 1);
            if (off_wired_start) {
                connect_proximal[i] = 1;
                nchild[p] = 1;
                forced_end[p] = 0;
            }
        }
        if (s[p].type != s[i].type) forced_end[p] = 1;
    }
    std::vector<int> nchild_soma(n, 0);
    int nsoma = (s[0].type == 1);
    for (int i = 1; i < n; ++i) {
        if (s[i].type != 1) continue;
        ++nsoma;
        if (par(i) >= 0 && s[par(i)].type == 1) ++nchild_soma[par(i)];
    }
    // NeuroMorpho.org three-point soma: centre first, two children one
    // radius away, equal diameters, no further children -> sphere.
    bool soma3 = false;
    if (nsoma == 3 && n >= 3 && par(1) == 0 && par(2) == 0 && nchild[1] == 0 && !forced_end[1] &&
        nchild[2] == 0 && !forced_end[2] && s[1].diam == s[0].diam && s[2].diam == s[0].diam) {
        double len = 0;
        for (int i = 1; i <= 2; ++i) {
            len += std::sqrt((s[i].x - s[0].x) * (s[i].x - s[0].x) + (s[i].y - s[0].y) * (s[i].y - s[0].y) +
                             (s[i].z - s[0].z) * (s[i].z - s[0].z));
        }
        if (std::fabs(len / s[0].diam - 1) < .01) {
            soma3 = true;
            s[2].parent = 1; // keep the three samples in one (root) section
        }
    }
    for (int i = 0; i + 1 < n; ++i) {
        if (s[i].type == 1 && s[i + 1].type == 1 && par(i + 1) == i && !(i != 0 && nchild_soma[i] > 1)) {
            nchild[i] = 1;
            forced_end[i] = 0;
        }
    }

    // Section ranges.
    std::vector<raw_section> secs;
    std::vector<int> sec_of(n, 0);
    {
        int first = 0;
        for (int i = 0; i < n; ++i) {
            sec_of[i] = static_cast<int>(secs.size());
            if (nchild[i] != 1 || forced_end[i]) {
                raw_section r;
                r.first = first;
                r.end = i + 1;
                secs.push_back(std::move(r));
                first = i + 1;
            }
        }
    }
    auto stored_points = [&](int k) -> int { // Import3d's d.size of section k
        return k == 0 ? (soma3 ? 1 : secs[0].end - secs[0].first) : secs[k].end - secs[k].first + 1;
    };

    for (int k = 0; k < static_cast<int>(secs.size()); ++k) {
        auto& sec = secs[k];
        const int first = sec.first, own = sec.end - sec.first;
        sec.tag = s[first].type;
        if (k == 0) {
            const int npts = soma3 ? 1 : own;
            for (int i = 0; i < npts; ++i) sec.points.push_back(point_of(s[first + i]));
            continue;
        }
        const int pp = par(first);
        const int ps = sec_of[pp];
        sec.parent = ps;
        const int ptype = secs[ps].tag;
        const bool den_con_soma = ptype == 1 && s[first].type != 1;
        bool handled = false;
        if (ps == 0) {
            handled = true;
            if (den_con_soma && stored_points(0) == 1) { // one-point (sphere) soma
                sec.parent_x = 0.5;
                sec.wire = own > 1;
            } else if (pp == secs[0].first) { // first sample of the root
                sec.parent_x = 0.0;
                sec.wire = s[first].type != 1 && nchild_soma[pp] > 1;
            } else {
                handled = false;
            }
        }
        if (!handled && ptype == 1) {
            const int offset = secs[ps].first == 0 ? -1 : -2;
            if (pp < secs[ps].first + stored_points(ps) + offset) { // interior soma sample
                sec.parent_x = 0.5;
                if (den_con_soma && own > 1) sec.wire = true;
            } else if (own > 1 && nchild_soma[pp] > 1 && s[first].type != 1) {
                sec.wire = true;
            }
        }
        sec.points.push_back(point_of(s[pp]));
        for (int i = first; i < sec.end; ++i) sec.points.push_back(point_of(s[i]));
        if (ptype == 1 && sec.tag != 1) sec.points[0].diam = sec.points[1].diam;
        if (connect_proximal[first]) sec.parent_x = 0.0;
    }

    // Drop one-point and zero-length two-point sections (not the root).
    for (int k = static_cast<int>(secs.size()) - 1; k >= 1; --k) {
        auto& sec = secs[k];
        const int usable = static_cast<int>(sec.points.size()) - (sec.wire ? 1 : 0);
        bool drop = usable <= 1;
        if (usable == 2) {
            const auto& a = sec.points[sec.wire ? 1 : 0];
            const auto& b = sec.points[sec.wire ? 2 : 1];
            drop = a.x == b.x && a.y == b.y && a.z == b.z;
        }
        if (!drop) continue;
        sec.removed = true;
        for (int c = k + 1; c < static_cast<int>(secs.size()); ++c) {
            if (secs[c].parent == k) {
                secs[c].parent = sec.parent;
                secs[c].parent_x = sec.parent_x;
            }
        }
    }

    morphology_builder b;
    std::vector<int> index(secs.size(), -1);
    for (int k = 0; k < static_cast<int>(secs.size()); ++k) {
        auto& sec = secs[k];
        if (sec.removed) continue;
        std::vector<sample_point> pts(sec.points.begin() + (sec.wire ? 1 : 0), sec.points.end());
        if (pts.size() == 1) { // sphere -> cylinder L = diam along x
            const auto c = pts[0];
            pts = {{c.x - c.diam / 2, c.y, c.z, c.diam}, c, {c.x + c.diam / 2, c.y, c.z, c.diam}};
        }
        for (auto& p : pts) p = {g8(p.x), g8(p.y), g8(p.z), g8(p.diam)};
        section_spec spec;
        spec.tag = sec.tag;
        spec.points = std::move(pts);
        spec.parent = sec.parent < 0 ? -1 : index[sec.parent];
        spec.parent_x = sec.parent_x;
        try {
            index[k] = b.add_section(spec);
        } catch (const user_error& e) {
            throw user_error(source_location{file, s[sec.first].line, ""},
                             std::string("section starting at this sample: ") + e.what());
        }
    }
    return b.build();
}

} // namespace ranvier::swc
