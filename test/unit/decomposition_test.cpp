// Which gids each process owns (src/engine/decomposition): cuts at equal
// shares of the estimated cost, owners from the boundaries, and the
// distributed computation (each process estimating one slice) giving the
// same cut as one process computing everything. Processes are simulated by
// threads sharing a communicator (the MPI runs are in test/mpi/).
#include "engine/decomposition.hpp"
#include "support/allocation_probe.hpp"
#include "support/test_recipes.hpp"

#include <ranvier/network_model.hpp>

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

// LIF cells (cost 1 plus their Poisson input's events, which vary with the
// gid in steps of 1/64) and spike sources (1/8), in an irregular pattern.
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
    std::vector<poisson_input> poisson_inputs_on(gid_type gid) const override {
        if (kind(gid) != cell_kind::lif) return {};
        return {poisson_input{333.3 * static_cast<double>(gid % 11), 0.1}};
    }
};

TEST(Decomposition, DistributedCutEqualsTheCutOfOneProcess) {
    for (const gid_type cells : {0u, 1u, 5u, 100u, 1001u}) {
        const mixed_cost_recipe model(cells);
        std::vector<double> costs;
        for (gid_type gid = 0; gid < cells; ++gid) costs.push_back(estimated_cost(model, gid, 0.1));
        for (const int processes : {1, 2, 3, 4, 7}) {
            shared_world world(processes);
            std::vector<std::vector<gid_type>> bounds(static_cast<std::size_t>(processes));
            std::vector<std::thread> threads;
            for (int r = 0; r < processes; ++r)
                threads.emplace_back([&, r] {
                    thread_communicator comm(world, r);
                    bounds[static_cast<std::size_t>(r)] = decompose(model, comm, 0.1).bounds();
                });
            for (auto& t : threads) t.join();
            const std::vector<gid_type> expected = cut_at_equal_cost(costs, processes);
            for (int r = 0; r < processes; ++r)
                EXPECT_EQ(bounds[static_cast<std::size_t>(r)], expected)
                    << cells << " cells, " << processes << " processes, rank " << r;
        }
    }
}

// The boundaries `processes` threads acting as processes agree on (each
// checked to be the same).
std::vector<gid_type> distributed_bounds(const recipe& model, int processes, double dt) {
    shared_world world(processes);
    std::vector<std::vector<gid_type>> bounds(static_cast<std::size_t>(processes));
    std::vector<std::thread> threads;
    for (int r = 0; r < processes; ++r)
        threads.emplace_back([&, r] {
            thread_communicator comm(world, r);
            bounds[static_cast<std::size_t>(r)] = decompose(model, comm, dt).bounds();
        });
    for (auto& t : threads) t.join();
    for (const auto& b : bounds) EXPECT_EQ(b, bounds.front());
    return bounds.front();
}

TEST(Decomposition, CellsWithHeavyPoissonDriveCostMore) {
    // 200 LIF cells, the first 100 under 20 kHz of Poisson input: 2 events
    // per step of 0.1 ms, 2 * 3.9 = 7.8 LIF cell-steps (499/64 rounded) on
    // top of their own step. The heavy half holds 879.7 of the 979.7 units:
    // the first process takes 56 heavy cells (8.797 * 56 >= 489.8), not the
    // 100 of an equal count (nor of a cost without events).
    testing::list_recipe model(200);
    for (gid_type gid = 0; gid < 100; ++gid) model.poisson[gid] = {poisson_input{20000.0, 0.1}};
    EXPECT_EQ(estimated_cost(model, 0, 0.1), 1.0 + 499.0 / 64);
    EXPECT_EQ(estimated_cost(model, 150, 0.1), 1.0);
    // Events are per ms, costs per step: half the step, half the events.
    EXPECT_EQ(estimated_cost(model, 0, 0.05), 1.0 + 250.0 / 64); // 3.9 = 249.6 / 64
    const std::vector<gid_type> bounds = distributed_bounds(model, 2, 0.1);
    EXPECT_EQ(bounds, (std::vector<gid_type>{0, 56, 200}));
}

TEST(Decomposition, CellsWithManyExpectedConnectionEventsCostMore) {
    // A network from a model file: 100 Poisson sources at 1 kHz (gids
    // 0..99), each picking 50 of the 100 "heavy" cells (gids 100..199,
    // fixed_outdegree), and 100 unconnected "light" cells (200..299). A heavy
    // cell expects 100 * 50 / 100 = 50 connections at 1 kHz: 5 events per
    // step of 0.1 ms, 5 * 0.9 = 4.5 units on top of its step.
    const auto model = make_recipe(parse_model_file(
        "[[population]]\nname = \"drive\"\nsize = 100\ncell = \"poisson_source\"\nrate = \"1000 Hz\"\n"
        "[[population]]\nname = \"heavy\"\nsize = 100\n"
        "[[population]]\nname = \"light\"\nsize = 100\n"
        "[[projection]]\nsource = \"drive\"\ntarget = \"heavy\"\nrule = \"fixed_outdegree\"\n"
        "outdegree = 50\nweight = \"0.1 mV\"\ndelay = \"1 ms\"\n",
        "t"));
    EXPECT_EQ(estimated_cost(*model, 150, 0.1), 5.5);
    EXPECT_EQ(estimated_cost(*model, 250, 0.1), 1.0);
    // Total 12.5 + 550 + 100: half is reached 58 heavy cells in (12.5 +
    // 5.5 * 58 >= 331.25); without events, 94 cells in.
    const std::vector<gid_type> bounds = distributed_bounds(*model, 2, 0.1);
    EXPECT_EQ(bounds, (std::vector<gid_type>{0, 158, 300}));
}

TEST(Decomposition, EstimatingAFixedOutdegreeNetworkBuildsNoTable) {
    // 10^5 sources picking 100 targets each among 10^5 cells: the whole
    // table of incoming connections holds 10^7 gids (40 MB). Estimating
    // asks about every gid before any range is announced; it must answer
    // from the rule (100 * 10^5 / 10^5 = 100 connections at 50 Hz expected:
    // 0.5 events per step, 0.45 units, 29/64 rounded) without drawing it.
    const auto model = make_recipe(parse_model_file(
        "[[population]]\nname = \"drive\"\nsize = 100000\ncell = \"poisson_source\"\nrate = \"50 Hz\"\n"
        "[[population]]\nname = \"E\"\nsize = 100000\n"
        "[[projection]]\nsource = \"drive\"\ntarget = \"E\"\nrule = \"fixed_outdegree\"\n"
        "outdegree = 100\nweight = \"0.1 mV\"\ndelay = \"1 ms\"\n",
        "big"));
    testing::reset_largest_allocation();
    const std::vector<gid_type> bounds = distributed_bounds(*model, 2, 0.1);
    // The slices' cost vectors (10^5 doubles, 0.8 MB) are the largest.
    EXPECT_LT(testing::largest_allocation(), std::size_t{2} << 20);
    for (const gid_type gid : {100000u, 150000u, 199999u})
        EXPECT_EQ(estimated_cost(*model, gid, 0.1), 1.0 + 29.0 / 64) << gid;
    // 12500 in sources, 145312.5 in E: half (78906.25) is reached 45699 E
    // cells in (without events: 43750 cells in).
    EXPECT_EQ(bounds, (std::vector<gid_type>{0, 145699, 200000}));
}

} // namespace
} // namespace ranvier
