// Connection tables: entries found by source, in target order, with delays in
// steps; bad connections are user errors naming the cells.
#include "support/test_recipes.hpp"

#include "cells/connection_table.hpp"

#include <ranvier/errors.hpp>

#include <gtest/gtest.h>

using namespace ranvier;
using ranvier::testing::four_cells;

TEST(connection_table, finds_entries_by_source) {
    const auto r = four_cells();
    const std::vector<gid_type> gids{1, 2, 3};
    const connection_table t(r, gids, 0.5, connection_table::point_cell_target);
    EXPECT_EQ(t.size(), 5u);
    const auto from0 = t.from(0);
    ASSERT_EQ(from0.size(), 4u);
    EXPECT_EQ(from0[0].target, 0u); // gid 1 is local 0
    EXPECT_EQ(from0[0].delay, 2u);  // 1 ms / 0.5 ms
    EXPECT_EQ(from0[1].target, 1u);
    EXPECT_EQ(from0[1].delay, 3u);
    EXPECT_EQ(from0[2].weight, 2.0f); // multapses kept, in recipe order
    EXPECT_EQ(from0[3].weight, 3.0f);
    const auto from3 = t.from(3);
    ASSERT_EQ(from3.size(), 1u);
    EXPECT_EQ(from3[0].delay, 5u);
    EXPECT_TRUE(t.from(2).empty());
    EXPECT_EQ(t.min_delay(), 2u);
    EXPECT_EQ(t.max_delay(), 5u);
}

TEST(connection_table, rejects_delay_below_one_step_and_unknown_sources) {
    auto r = four_cells();
    const std::vector<gid_type> gids{1, 2, 3};
    r.incoming[2] = {{0, 0, 1.0, 0.1}};
    try {
        connection_table(r, gids, 0.5, connection_table::point_cell_target);
        FAIL() << "a delay below dt must be rejected";
    } catch (const user_error& e) {
        EXPECT_NE(std::string(e.what()).find("0 -> 2"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("dt"), std::string::npos) << e.what();
    }
    r.incoming[2] = {{9, 0, 1.0, 1.0}};
    EXPECT_THROW(connection_table(r, gids, 0.5, connection_table::point_cell_target), user_error);
    r.incoming[2] = {{0, 1, 1.0, 1.0}}; // site 1 on a point neuron
    EXPECT_THROW(connection_table(r, gids, 0.5, connection_table::point_cell_target), user_error);
}
