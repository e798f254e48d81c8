// Statistics and options of each connection rule, as produced by the recipe
// of a network model, and the determinism of connectivity.
#include <ranvier/network_model.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <set>
#include <string>
#include <vector>

using namespace ranvier;

namespace {

// Populations "A" (gids 0..na-1) and "B" (na..na+nb-1) and one projection
// whose lines are given (source, target, rule, rule keys, options).
model_file model_with(const std::string& projection, gid_type na = 100, gid_type nb = 100,
                         std::uint64_t seed = 7) {
    const std::string text = "[simulation]\nseed = " + std::to_string(seed) +
                             "\n[[population]]\nname = \"A\"\nsize = " + std::to_string(na) +
                             "\n[[population]]\nname = \"B\"\nsize = " + std::to_string(nb) +
                             "\n[[projection]]\n" + projection + "\nweight = \"0.1 mV\"\ndelay = \"1 ms\"\n";
    return parse_model_file(text, "rules-test");
}

// All connections as (source, target) pairs, target by target.
std::vector<std::pair<gid_type, gid_type>> all_pairs(const recipe& r) {
    std::vector<std::pair<gid_type, gid_type>> out;
    for (gid_type t = 0; t < r.num_cells(); ++t)
        for (const connection& c : r.connections_on(t)) out.emplace_back(c.source, t);
    return out;
}

std::map<gid_type, std::vector<gid_type>> sources_by_target(const recipe& r) {
    std::map<gid_type, std::vector<gid_type>> out;
    for (gid_type t = 0; t < r.num_cells(); ++t)
        for (const connection& c : r.connections_on(t)) out[t].push_back(c.source);
    return out;
}

bool has_repeats(std::vector<gid_type> v) {
    std::sort(v.begin(), v.end());
    return std::adjacent_find(v.begin(), v.end()) != v.end();
}

} // namespace

TEST(FixedIndegree, ExactDistinctNoAutapses) {
    // k = 30 of n = 99 exercises the draw-sort-dedupe sampler (4k >= n: no).
    for (std::uint64_t k : {5u, 30u, 90u, 99u}) { // 90, 99 exercise selection sampling
        SCOPED_TRACE(k);
        const auto r = make_recipe(model_with("source = \"A\"\ntarget = \"A\"\nrule = \"fixed_indegree\"\n"
                                              "indegree = " + std::to_string(k) +
                                              "\nallow_autapses = false\nallow_multapses = false"));
        for (gid_type t = 0; t < 200; ++t) {
            const auto conns = r->connections_on(t);
            if (t >= 100) {
                EXPECT_TRUE(conns.empty()) << "B is not a target";
                continue;
            }
            ASSERT_EQ(conns.size(), k);
            std::vector<gid_type> src;
            for (const auto& c : conns) {
                EXPECT_LT(c.source, 100u);
                EXPECT_NE(c.source, t) << "autapse";
                EXPECT_EQ(c.weight, 0.1);
                EXPECT_EQ(c.delay, 1.0);
                src.push_back(c.source);
            }
            EXPECT_FALSE(has_repeats(src));
            EXPECT_TRUE(std::is_sorted(src.begin(), src.end()));
        }
    }
}

TEST(FixedIndegree, SourcesAreUniform) {
    // 200 targets each draw 20 of the 199 other cells of A: each source is
    // drawn ~20.1 times. Pearson's chi-square over the 200 sources has 199
    // degrees of freedom (mean 199, sd ~20; sampling without repetition only
    // lowers it): 199 + 6 sd = 319 is exceeded by chance with p < 1e-6, while
    // a sampler favouring low or high indices exceeds it by far.
    const auto r = make_recipe(model_with("source = \"A\"\ntarget = \"A\"\nrule = \"fixed_indegree\"\n"
                                          "indegree = 20\nallow_autapses = false\nallow_multapses = false",
                                          200, 1));
    std::vector<double> counts(200, 0);
    for (gid_type t = 0; t < 200; ++t)
        for (const auto& c : r->connections_on(t)) counts[c.source] += 1;
    const double expected = 200.0 * 20 / 200;
    double chi2 = 0;
    for (double n : counts) chi2 += (n - expected) * (n - expected) / expected;
    EXPECT_LT(chi2, 319.0);
}

TEST(FixedIndegree, MultapsesAllowedGiveRepeats) {
    // 80 draws with repetition from 100 cells: P(no repeat in one target)
    // = prod_{i<80} (1 - i/100) < 1e-15, so every target must show one.
    const auto r = make_recipe(model_with("source = \"A\"\ntarget = \"B\"\nrule = \"fixed_indegree\"\n"
                                          "indegree = 80"));
    for (gid_type t = 100; t < 200; ++t) {
        const auto conns = r->connections_on(t);
        ASSERT_EQ(conns.size(), 80u);
        std::vector<gid_type> src;
        for (const auto& c : conns) src.push_back(c.source);
        EXPECT_TRUE(has_repeats(src)) << "target " << t;
    }
}

TEST(FixedIndegree, AutapsesAllowedWhenAsked) {
    // With autapses allowed and 99 of 100 sources chosen, a target includes
    // itself with probability 0.99: over 100 targets nearly all must do
    // (fewer than 90 has probability < 1e-6 for Binomial(100, 0.99)).
    const auto r = make_recipe(model_with("source = \"A\"\ntarget = \"A\"\nrule = \"fixed_indegree\"\n"
                                          "indegree = 99\nallow_multapses = false"));
    int self = 0;
    for (gid_type t = 0; t < 100; ++t)
        for (const auto& c : r->connections_on(t)) self += c.source == t;
    EXPECT_GE(self, 90);
}

TEST(FixedIndegree, SourcesSpanSeveralPopulations) {
    // Sources A and B (gids 0..199) onto B, no autapses: B's cells never
    // choose themselves and every source gid is possible.
    const auto r = make_recipe(model_with("source = [\"A\", \"B\"]\ntarget = \"B\"\nrule = \"fixed_indegree\"\n"
                                          "indegree = 150\nallow_autapses = false\nallow_multapses = false"));
    std::set<gid_type> seen;
    for (gid_type t = 100; t < 200; ++t) {
        const auto conns = r->connections_on(t);
        ASSERT_EQ(conns.size(), 150u);
        for (const auto& c : conns) {
            EXPECT_NE(c.source, t);
            seen.insert(c.source);
        }
    }
    EXPECT_EQ(seen.size(), 200u);
}

TEST(PairwiseBernoulli, MeanWithinBinomialTolerance) {
    // 400 x 399 candidate pairs (no autapses) at p = 0.1: the count is
    // Binomial(159600, 0.1), mean 15960, sd 119.9; 5 sd (600) is exceeded
    // with probability < 1e-6.
    const auto r = make_recipe(model_with("source = \"A\"\ntarget = \"A\"\nrule = \"pairwise_bernoulli\"\n"
                                          "p = 0.1\nallow_autapses = false",
                                          400, 1));
    const auto pairs = all_pairs(*r);
    EXPECT_NEAR(static_cast<double>(pairs.size()), 15960.0, 600.0);
    for (const auto& [s, t] : pairs) EXPECT_NE(s, t);
    // Within a target sources are strictly increasing: no pair twice.
    for (const auto& [t, src] : sources_by_target(*r))
        EXPECT_TRUE(std::adjacent_find(src.begin(), src.end(), std::greater_equal<>()) == src.end());
    // Each source is picked as often, too: the out-degree of source s over
    // the 399 other cells is Binomial(399, 0.1), mean 39.9, variance
    // 399 * 0.1 * 0.9 = 35.91 (sd 5.99), independent between sources (they
    // are drawn from disjoint sets of pairs). The mean of 200 of them has
    // variance 35.91 / 200; the DIFFERENCE of the means of the first and
    // second half is a difference of two independent means, so its variance
    // is the sum, 2 * 35.91 / 200 = 0.359 (sd 0.599). 5 sd = 3.0 is exceeded
    // by chance with probability 5.7e-7 (two-sided normal; each mean is a
    // sum of 200 binomials, so the normal approximation is close), the same
    // < 1e-6 as the other checks here. A sampler that favours low or high
    // indices by 8% (3.2 of 39.9) fails it.
    std::vector<double> out_degree(400, 0);
    for (const auto& [s, t] : pairs) out_degree[s] += 1;
    double low = 0, high = 0;
    for (int i = 0; i < 200; ++i) low += out_degree[i], high += out_degree[200 + i];
    const double sd_of_difference = std::sqrt(2 * 399 * 0.1 * 0.9 / 200);
    std::printf("mean out-degree: first half %.3f, second half %.3f, difference %.3f = %.2f sd\n", low / 200,
                high / 200, low / 200 - high / 200, std::fabs(low / 200 - high / 200) / sd_of_difference);
    EXPECT_NEAR(low / 200, high / 200, 5 * sd_of_difference);
}

TEST(PairwiseBernoulli, ExtremeProbabilities) {
    const auto none = make_recipe(model_with("source = \"A\"\ntarget = \"B\"\nrule = \"pairwise_bernoulli\"\np = 0"));
    EXPECT_TRUE(all_pairs(*none).empty());
    const auto all = make_recipe(model_with("source = \"A\"\ntarget = \"B\"\nrule = \"pairwise_bernoulli\"\np = 1"));
    EXPECT_EQ(all_pairs(*all).size(), 100u * 100u);
}

TEST(FixedOutdegree, ExactPerSource) {
    for (const char* multapses : {"false", "true"}) {
        SCOPED_TRACE(multapses);
        const auto r = make_recipe(model_with(std::string("source = \"A\"\ntarget = [\"A\", \"B\"]\n"
                                                          "rule = \"fixed_outdegree\"\noutdegree = 60\n"
                                                          "allow_autapses = false\nallow_multapses = ") +
                                              multapses));
        std::map<gid_type, std::vector<gid_type>> targets_of;
        for (const auto& [s, t] : all_pairs(*r)) targets_of[s].push_back(t);
        ASSERT_EQ(targets_of.size(), 100u) << "every source of A projects";
        bool any_repeat = false;
        for (auto& [s, targets] : targets_of) {
            EXPECT_EQ(targets.size(), 60u) << "source " << s;
            EXPECT_EQ(std::count(targets.begin(), targets.end(), s), 0) << "autapse";
            any_repeat |= has_repeats(targets);
        }
        // 60 draws from 199 with repetition: P(no repeat) per source ~ 1e-4,
        // so across 100 sources a repeat is certain when allowed.
        EXPECT_EQ(any_repeat, std::string(multapses) == "true");
        // Sources onto a target come sorted.
        for (const auto& [t, src] : sources_by_target(*r)) EXPECT_TRUE(std::is_sorted(src.begin(), src.end()));
    }
}

TEST(OneToOne, PairsByIndex) {
    const auto r = make_recipe(model_with("source = \"A\"\ntarget = \"B\"\nrule = \"one_to_one\""));
    const auto pairs = all_pairs(*r);
    ASSERT_EQ(pairs.size(), 100u);
    for (const auto& [s, t] : pairs) EXPECT_EQ(t, s + 100);
    // Onto itself without autapses: nothing.
    const auto self = make_recipe(model_with("source = \"A\"\ntarget = \"A\"\nrule = \"one_to_one\"\n"
                                             "allow_autapses = false"));
    EXPECT_TRUE(all_pairs(*self).empty());
}

TEST(AllToAll, EveryPairOnce) {
    const auto with = make_recipe(model_with("source = \"A\"\ntarget = \"A\"\nrule = \"all_to_all\"", 30, 5));
    EXPECT_EQ(all_pairs(*with).size(), 30u * 30u);
    const auto without = make_recipe(model_with("source = \"A\"\ntarget = \"A\"\nrule = \"all_to_all\"\n"
                                                "allow_autapses = false", 30, 5));
    const auto pairs = all_pairs(*without);
    EXPECT_EQ(pairs.size(), 30u * 29u);
    EXPECT_EQ(std::set(pairs.begin(), pairs.end()).size(), pairs.size());
    for (const auto& [s, t] : pairs) EXPECT_NE(s, t);
}

TEST(Explicit, PairsInFileOrder) {
    const auto r = make_recipe(model_with("source = \"A\"\ntarget = \"B\"\nrule = \"explicit\"\n"
                                          "pairs = [[5, 0], [2, 0], [5, 0], [1, 3]]", 10, 10));
    const auto on0 = r->connections_on(10);
    ASSERT_EQ(on0.size(), 3u);
    EXPECT_EQ(on0[0].source, 5u);
    EXPECT_EQ(on0[1].source, 2u);
    EXPECT_EQ(on0[2].source, 5u);
    ASSERT_EQ(r->connections_on(13).size(), 1u);
    EXPECT_EQ(r->connections_on(13)[0].source, 1u);
    EXPECT_TRUE(r->connections_on(11).empty());
}

TEST(Determinism, SameSeedSameConnections) {
    for (const char* rule : {"rule = \"fixed_indegree\"\nindegree = 17", "rule = \"fixed_outdegree\"\noutdegree = 17",
                             "rule = \"pairwise_bernoulli\"\np = 0.2"}) {
        SCOPED_TRACE(rule);
        const std::string proj = std::string("source = \"A\"\ntarget = \"B\"\n") + rule;
        const auto a = all_pairs(*make_recipe(model_with(proj, 100, 100, 1)));
        const auto b = all_pairs(*make_recipe(model_with(proj, 100, 100, 1)));
        const auto c = all_pairs(*make_recipe(model_with(proj, 100, 100, 2)));
        EXPECT_EQ(a, b);
        EXPECT_NE(a, c);
    }
}

TEST(Determinism, IndependentOfQueryOrder) {
    // A process owning some gids asks only about those, in any order.
    const std::string proj = "source = \"A\"\ntarget = \"B\"\nrule = \"fixed_indegree\"\nindegree = 17";
    const auto r1 = make_recipe(model_with(proj));
    const auto r2 = make_recipe(model_with(proj));
    const auto forward = r1->connections_on(150);
    for (gid_type t = 199; t >= 100; --t) r2->connections_on(t);
    const auto later = r2->connections_on(150);
    ASSERT_EQ(forward.size(), later.size());
    for (std::size_t i = 0; i < forward.size(); ++i) EXPECT_EQ(forward[i].source, later[i].source);
}

TEST(Determinism, ProjectionsHaveIndependentStreams) {
    // Two identical projections must not draw identical sources.
    const std::string text = "[[population]]\nname = \"A\"\nsize = 100\n"
                             "[[projection]]\nsource = \"A\"\ntarget = \"A\"\nrule = \"fixed_indegree\"\n"
                             "indegree = 10\nweight = \"1 mV\"\ndelay = \"1 ms\"\n"
                             "[[projection]]\nsource = \"A\"\ntarget = \"A\"\nrule = \"fixed_indegree\"\n"
                             "indegree = 10\nweight = \"2 mV\"\ndelay = \"1 ms\"\n";
    const auto r = make_recipe(parse_model_file(text, "t"));
    const auto conns = r->connections_on(3);
    ASSERT_EQ(conns.size(), 20u);
    std::vector<gid_type> first, second;
    for (int i = 0; i < 10; ++i) first.push_back(conns[i].source), second.push_back(conns[10 + i].source);
    EXPECT_EQ(conns[0].weight, 1.0);
    EXPECT_EQ(conns[10].weight, 2.0);
    EXPECT_NE(first, second);
}
