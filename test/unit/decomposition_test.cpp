// Which gids each process owns (src/engine/decomposition): cuts at equal
// shares of the estimated cost, owners from the boundaries, and the
// distributed computation (each process estimating one slice) giving the
// same cut as one process computing everything. Processes are simulated by
// threads sharing a communicator (the MPI runs are in test/mpi/).
#include "engine/decomposition.hpp"
#include "support/test_recipes.hpp"

#include <gtest/gtest.h>

#include <barrier>
#include <thread>

namespace ranvier {
namespace {

TEST(Decomposition, CutsAtEqualSharesOfCost) {
    EXPECT_EQ(cut_at_equal_cost({1, 1, 1, 1}, 2), (std::vector<gid_type>{0, 2, 4}));
    // Six cheap cells then two expensive ones: the first process takes all
    // the cheap ones and the first expensive one (prefix 25 >= 44 / 2).
    EXPECT_EQ(cut_at_equal_cost({1, 1, 1, 1, 1, 1, 19, 19}, 2), (std::vector<gid_type>{0, 7, 8}));
    EXPECT_EQ(cut_at_equal_cost({1, 1, 1}, 1), (std::vector<gid_type>{0, 3}));
    // More processes than cells: some ranges are empty, all are covered.
    EXPECT_EQ(cut_at_equal_cost({1, 1}, 4), (std::vector<gid_type>{0, 1, 1, 2, 2}));
}

TEST(Decomposition, OwnerFollowsTheBoundaries) {
    const decomposition d({0, 0, 3, 3, 5});
    EXPECT_EQ(d.processes(), 4);
    EXPECT_EQ(d.owner(0), 1);
    EXPECT_EQ(d.owner(2), 1);
    EXPECT_EQ(d.owner(3), 3);
    EXPECT_EQ(d.owner(4), 3);
    EXPECT_EQ(d.range(1).size(), 3u);
    EXPECT_EQ(d.range(2).size(), 0u);
}

// P threads acting as P processes: each all_gather waits until every
// "process" has put its part in.
class shared_world {
public:
    explicit shared_world(int processes) : parts_(static_cast<std::size_t>(processes)), sync_(processes) {}
    int size() const { return static_cast<int>(parts_.size()); }
    std::vector<byte_buffer> all_gather(int rank, std::span<const std::byte> local) {
        parts_[static_cast<std::size_t>(rank)].assign(local.begin(), local.end());
        sync_.arrive_and_wait();
        std::vector<byte_buffer> all = parts_;
        sync_.arrive_and_wait(); // nobody overwrites a part before all have read it
        return all;
    }

private:
    std::vector<byte_buffer> parts_;
    std::barrier<> sync_;
};

class thread_communicator final : public communicator {
public:
    thread_communicator(shared_world& world, int rank) : world_(world), rank_(rank) {}
    int rank() const override { return rank_; }
    int size() const override { return world_.size(); }
    std::vector<spike> gather_spikes(std::vector<spike>, bool&) override { throw std::logic_error("unused"); }
    std::vector<byte_buffer> all_gather(std::span<const std::byte> local) override {
        return world_.all_gather(rank_, local);
    }
    std::vector<byte_buffer> gather_to_root(std::span<const std::byte> local) override {
        auto all = world_.all_gather(rank_, local);
        return rank_ == 0 ? all : std::vector<byte_buffer>{};
    }
    double min(double) override { throw std::logic_error("unused"); }
    double max(double) override { throw std::logic_error("unused"); }
    std::uint64_t sum(std::uint64_t) override { throw std::logic_error("unused"); }
    [[noreturn]] void abort(int) override { std::abort(); }
    void post_send(int, int, byte_buffer) override { throw std::logic_error("unused"); }
    std::optional<message> poll(int) override { return std::nullopt; }
    bool sends_done() override { return true; }

private:
    shared_world& world_;
    int rank_;
};

// LIF cells (cost 1) and spike sources (0.1), in an irregular pattern.
struct mixed_cost_recipe final : recipe {
    gid_type n;
    explicit mixed_cost_recipe(gid_type cells) : n(cells) {}
    gid_type num_cells() const override { return n; }
    cell_kind kind(gid_type gid) const override {
        return gid % 7 < 3 ? cell_kind::spike_source : cell_kind::lif;
    }
    cell_description cell(gid_type gid) const override {
        if (kind(gid) == cell_kind::lif) return lif_cell{};
        return spike_source_cell{};
    }
};

TEST(Decomposition, DistributedCutEqualsTheCutOfOneProcess) {
    for (const gid_type cells : {0u, 1u, 5u, 100u, 1001u}) {
        const mixed_cost_recipe model(cells);
        std::vector<double> costs;
        for (gid_type gid = 0; gid < cells; ++gid) costs.push_back(estimated_cost(model, gid));
        for (const int processes : {1, 2, 3, 4, 7}) {
            shared_world world(processes);
            std::vector<std::vector<gid_type>> bounds(static_cast<std::size_t>(processes));
            std::vector<std::thread> threads;
            for (int r = 0; r < processes; ++r)
                threads.emplace_back([&, r] {
                    thread_communicator comm(world, r);
                    bounds[static_cast<std::size_t>(r)] = decompose(model, comm).bounds();
                });
            for (auto& t : threads) t.join();
            const std::vector<gid_type> expected = cut_at_equal_cost(costs, processes);
            for (int r = 0; r < processes; ++r)
                EXPECT_EQ(bounds[static_cast<std::size_t>(r)], expected)
                    << cells << " cells, " << processes << " processes, rank " << r;
        }
    }
}

} // namespace
} // namespace ranvier
