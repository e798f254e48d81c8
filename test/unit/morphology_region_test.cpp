// Morphology builder validation, regions (C++ and text syntax) and node_at.
#include "cable/discretization.hpp"
#include "cable/morphology/region_nodes.hpp"

#include <ranvier/errors.hpp>
#include <ranvier/morphology.hpp>
#include <ranvier/morphology_region.hpp>

#include <gtest/gtest.h>

using namespace ranvier;
using namespace ranvier::cable;

namespace {

std::string error_of(auto&& f) {
    try {
        f();
    } catch (const user_error& e) {
        return e.what();
    }
    return "";
}

TEST(morphology_builder, rejects_bad_sections_naming_the_field) {
    morphology_builder b;
    EXPECT_NE(error_of([&] { b.add_section({.tag = 1, .length_um = 0, .diam_um = 10}); }).find("length_um"),
              std::string::npos);
    EXPECT_NE(error_of([&] { b.add_section({.tag = 1, .length_um = 10, .diam_um = -1}); }).find("diam_um"),
              std::string::npos);
    EXPECT_NE(error_of([&] { b.add_section({.tag = 0, .length_um = 10, .diam_um = 1}); }).find("tag"),
              std::string::npos);
    const int soma = b.add_section({.tag = 1, .length_um = 20, .diam_um = 20});
    EXPECT_NE(error_of([&] { b.add_section({.tag = 3, .length_um = 5, .diam_um = 1, .parent = 4}); })
                  .find("parent"),
              std::string::npos);
    EXPECT_NE(error_of([&] { b.add_section({.tag = 3, .length_um = 5, .diam_um = 1, .parent = -1}); })
                  .find("parent"),
              std::string::npos);
    EXPECT_NE(error_of([&] {
                  b.add_section({.tag = 3, .length_um = 5, .diam_um = 1, .parent = soma, .parent_x = 1.5});
              }).find("parent_x"),
              std::string::npos);
    EXPECT_NE(error_of([&] {
                  b.add_section({.tag = 3, .points = {{0, 0, 0, 1}, {0, 0, 0, 1}}, .parent = soma});
              }).find("zero total length"),
              std::string::npos);
    EXPECT_NE(error_of([&] {
                  b.add_section({.tag = 3, .points = {{0, 0, 0, 1}, {5, 0, 0, 0}}, .parent = soma});
              }).find("points[1].diam"),
              std::string::npos);
    EXPECT_EQ(b.size(), 1u);
    EXPECT_THROW(morphology_builder().build(), user_error);
}

// soma (1 seg) - dend (4 segs, 100 µm) - axon (2 segs) at soma(0).
struct small_cell {
    morphology m;
    cv_tree t;
    small_cell() {
        morphology_builder b;
        const int soma = b.add_section({.tag = 1, .length_um = 10, .diam_um = 10});
        b.add_section({.tag = 3, .length_um = 100, .diam_um = 1, .parent = soma, .parent_x = 1});
        b.add_section({.tag = 2, .length_um = 50, .diam_um = 1, .parent = soma, .parent_x = 0});
        m = b.build();
        discretization_policy p;
        p.nseg_for_section = {{0, 1}, {1, 4}, {2, 2}};
        t = discretize(m, p);
    }
};

TEST(region, by_tag_section_distance_and_combinations) {
    const small_cell c;
    // Layout: root(0) soma(0.5)=1 soma(1)=2, dend centres 3..6, dend(1)=7, axon 8,9, axon(1)=10.
    ASSERT_EQ(c.t.size(), 11u);
    EXPECT_EQ(cable::region_nodes(parse_region("soma"), c.t), (std::vector<std::int32_t>{0, 1, 2}));
    EXPECT_EQ(cable::region_nodes(parse_region("dend"), c.t), (std::vector<std::int32_t>{3, 4, 5, 6, 7}));
    EXPECT_EQ(cable::region_nodes(parse_region("tag(2)"), c.t), (std::vector<std::int32_t>{8, 9, 10}));
    EXPECT_EQ(cable::region_nodes(parse_region("section(1)"), c.t), cable::region_nodes(parse_region("branch(1)"), c.t));
    EXPECT_EQ(cable::region_nodes(parse_region("all"), c.t).size(), c.t.size());
    // dend centres at 5 + 12.5, 37.5, 62.5, 87.5 µm from the soma centre.
    // axon centres at 5 + 12.5, 37.5 µm and its x=1 end at 55 µm (it hangs off soma(0)).
    EXPECT_EQ(cable::region_nodes(parse_region("distance(20, 70)"), c.t), (std::vector<std::int32_t>{4, 5, 9, 10}));
    EXPECT_EQ(cable::region_nodes(parse_region("dend & distance(20, 70)"), c.t), (std::vector<std::int32_t>{4, 5}));
    EXPECT_EQ(cable::region_nodes(parse_region("soma | axon & distance(0, 20)"), c.t),
              (std::vector<std::int32_t>{0, 1, 2, 8}));
    EXPECT_EQ(cable::region_nodes(region::tag(1) | region::section(2), c.t), cable::region_nodes(parse_region("(soma | axon)"), c.t));
    EXPECT_TRUE(cable::region_nodes(parse_region("apic"), c.t).empty());
}

TEST(region, unknown_name_is_named_with_the_valid_ones) {
    const std::string msg = error_of([] { parse_region("soma | dendrites", "cell.toml: paint.hh"); });
    EXPECT_NE(msg.find("'cell.toml: paint.hh'"), std::string::npos) << msg;
    EXPECT_NE(msg.find("unknown region name 'dendrites'"), std::string::npos) << msg;
    EXPECT_NE(msg.find("valid: all, soma, axon, dend, apic"), std::string::npos) << msg;
    EXPECT_NE(error_of([] { parse_region("distance(5, 1)"); }).find("lo <= hi"), std::string::npos);
    EXPECT_NE(error_of([] { parse_region("tag(x)"); }).find("column 5"), std::string::npos);
    EXPECT_NE(error_of([] { parse_region("soma)"); }).find("unexpected"), std::string::npos);
}

TEST(node_at, ends_and_segments) {
    const small_cell c;
    EXPECT_EQ(node_at(c.t, 0, 0.0), 0);
    EXPECT_EQ(node_at(c.t, 1, 0.0), 2); // dend hangs off soma(1)
    EXPECT_EQ(node_at(c.t, 1, 0.25), 4); // boundary -> the segment starting there
    EXPECT_EQ(node_at(c.t, 1, 0.2499), 3);
    EXPECT_EQ(node_at(c.t, 1, 1.0), 7);
    EXPECT_EQ(node_at(c.t, 2, 0.0), 0); // axon hangs off the root node
    EXPECT_THROW(node_at(c.t, 3, 0.5), user_error);
    EXPECT_THROW(node_at(c.t, 1, 1.5), user_error);
    for (std::size_t i = 1; i < c.t.size(); ++i) EXPECT_LT(c.t.parent[i], static_cast<int>(i));
}

TEST(discretization, policy_errors_name_the_key) {
    const small_cell c;
    discretization_policy p;
    p.nseg = 0;
    EXPECT_NE(error_of([&] { discretize(c.m, p); }).find("'nseg'"), std::string::npos);
    p = {};
    p.nseg_for_section = {{7, 3}};
    EXPECT_NE(error_of([&] { discretize(c.m, p); }).find("nseg_for_section[7]"), std::string::npos);
}

} // namespace
