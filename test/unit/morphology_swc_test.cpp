// SWC reader: NEURON Import3d conventions on the test files, and one error
// per malformed file in test/data/morphologies/bad/ naming file:line.
#include <ranvier/errors.hpp>
#include <ranvier/morphology_swc.hpp>

#include <gtest/gtest.h>

#include <string>

using namespace ranvier;

namespace {

const std::string dir = std::string(RANVIER_SOURCE_DIR) + "/test/data/morphologies/";

struct bad_case {
    const char* file;
    int line;          // expected line in "file:line:", 0 = whole file
    const char* words; // expected in the message
};

class swc_bad : public ::testing::TestWithParam<bad_case> {};

TEST_P(swc_bad, names_file_line_and_problem) {
    const auto c = GetParam();
    const std::string path = dir + "bad/" + c.file;
    try {
        load_swc(path);
        FAIL() << c.file << " was accepted";
    } catch (const user_error& e) {
        const std::string msg = e.what();
        const std::string where = c.line ? path + ":" + std::to_string(c.line) + ": " : path + ": ";
        EXPECT_EQ(msg.rfind(where, 0), 0u) << msg;
        EXPECT_NE(msg.find(c.words), std::string::npos) << msg;
    }
}

INSTANTIATE_TEST_SUITE_P(
    files, swc_bad,
    ::testing::Values(bad_case{"cycle.swc", 3, "cycle (sample ids 2 -> 3 -> 2)"},
                      bad_case{"no_root.swc", 1, "no root sample"},
                      bad_case{"unknown_parent.swc", 3, "parent id 7 of sample 3 is not defined"},
                      bad_case{"two_roots.swc", 3, "second root sample"},
                      bad_case{"zero_radius.swc", 2, "radius must be positive"},
                      bad_case{"negative_radius.swc", 2, "radius must be positive"},
                      bad_case{"negative_type.swc", 2, "unknown SWC type -3"},
                      bad_case{"type_zero.swc", 2, "unknown SWC type 0"},
                      bad_case{"fractional_type.swc", 2, "(type) must be an integer"},
                      bad_case{"duplicate_id.swc", 3, "duplicate sample id 2 (first defined at line 2)"},
                      bad_case{"too_few_columns.swc", 2, "expected 7 columns"},
                      bad_case{"too_many_columns.swc", 2, "found 8"},
                      bad_case{"garbage.swc", 2, "column 3 (x) is not a number: '1O.5'"},
                      bad_case{"empty.swc", 0, "no samples"},
                      bad_case{"bad_parent_id.swc", 2, "parent id must be -1"}));

TEST(swc, missing_file_is_a_user_error) {
    EXPECT_THROW(load_swc(dir + "bad/does_not_exist.swc"), user_error);
}

TEST(swc, parse_from_string_uses_the_name) {
    try {
        parse_swc("1 1 0 0 0 5 -1\n2 3 1 2 3\n", "inline-cell");
        FAIL();
    } catch (const user_error& e) {
        EXPECT_EQ(std::string(e.what()).rfind("inline-cell:2: ", 0), 0u) << e.what();
    }
}

// A one-point soma becomes a 3-point cylinder L = diam along x (Import3d's
// sphere_rep); dendrites with several samples are wired to its centre.
TEST(swc, single_point_soma_is_a_cylinder_of_length_diam) {
    const auto m = load_swc(dir + "single_point_soma.swc");
    ASSERT_EQ(m.size(), 6u); // soma, dend (split at a branch) x3, axon, stub
    const auto& soma = m[0];
    ASSERT_EQ(soma.points.size(), 3u);
    EXPECT_EQ(soma.points[0].x, -6.0);
    EXPECT_EQ(soma.points[2].x, 6.0);
    EXPECT_EQ(soma.points[1].diam, 12.0);
    EXPECT_EQ(soma.name, "soma[0]");
    // First dendrite: wired at 0.5, its own three samples only.
    EXPECT_EQ(m[1].parent, 0);
    EXPECT_EQ(m[1].parent_x, 0.5);
    EXPECT_EQ(m[1].points.size(), 3u);
    EXPECT_EQ(m[1].points[0].x, 8.0);
    // The two branches start with a copy of the branch point.
    EXPECT_EQ(m[2].parent, 1);
    EXPECT_EQ(m[2].parent_x, 1.0);
    EXPECT_EQ(m[2].points[0].x, 60.0);
    EXPECT_EQ(m[2].points[0].diam, 2.0);
    // One-sample stub: not wired, starts at the soma centre with its own diameter.
    const auto& stub = m[5];
    EXPECT_EQ(stub.parent_x, 0.5);
    ASSERT_EQ(stub.points.size(), 2u);
    EXPECT_EQ(stub.points[0].y, 0.0);
    EXPECT_EQ(stub.points[0].diam, 2.0);
    EXPECT_EQ(stub.name, "dend[3]");
}

TEST(swc, three_point_soma_follows_neuromorpho_convention) {
    const auto m = load_swc(dir + "three_point_soma.swc");
    const auto& soma = m[0];
    ASSERT_EQ(soma.points.size(), 3u); // sphere of radius 5 -> cylinder along x
    EXPECT_EQ(soma.points[0].x, -5.0);
    EXPECT_EQ(soma.points[2].x, 5.0);
    EXPECT_EQ(soma.points[0].y, 0.0);
    EXPECT_DOUBLE_EQ(soma.length_um, 10.0);
    for (std::size_t i = 1; i < m.size(); ++i) {
        if (m[i].parent == 0) EXPECT_EQ(m[i].parent_x, 0.5) << m[i].name;
    }
}

TEST(swc, contour_soma_is_a_stack_with_end_root_and_interior_attachments) {
    const auto m = load_swc(dir + "contour_soma.swc");
    ASSERT_EQ(m[0].points.size(), 5u);
    int at0 = 0, at1 = 0, at_half = 0;
    for (std::size_t i = 1; i < m.size(); ++i) {
        if (m[i].parent != 0) continue;
        at0 += m[i].parent_x == 0.0;
        at1 += m[i].parent_x == 1.0;
        at_half += m[i].parent_x == 0.5;
    }
    EXPECT_EQ(at0, 1);
    EXPECT_EQ(at1, 1);
    EXPECT_EQ(at_half, 1);
}

TEST(swc, custom_types_get_neuron_names) {
    const auto m = load_swc(dir + "branched_taper.swc");
    bool found = false;
    for (const auto& s : m.sections()) found |= (s.tag == 7 && s.name == "dend_7[0]");
    EXPECT_TRUE(found);
    EXPECT_EQ(m.find("dend_7[0]"), static_cast<int>(m.size()) - 1);
    EXPECT_THROW(m.find("dend_7[9]"), user_error);
}

TEST(swc, out_of_order_lines_and_parents_after_children_are_accepted) {
    const auto a = parse_swc("1 1 0 0 0 5 -1\n2 3 10 0 0 1 1\n3 3 20 0 0 1 2\n", "a");
    const auto b = parse_swc("3 3 20 0 0 1 2\n1 1 0 0 0 5 -1\n2 3 10 0 0 1 1\n", "b");
    const auto c = parse_swc("1 1 0 0 0 5 -1\n9 3 20 0 0 1 4\n4 3 10 0 0 1 1\n", "c");
    ASSERT_EQ(a.size(), b.size());
    ASSERT_EQ(a.size(), c.size());
    for (std::size_t i = 0; i < a.size(); ++i) {
        ASSERT_EQ(a[i].points.size(), b[i].points.size());
        ASSERT_EQ(a[i].points.size(), c[i].points.size());
        for (std::size_t k = 0; k < a[i].points.size(); ++k) {
            EXPECT_EQ(a[i].points[k].x, b[i].points[k].x);
            EXPECT_EQ(a[i].points[k].x, c[i].points[k].x);
        }
    }
}

} // namespace
