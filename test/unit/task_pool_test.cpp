// The thread pool: every item runs exactly once, loops can follow each other,
// and an exception in a body reaches the caller.
#include "engine/task_pool.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <stdexcept>
#include <vector>

using ranvier::task_pool;

TEST(task_pool, runs_every_item_once_in_repeated_loops) {
    for (unsigned threads : {1u, 2u, 4u}) {
        task_pool pool(threads);
        EXPECT_EQ(pool.size(), threads);
        for (int round = 0; round < 200; ++round) {
            std::vector<std::atomic<int>> hits(97);
            pool.parallel_for(hits.size(), [&](std::size_t i) { hits[i]++; });
            for (auto& h : hits) ASSERT_EQ(h.load(), 1);
        }
        pool.parallel_for(0, [](std::size_t) { FAIL(); });
    }
}

TEST(task_pool, exception_reaches_the_caller_and_pool_stays_usable) {
    task_pool pool(2);
    EXPECT_THROW(pool.parallel_for(50, [](std::size_t i) {
        if (i == 17) throw std::runtime_error("item 17");
    }), std::runtime_error);
    std::atomic<int> count{0};
    pool.parallel_for(10, [&](std::size_t) { count++; });
    EXPECT_EQ(count.load(), 10);
}
