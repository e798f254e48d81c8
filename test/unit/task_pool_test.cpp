// The thread pool: every item runs exactly once, loops can follow each other,
// and an exception in a body reaches the caller.
#include "engine/task_pool.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <thread>
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

TEST(task_pool, bodies_learn_which_thread_runs_them) {
    // Thread numbers are 0 (the caller) to size() - 1, each a fixed thread:
    // engines keep per-thread accounts by them.
    for (unsigned threads : {1u, 3u}) {
        task_pool pool(threads);
        const auto caller = std::this_thread::get_id();
        std::vector<std::thread::id> owner(threads);
        std::vector<std::atomic<int>> used(threads);
        std::mutex m;
        bool consistent = true;
        for (int round = 0; round < 50; ++round)
            pool.parallel_for_on_threads(64, [&](std::size_t, unsigned thread) {
                ASSERT_LT(thread, threads);
                used[thread]++;
                std::lock_guard lock(m);
                if (owner[thread] == std::thread::id{}) owner[thread] = std::this_thread::get_id();
                consistent &= owner[thread] == std::this_thread::get_id();
                if (thread == 0) consistent &= std::this_thread::get_id() == caller;
            });
        EXPECT_TRUE(consistent);
        EXPECT_GT(used[0].load(), 0);
        std::atomic<int> total{0};
        for (auto& u : used) total += u.load();
        EXPECT_EQ(total.load(), 50 * 64);
    }
}
