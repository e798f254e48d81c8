// Reading one [[projection]] table: populations, rule, weights and delays,
// with the checks that can be made before anything is built.
#include "model/model_reading.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace ranvier {
namespace {

struct rule_name {
    std::string_view name;
    connection_rule rule;
    std::string_view parameter; // the rule's own key ("" if none)
};

constexpr rule_name rule_names[] = {
    {"fixed_indegree", connection_rule::fixed_indegree, "indegree"},
    {"fixed_outdegree", connection_rule::fixed_outdegree, "outdegree"},
    {"pairwise_bernoulli", connection_rule::pairwise_bernoulli, "p"},
    {"one_to_one", connection_rule::one_to_one, ""},
    {"all_to_all", connection_rule::all_to_all, ""},
    {"explicit", connection_rule::explicit_list, "pairs"},
};

const rule_name& read_rule(const toml_table_reader& r) {
    const std::string name = r.get_string("rule");
    std::vector<std::string> valid;
    for (const auto& rn : rule_names) {
        if (rn.name == name) return rn;
        valid.emplace_back(rn.name);
    }
    const std::string suggestion = closest_word(name, valid);
    r.fail("rule", "unknown rule '" + name + "'" +
                       (suggestion.empty() ? "" : "; did you mean '" + suggestion + "'?") +
                       " (valid: " + join(valid) + ")");
}

std::uint64_t total_size(const std::vector<const population_spec*>& pops) {
    std::uint64_t n = 0;
    for (const auto* p : pops) n += p->size;
    return n;
}

std::string names_of(const std::vector<const population_spec*>& pops) {
    std::vector<std::string> names;
    for (const auto* p : pops) names.push_back(p->name);
    return join(names);
}

bool overlap(const std::vector<const population_spec*>& a, const std::vector<const population_spec*>& b) {
    return std::any_of(a.begin(), a.end(),
                       [&](const auto* p) { return std::find(b.begin(), b.end(), p) != b.end(); });
}

// Maps an index into the concatenation of `pops` to a gid.
gid_type gid_at(const std::vector<const population_spec*>& pops, std::uint64_t index) {
    for (const auto* p : pops) {
        if (index < p->size) return static_cast<gid_type>(p->first_gid + index);
        index -= p->size;
    }
    throw internal_error("gid_at: index beyond the populations");
}

// pairs = [[source_index, target_index], ...]: indices into the concatenated
// source and target populations (not gids, so that adding a population
// elsewhere in the file does not change the meaning of the pairs).
void read_pairs(const toml_table_reader& r, projection_spec& spec,
                const std::vector<const population_spec*>& sources,
                const std::vector<const population_spec*>& targets) {
    const toml_value& v = r.require("pairs", "a list of [source_index, target_index] pairs");
    const std::uint64_t n_source = total_size(sources), n_target = total_size(targets);
    const std::string shape = "expected a list of [source_index, target_index] pairs such as [[0, 1], [2, 0]]";
    if (!v.is_array()) r.fail("pairs", shape + ", got " + describe_toml_type(v));
    for (const auto& pair : v.as_array()) {
        const int line = r.line_of(pair);
        if (!pair.is_array() || pair.as_array().size() != 2 || !pair.as_array()[0].is_integer() ||
            !pair.as_array()[1].is_integer())
            throw user_error(r.where_line(line, "pairs"), shape + "; this element is not a pair of integers");
        const std::int64_t s = pair.as_array()[0].as_integer(), t = pair.as_array()[1].as_integer();
        if (s < 0 || static_cast<std::uint64_t>(s) >= n_source)
            throw user_error(r.where_line(line, "pairs"),
                             "source index " + std::to_string(s) + " is out of range: the sources (" +
                                 names_of(sources) + ") have indices 0.." + std::to_string(n_source - 1));
        if (t < 0 || static_cast<std::uint64_t>(t) >= n_target)
            throw user_error(r.where_line(line, "pairs"),
                             "target index " + std::to_string(t) + " is out of range: the targets (" +
                                 names_of(targets) + ") have indices 0.." + std::to_string(n_target - 1));
        const gid_type sg = gid_at(sources, static_cast<std::uint64_t>(s));
        const gid_type tg = gid_at(targets, static_cast<std::uint64_t>(t));
        if (!spec.allow_autapses && sg == tg)
            throw user_error(r.where_line(line, "pairs"),
                             "pair [" + std::to_string(s) + ", " + std::to_string(t) + "] connects gid " +
                                 std::to_string(sg) + " onto itself, but allow_autapses = false");
        spec.pairs.emplace_back(sg, tg);
    }
    if (!spec.allow_multapses) {
        auto sorted = spec.pairs;
        std::sort(sorted.begin(), sorted.end());
        const auto repeated = std::adjacent_find(sorted.begin(), sorted.end());
        if (repeated != sorted.end())
            r.fail("pairs", "the pair of gids (" + std::to_string(repeated->first) + ", " +
                                std::to_string(repeated->second) +
                                ") is given twice, but allow_multapses = false");
    }
}

// For fixed in/out-degree without multapses: the drawn cells must be distinct,
// so there must be enough of them.
void check_degree(const toml_table_reader& r, std::string_view key, std::uint64_t degree,
                  std::uint64_t pool, bool self_excluded, bool allow_multapses, std::string_view pool_name) {
    const std::uint64_t available = pool - (self_excluded ? 1 : 0);
    if (degree > 0 && available == 0)
        r.fail(key, "there is no cell to draw: the only " + std::string(pool_name) +
                        " is the cell itself and allow_autapses = false");
    if (!allow_multapses && degree > available)
        r.fail(key, std::to_string(degree) + " distinct " + std::string(pool_name) + "s are needed but only " +
                        std::to_string(available) + " are available" +
                        (self_excluded ? " (autapses excluded)" : "") +
                        ": lower it or set allow_multapses = true");
}

// `synapse = k` picks the target site of cable cells (an index into their
// synapses); weights onto them are read in nS and stored in uS.
void read_target_synapse(const toml_table_reader& r, projection_spec& spec,
                         const std::vector<const population_spec*>& targets) {
    const bool cable = targets.front()->kind == cell_kind::cable; // kinds are never mixed here
    if (!cable) {
        if (r.has("synapse")) r.fail("synapse", "only applies to cable-cell targets (LIF cells have one site)");
        return;
    }
    std::int64_t sites = std::numeric_limits<std::int64_t>::max();
    for (const auto* p : targets) sites = std::min<std::int64_t>(sites, static_cast<std::int64_t>(p->cable.synapses.size()));
    if (sites == 0)
        r.fail("target", "population '" + names_of(targets) + "' has no synapses: add synapses = [{ location = "
                         "\"dend[0](0.5)\", mechanism = \"ExpSyn\" }] to it");
    spec.synapse = static_cast<site_index>(r.get_integer("synapse", 0, sites - 1, 0));
    constexpr double uS_per_nS = 1e-3;
    distribution& w = spec.weight;
    if (w.type == distribution::kind::lognormal) {
        w.a += std::log(uS_per_nS); // scales the lognormal's median
    } else {
        w.a *= uS_per_nS;
        if (w.type == distribution::kind::uniform || w.type == distribution::kind::normal) w.b *= uS_per_nS;
    }
    if (w.low) *w.low *= uS_per_nS;
    if (w.high) *w.high *= uS_per_nS;
}

} // namespace

projection_spec read_projection(const toml_table_reader& r, const model_reading_context& context) {
    r.reject_unknown_keys({"source", "target", "rule", "indegree", "outdegree", "p", "pairs",
                           "allow_autapses", "allow_multapses", "weight", "delay", "synapse"});
    projection_spec spec;
    spec.where = r.where("");
    const auto sources = context.resolve_populations(r, "source");
    const auto targets = context.resolve_populations(r, "target");
    reject_source_targets(r, "target", targets);
    for (const auto* p : sources) spec.sources.push_back(p->name);
    for (const auto* p : targets) spec.targets.push_back(p->name);

    const rule_name& rule = read_rule(r);
    spec.rule = rule.rule;
    for (const auto& other : rule_names)
        if (!other.parameter.empty() && other.parameter != rule.parameter && r.has(other.parameter))
            r.fail(other.parameter, "only applies to rule = \"" + std::string(other.name) +
                                        "\", not \"" + std::string(rule.name) + "\"");

    spec.allow_autapses = r.get_bool("allow_autapses", true);
    spec.allow_multapses = r.get_bool("allow_multapses", true);
    const bool shared = overlap(sources, targets); // autapses possible at all
    const std::uint64_t n_source = total_size(sources), n_target = total_size(targets);
    constexpr std::int64_t max_degree = std::numeric_limits<std::uint32_t>::max();

    switch (spec.rule) {
    case connection_rule::fixed_indegree:
        spec.count = static_cast<std::uint64_t>(r.get_integer("indegree", 0, max_degree));
        check_degree(r, "indegree", spec.count, n_source, shared && !spec.allow_autapses,
                     spec.allow_multapses, "source");
        break;
    case connection_rule::fixed_outdegree:
        spec.count = static_cast<std::uint64_t>(r.get_integer("outdegree", 0, max_degree));
        check_degree(r, "outdegree", spec.count, n_target, shared && !spec.allow_autapses,
                     spec.allow_multapses, "target");
        break;
    case connection_rule::pairwise_bernoulli: {
        const toml_value& p = r.require("p", "a probability in [0, 1]");
        if (!p.is_floating() && !p.is_integer())
            r.fail("p", "expected a probability (a number in [0, 1]), got " + describe_toml_type(p));
        spec.probability = p.is_floating() ? p.as_floating() : static_cast<double>(p.as_integer());
        if (!(spec.probability >= 0 && spec.probability <= 1))
            r.fail("p", "must be a probability in [0, 1], got " + format_number(spec.probability));
        break;
    }
    case connection_rule::one_to_one:
        if (n_source != n_target)
            r.fail("rule", "one_to_one needs as many sources as targets, but the sources (" +
                               names_of(sources) + ") have " + std::to_string(n_source) +
                               " cells and the targets (" + names_of(targets) + ") " +
                               std::to_string(n_target));
        break;
    case connection_rule::all_to_all: break;
    case connection_rule::explicit_list: read_pairs(r, spec, sources, targets); break;
    }

    spec.weight = context.read_weight(r, targets, [&](dimension d) { return read_distribution(r, "weight", d); });
    read_target_synapse(r, spec, targets);
    spec.delay = read_distribution(r, "delay", dimension::time);
    context.check_delay(r, "delay", spec.delay);
    spec.delay_where = r.where("delay");
    return spec;
}

} // namespace ranvier
