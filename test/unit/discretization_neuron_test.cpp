// Discretisation against NEURON 8.2: node layout, areas, axial resistances,
// parents, path distances and nseg, compared with the CSV files written by
// test/data/morphologies/neuron_geometry/make_geometry.py.
//
// Tolerance 1e-9 relative: we reproduce NEURON's arithmetic (single
// precision 3-d points, the same integration order), so the only
// differences left are a few double roundings (~1e-15); 1e-9 still catches
// any real geometric difference (a wrong boundary piece is >= 1e-6; using
// double instead of NEURON's float 3-d points already gives 1.8e-7 on
// branched_taper.swc).
#include "cable/discretization.hpp"
#include "cable/morphology/segment_geometry.hpp"
#include "support/reference_files.hpp"

#include <ranvier/morphology_swc.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>

using namespace ranvier;
using namespace ranvier::cable;

namespace {

const std::string dir = std::string(RANVIER_SOURCE_DIR) + "/test/data/morphologies/";
const char* const geometry_script = "test/data/morphologies/neuron_geometry/make_geometry.py";

struct ref_row {
    std::string section;
    double x, area, ri;
    std::string parent_section;
    double parent_x, distance;
    int nseg;
};

std::vector<std::string> split(const std::string& line) {
    std::vector<std::string> out;
    std::stringstream ss(line);
    std::string f;
    while (std::getline(ss, f, ',')) out.push_back(f);
    if (!line.empty() && line.back() == ',') out.push_back("");
    return out;
}

std::vector<ref_row> read_reference(const std::string& file) {
    // A missing committed file fails the test, naming the script that makes it.
    EXPECT_TRUE(ranvier::testing::committed_file(dir + "neuron_geometry/" + file, geometry_script));
    std::ifstream in(dir + "neuron_geometry/" + file);
    std::string line;
    std::getline(in, line); // header
    std::vector<ref_row> rows;
    while (std::getline(in, line)) {
        const auto f = split(line);
        if (f.size() != 8) continue;
        rows.push_back({f[0], std::stod(f[1]), std::stod(f[2]), std::stod(f[3]), f[4], std::stod(f[5]),
                        std::stod(f[6]), std::stoi(f[7])});
    }
    return rows;
}

double rel(double a, double b) {
    const double scale = std::max(std::fabs(a), std::fabs(b));
    return scale == 0 ? 0 : std::fabs(a - b) / scale;
}

discretization_policy d_lambda_policy() { // as D_LAMBDA in make_geometry.py
    discretization_policy p;
    p.rule = nseg_rule::d_lambda;
    p.Ra_ohm_cm = 150;
    p.cm_uF_per_cm2 = 1.2;
    p.d_lambda = 0.1;
    p.frequency_hz = 100;
    return p;
}

discretization_policy nseg4_policy() { // as FIXED in make_geometry.py
    discretization_policy p;
    p.rule = nseg_rule::fixed;
    p.nseg = 4;
    p.Ra_ohm_cm = 100;
    p.cm_uF_per_cm2 = 1.0;
    return p;
}

struct worst {
    double area = 0, ri = 0, distance = 0;
};

worst compare(const morphology& m, const cv_tree& t, const std::vector<ref_row>& ref, double cm,
              const std::string& what) {
    worst w;
    EXPECT_EQ(t.size(), ref.size()) << what << ": node count";
    auto find = [&](const std::string& sec, double x) -> const ref_row* {
        for (const auto& r : ref) {
            if (r.section == sec && std::fabs(r.x - x) < 1e-12) return &r;
        }
        return nullptr;
    };
    for (std::size_t i = 0; i < t.size(); ++i) {
        const std::string sec = m[t.section[i]].name;
        const ref_row* r = find(sec, t.x[i]);
        if (!r) {
            ADD_FAILURE() << what << ": NEURON has no node " << sec << "(" << t.x[i] << ")";
            continue;
        }
        const std::string at = what + " node " + sec + "(" + std::to_string(t.x[i]) + ")";
        EXPECT_EQ(t.sec_nseg[t.section[i]], r->nseg) << at;
        w.area = std::max(w.area, rel(t.area[i], r->area));
        w.ri = std::max(w.ri, rel(t.r_parent[i], r->ri));
        w.distance = std::max(w.distance, rel(t.distance[i], r->distance));
        EXPECT_LE(rel(t.area[i], r->area), 1e-9) << at << " area " << t.area[i] << " vs " << r->area;
        EXPECT_LE(rel(t.r_parent[i], r->ri), 1e-9) << at << " ri " << t.r_parent[i] << " vs " << r->ri;
        EXPECT_LE(rel(t.distance[i], r->distance), 1e-9) << at << " distance " << t.distance[i] << " vs "
                                                        << r->distance;
        EXPECT_EQ(t.cm[i], cm) << at;
        if (t.parent[i] < 0) {
            EXPECT_EQ(r->parent_section, "") << at;
        } else {
            const int p = t.parent[i];
            EXPECT_LT(p, static_cast<int>(i)) << at;
            EXPECT_EQ(m[t.section[p]].name, r->parent_section) << at << " parent";
            EXPECT_NEAR(t.x[p], r->parent_x, 1e-12) << at << " parent x";
        }
    }
    std::printf("%-36s nodes %3zu  max rel diff: area %.2e  ri %.2e  distance %.2e\n", what.c_str(), t.size(),
                w.area, w.ri, w.distance);
    return w;
}

void check_swc(const std::string& name) {
    const auto m = load_swc(dir + name + ".swc");
    compare(m, discretize(m, d_lambda_policy()), read_reference(name + "_dlambda.csv"), 1.2, name + " d_lambda");
    compare(m, discretize(m, nseg4_policy()), read_reference(name + "_nseg4.csv"), 1.0, name + " nseg=4");
}

TEST(discretization_neuron, single_point_soma) { check_swc("single_point_soma"); }
TEST(discretization_neuron, three_point_soma) { check_swc("three_point_soma"); }
TEST(discretization_neuron, contour_soma) { check_swc("contour_soma"); }
TEST(discretization_neuron, branched_taper) { check_swc("branched_taper"); }

// Same calls as build_stylised() in make_geometry.py.
morphology stylised() {
    morphology_builder b;
    const int soma = b.add_section({.tag = 1, .length_um = 20, .diam_um = 20, .name = "soma"});
    const int d0 = b.add_section(
        {.tag = 3, .length_um = 200, .diam_um = 2, .parent = soma, .parent_x = 1.0, .name = "dend[0]"});
    b.add_section({.tag = 3, .length_um = 150, .diam_um = 1, .parent = d0, .parent_x = 0.3, .name = "dend[1]"});
    b.add_section({.tag = 3, .length_um = 80, .diam_um = 0.5, .parent = d0, .parent_x = 0.0, .name = "dend[2]"});
    b.add_section(
        {.tag = 3, .length_um = 120, .diam_um = 1.5, .parent = soma, .parent_x = 0.0, .name = "dend[3]"});
    b.add_section({.tag = 2, .length_um = 500, .diam_um = 1, .parent = soma, .parent_x = 0.5, .name = "axon"});
    return b.build();
}

TEST(discretization_neuron, stylised_cell) {
    const auto m = stylised();
    compare(m, discretize(m, d_lambda_policy()), read_reference("stylised_dlambda.csv"), 1.2, "stylised d_lambda");
    compare(m, discretize(m, nseg4_policy()), read_reference("stylised_nseg4.csv"), 1.0, "stylised nseg=4");
}

TEST(discretization_neuron, node_at_matches_neuron_node_exact) {
    const auto m = stylised();
    const auto t = discretize(m, nseg4_policy());
    ASSERT_TRUE(ranvier::testing::committed_file(dir + "neuron_geometry/stylised_locations.csv", geometry_script));
    std::ifstream in(dir + "neuron_geometry/stylised_locations.csv");
    std::string line;
    std::getline(in, line);
    int n = 0;
    while (std::getline(in, line)) {
        const auto f = split(line);
        ASSERT_EQ(f.size(), 4u);
        const int node = node_at(t, m.find(f[0]), std::stod(f[1]));
        EXPECT_EQ(m[t.section[node]].name, f[2]) << line;
        EXPECT_NEAR(t.x[node], std::stod(f[3]), 1e-12) << line;
        ++n;
    }
    EXPECT_GE(n, 10);
}

} // namespace

// NMODL's `diam` (cv_tree::diam): NEURON 8.2's seg.diam is the diameter
// averaged over the segment's length. Points (0, 0, 0, 2), (10, 0, 0, 4),
// (30, 0, 0, 1), nseg 3: NEURON gives 3.0, 3.25, 1.75 (and areas 94.71784626241366,
// 102.38851975648586, 55.132279868877); a cylinder's segments have its diameter.
TEST(discretization_neuron, segment_diameter_is_neurons_seg_diam) {
    const auto pts = make_pt3d({{0, 0, 0, 2}, {10, 0, 0, 4}, {30, 0, 0, 1}}, true);
    const auto seg = segments_from_points(pts, 3, 100);
    const double diam[] = {3.0, 3.25, 1.75};
    const double area[] = {94.71784626241366, 102.38851975648586, 55.132279868877};
    for (int k = 0; k < 3; ++k) {
        EXPECT_NEAR(seg[k].diam, diam[k], 1e-12) << k;
        EXPECT_NEAR(seg[k].area, area[k], 1e-9 * area[k]) << k;
    }
    for (const auto& s : segments_of_cylinder(200, 2, 5, 100)) EXPECT_EQ(s.diam, 2.0);
}
