// Tests of the recipe of a network model beyond connectivity: initial
// states, weight/delay distributions, inputs, probes, concurrent use, and the
// connection counts of the full Brunel network.
#include "support/allocation_probe.hpp"

#include <ranvier/network_model.hpp>

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

using namespace ranvier;

namespace {

std::unique_ptr<recipe> all_features() {
    return make_recipe(load_model_file(std::string(RANVIER_SOURCE_DIR) + "/test/data/models/all_features.toml"));
}

double v_init(const recipe& r, gid_type gid) { return std::get<lif_cell>(r.cell(gid)).V_init; }

} // namespace

TEST(Recipe, UniformInitialPotential) {
    // Brunel: V_init ~ U(0 mV, 20 mV) over 12500 cells; the sample mean has
    // sd 20/sqrt(12 * 12500) = 0.052 mV: 5 sd = 0.26 mV.
    const auto r = make_recipe(builtin_brunel_model());
    double sum = 0;
    for (gid_type g = 0; g < r->num_cells(); ++g) {
        const double v = v_init(*r, g);
        ASSERT_GE(v, 0.0);
        ASSERT_LT(v, 20.0);
        sum += v;
    }
    EXPECT_NEAR(sum / r->num_cells(), 10.0, 0.26);
    EXPECT_EQ(v_init(*r, 17), v_init(*r, 17)) << "a pure function of (seed, gid)";
    EXPECT_NE(v_init(*r, 17), v_init(*r, 18));
}

TEST(Recipe, BoundedNormalInitialPotentialAndParameters) {
    const auto r = all_features();
    EXPECT_EQ(r->num_cells(), 40u);
    for (gid_type g = 0; g < 20; ++g) {
        EXPECT_LE(v_init(*r, g), -51.0) << "high bound";
        EXPECT_EQ(r->kind(g), cell_kind::lif);
    }
    const lif_cell b = std::get<lif_cell>(r->cell(25));
    EXPECT_EQ(b.synapse, lif_synapse::exp);
    EXPECT_EQ(b.V_init, -68.0);
    EXPECT_EQ(b.tau_syn_in, 10.0);
}

TEST(Recipe, WeightAndDelayDistributions) {
    const auto r = all_features();
    // Projection 0 onto A: weight U(0.1, 0.3) mV, delay N(2, 0.5) ms bounded below at 0.5 ms.
    double weight_sum = 0;
    int n = 0;
    for (gid_type g = 0; g < 20; ++g)
        for (const auto& c : r->connections_on(g)) {
            if (c.source >= 20) continue; // from C (fixed_outdegree, constant weight)
            EXPECT_GE(c.weight, 0.1);
            EXPECT_LT(c.weight, 0.3);
            EXPECT_GE(c.delay, 0.5);
            weight_sum += c.weight, ++n;
        }
    ASSERT_EQ(n, 20 * 5);
    // Mean of 100 uniforms on [0.1, 0.3]: sd 0.2/sqrt(12*100) = 0.0058; 5 sd = 0.029.
    EXPECT_NEAR(weight_sum / n, 0.2, 0.029);
    // Projection 1 onto B and C: negative lognormal weights (pA).
    for (gid_type g = 20; g < 40; ++g)
        for (const auto& c : r->connections_on(g))
            if (c.delay == 1.0 && c.source < 30 && g >= 20 && c.weight < 0) EXPECT_LT(c.weight, 0.0);
}

TEST(Recipe, NegativeLognormalWeightsHaveTheRequestedMean) {
    const std::string text = "[[population]]\nname = \"E\"\nsize = 200\nsynapse = \"exp\"\n"
                             "[[projection]]\nsource = \"E\"\ntarget = \"E\"\nrule = \"fixed_indegree\"\n"
                             "indegree = 100\ndelay = \"1 ms\"\n"
                             "weight = { distribution = \"lognormal\", mean = \"-20 pA\", std = \"5 pA\" }\n";
    const auto r = make_recipe(parse_model_file(text, "t"));
    double sum = 0, sum2 = 0;
    int n = 0;
    for (gid_type g = 0; g < 200; ++g)
        for (const auto& c : r->connections_on(g)) {
            ASSERT_LT(c.weight, 0.0);
            sum += c.weight, sum2 += c.weight * c.weight, ++n;
        }
    const double mean = sum / n, sd = std::sqrt(sum2 / n - mean * mean);
    // 20000 draws with sd 5: the mean's sd is 0.035 pA (5 sd = 0.18); the
    // sample sd's own sd is ~5/sqrt(2*20000)*~1.2 = 0.03 pA (use 0.2).
    EXPECT_NEAR(mean, -20.0, 0.18);
    EXPECT_NEAR(sd, 5.0, 0.2);
}

TEST(Recipe, PoissonCurrentAndProbes) {
    const auto r = all_features();
    const auto p = r->poisson_inputs_on(3);
    ASSERT_EQ(p.size(), 1u);
    EXPECT_DOUBLE_EQ(p[0].rate, 10.0 * 100); // rate * count
    EXPECT_DOUBLE_EQ(p[0].weight, 0.1);
    EXPECT_DOUBLE_EQ(p[0].start, 10.0);
    EXPECT_DOUBLE_EQ(p[0].stop, 150.0);
    const auto q = r->poisson_inputs_on(35);
    ASSERT_EQ(q.size(), 1u);
    EXPECT_DOUBLE_EQ(q[0].rate, 5.0);
    EXPECT_DOUBLE_EQ(q[0].weight, 20.0);

    EXPECT_EQ(r->current_inputs_on(0).size(), 1u);
    EXPECT_EQ(r->current_inputs_on(25).size(), 1u);
    EXPECT_EQ(r->current_inputs_on(25)[0].time.size(), 3u);
    EXPECT_TRUE(r->current_inputs_on(35).empty());

    ASSERT_EQ(r->probes_on(25).size(), 1u);
    EXPECT_EQ(r->probes_on(25)[0].variable, "v");
    EXPECT_DOUBLE_EQ(r->probes_on(25)[0].interval, 0.5);
    EXPECT_TRUE(r->probes_on(24).empty());
}

TEST(Recipe, GidOutOfRangeIsAnError) {
    const auto r = all_features();
    EXPECT_THROW(r->connections_on(40), user_error);
    EXPECT_THROW(r->cell(1000), user_error);
}

TEST(Recipe, ConcurrentQueriesMatchSequential) {
    // fixed_outdegree builds its table on first use: many threads racing to
    // use it must see the same connections as one thread.
    const std::string text = "[[population]]\nname = \"E\"\nsize = 2000\n"
                             "[[projection]]\nsource = \"E\"\ntarget = \"E\"\nrule = \"fixed_outdegree\"\n"
                             "outdegree = 50\nweight = { distribution = \"uniform\", low = \"0 mV\", high = \"1 mV\" }\n"
                             "delay = \"1 ms\"\n";
    const model_file m = parse_model_file(text, "t");
    const auto sequential = make_recipe(m);
    std::vector<std::vector<connection>> expected(2000);
    for (gid_type g = 0; g < 2000; ++g) expected[g] = sequential->connections_on(g);

    const auto shared = make_recipe(m);
    std::vector<int> mismatches(4, 0);
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([&, t] {
            for (gid_type g = static_cast<gid_type>(t); g < 2000; g += 4) {
                const auto got = shared->connections_on(g);
                bool same = got.size() == expected[g].size();
                for (std::size_t i = 0; same && i < got.size(); ++i)
                    same = got[i].source == expected[g][i].source && got[i].weight == expected[g][i].weight;
                mismatches[t] += !same;
            }
        });
    for (auto& th : threads) th.join();
    for (int t = 0; t < 4; ++t) EXPECT_EQ(mismatches[t], 0);
}

namespace {

bool same_connections(const std::vector<connection>& a, const std::vector<connection>& b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (a[i].source != b[i].source || a[i].weight != b[i].weight || a[i].delay != b[i].delay ||
            a[i].target_site != b[i].target_site)
            return false;
    return true;
}

} // namespace

TEST(Recipe, OutdegreeTableHoldsOnlyTheAnnouncedGids) {
    // A process of a distributed run announces its gids (will_ask_about) and
    // then asks only about them: the fixed_outdegree table keeps only their
    // rows, however the projection's targets are laid out (here two runs of
    // gids, C then A, of which [250, 1100) takes the end of A and the start
    // of C), and gives exactly the connections of the whole table, inside
    // the announced range and (at the cost of the whole table) outside it.
    const std::string text =
        "[[population]]\nname = \"A\"\nsize = 300\n"
        "[[population]]\nname = \"B\"\nsize = 700\n"
        "[[population]]\nname = \"C\"\nsize = 500\n"
        "[[projection]]\nsource = \"A\"\ntarget = [\"C\", \"A\"]\nrule = \"fixed_outdegree\"\n"
        "outdegree = 40\nweight = { distribution = \"uniform\", low = \"0 mV\", high = \"1 mV\" }\n"
        "delay = \"1 ms\"\n";
    const model_file m = parse_model_file(text, "t");
    const auto whole = make_recipe(m);
    const auto part = make_recipe(m);
    part->will_ask_about(250, 1100);
    std::uint64_t inside = 0;
    for (gid_type g = 250; g < 1100; ++g) {
        const auto got = part->connections_on(g);
        inside += got.size();
        ASSERT_TRUE(same_connections(got, whole->connections_on(g))) << "gid " << g;
    }
    EXPECT_GT(inside, 0u);
    for (const gid_type g : {0u, 249u, 1100u, 1499u})
        EXPECT_TRUE(same_connections(part->connections_on(g), whole->connections_on(g))) << "gid " << g;

    // Memory: with 10^6 sources of 10 connections each (a table of 4e7
    // bytes), announcing 1000 target gids keeps every allocation far below.
    const model_file big = parse_model_file(
        "[[population]]\nname = \"E\"\nsize = 1000000\n"
        "[[projection]]\nsource = \"E\"\ntarget = \"E\"\nrule = \"fixed_outdegree\"\n"
        "outdegree = 10\nweight = \"0.1 mV\"\ndelay = \"1 ms\"\n",
        "big");
    const auto share = make_recipe(big);
    share->will_ask_about(500000, 501000);
    ranvier::testing::reset_largest_allocation();
    std::uint64_t connections = 0;
    for (gid_type g = 500000; g < 501000; ++g) connections += share->connections_on(g).size();
    EXPECT_LT(ranvier::testing::largest_allocation(), std::size_t{1} << 20);
    EXPECT_GT(connections, 9000u); // 10^4 expected
    EXPECT_LT(connections, 11000u);
}

TEST(Recipe, BrunelFullNetworkConnectionCounts) {
    // The full Brunel network: 12500 targets x (1000 + 250) sources. (Its
    // build speed is measured by bench/brunel, not asserted here.)
    const auto r = make_recipe(builtin_brunel_model());
    std::uint64_t total = 0, from_excitatory = 0;
    for (gid_type g = 0; g < r->num_cells(); ++g) {
        const auto conns = r->connections_on(g);
        total += conns.size();
        for (const auto& c : conns) from_excitatory += c.source < 10000;
    }
    EXPECT_EQ(total, 12500u * 1250u);
    EXPECT_EQ(from_excitatory, 12500u * 1000u);
}

// The rate (Hz) of events the connections of gid bring: recipe's default,
// from connections_on and each source's expected firing rate.
static double rate_from_connections(const recipe& r, gid_type gid) {
    return r.recipe::expected_connection_rate(gid);
}

TEST(Recipe, ExpectedConnectionRateOfExactRules) {
    // Onto T (gids 100..159): from S (Poisson sources at 30 Hz) fixed_indegree
    // 7, from A (LIF, the nominal rate) all_to_all, from B (sources at 5 Hz)
    // one_to_one, and explicit pairs from S.
    // The rules' answer (no tables) equals the sum over the connections.
    const auto r = make_recipe(parse_model_file(
        "[[population]]\nname = \"S\"\nsize = 40\ncell = \"poisson_source\"\nrate = \"30 Hz\"\n"
        "[[population]]\nname = \"A\"\nsize = 60\n"
        "[[population]]\nname = \"T\"\nsize = 60\n"
        "[[population]]\nname = \"B\"\nsize = 60\ncell = \"poisson_source\"\nrate = \"5 Hz\"\n"
        "[[projection]]\nsource = \"S\"\ntarget = \"T\"\nrule = \"fixed_indegree\"\nindegree = 7\n"
        "weight = \"0.1 mV\"\ndelay = \"1 ms\"\n"
        "[[projection]]\nsource = \"A\"\ntarget = [\"A\", \"T\"]\nrule = \"all_to_all\"\nallow_autapses = false\n"
        "weight = \"0.1 mV\"\ndelay = \"1 ms\"\n"
        "[[projection]]\nsource = \"B\"\ntarget = \"T\"\nrule = \"one_to_one\"\n"
        "weight = \"0.1 mV\"\ndelay = \"1 ms\"\n"
        "[[projection]]\nsource = \"S\"\ntarget = \"T\"\nrule = \"explicit\"\npairs = [[0, 3], [5, 3], [7, 59]]\n"
        "weight = \"0.1 mV\"\ndelay = \"1 ms\"\n",
        "t"));
    EXPECT_DOUBLE_EQ(r->expected_firing_rate(0), 30.0);
    EXPECT_DOUBLE_EQ(r->expected_firing_rate(40), nominal_firing_rate);
    EXPECT_DOUBLE_EQ(r->expected_firing_rate(160), 5.0);
    for (gid_type g = 40; g < 160; ++g)
        EXPECT_DOUBLE_EQ(r->expected_connection_rate(g), rate_from_connections(*r, g)) << "gid " << g;
    // A cell of A: 59 others of A at 10 Hz.
    EXPECT_DOUBLE_EQ(r->expected_connection_rate(40), 590.0);
    // T's cell 3: 7 * 30 + 60 * 10 + 5 + 2 * 30.
    EXPECT_DOUBLE_EQ(r->expected_connection_rate(103), 875.0);
    EXPECT_DOUBLE_EQ(r->expected_connection_rate(0), 0.0); // a source
}

TEST(Recipe, ExpectedConnectionRateOfRandomRulesIsTheirMean) {
    // pairwise_bernoulli and fixed_outdegree: each target gets its
    // expectation. fixed_outdegree: 50 sources * 12 targets each spread over
    // 60 targets, 10 per target on average exactly; pairwise_bernoulli 0.25
    // of 40: 10 per target, whose mean over 60 targets has sd
    // sqrt(40 * 0.25 * 0.75 / 60) = 0.35 connections: 4 sd = 1.4 (of 10).
    const auto r = make_recipe(parse_model_file(
        "[[population]]\nname = \"S\"\nsize = 40\ncell = \"poisson_source\"\nrate = \"30 Hz\"\n"
        "[[population]]\nname = \"A\"\nsize = 50\n"
        "[[population]]\nname = \"T\"\nsize = 60\n"
        "[[projection]]\nsource = \"A\"\ntarget = \"T\"\nrule = \"fixed_outdegree\"\noutdegree = 12\n"
        "weight = \"0.1 mV\"\ndelay = \"1 ms\"\n"
        "[[projection]]\nsource = \"S\"\ntarget = \"T\"\nrule = \"pairwise_bernoulli\"\np = 0.25\n"
        "weight = \"0.1 mV\"\ndelay = \"1 ms\"\n",
        "t"));
    double expected = 0, drawn = 0;
    for (gid_type g = 90; g < 150; ++g) {
        EXPECT_DOUBLE_EQ(r->expected_connection_rate(g), 10 * 10.0 + 10 * 30.0) << "gid " << g;
        expected += r->expected_connection_rate(g);
        drawn += rate_from_connections(*r, g);
    }
    EXPECT_NEAR(drawn / 60, expected / 60, 1.4 * 30.0);
}
