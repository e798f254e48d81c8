// Reading one [[projection]] table: populations, rule, weights and delays,
// with the checks that can be made before anything is built.
#include "model/model_reading.hpp"
#include "cable/mechanisms/mechanism_catalogue.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <span>

namespace ranvier {
namespace {

constexpr double uS_per_nS = 1e-3; // weights onto cable cells are read in nS, stored in uS

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
void read_pairs(const toml_table_reader& r, projection_spec& spec, explicit_connections& out,
                const std::vector<const population_spec*>& sources,
                const std::vector<const population_spec*>& targets) {
    const toml_value& v = r.require("pairs", "a list of [source_index, target_index] pairs");
    const std::string shape = "expected a list of [source_index, target_index] pairs such as [[0, 1], [2, 0]]";
    if (!v.is_array()) r.fail("pairs", shape + ", got " + describe_toml_type(v));
    const explicit_pair_checker check(spec, sources, targets);
    out.pairs.reserve(v.as_array().size());
    for (const auto& pair : v.as_array()) {
        const int line = r.line_of(pair);
        if (!pair.is_array() || pair.as_array().size() != 2 || !pair.as_array()[0].is_integer() ||
            !pair.as_array()[1].is_integer())
            throw user_error(r.where_line(line, "pairs"), shape + "; this element is not a pair of integers");
        out.pairs.push_back(check.gids(pair.as_array()[0].as_integer(), pair.as_array()[1].as_integer(),
                                       r.where_line(line, "pairs"), ""));
    }
    check.no_repeats(out.pairs, r.where("pairs"));
}

// The pairs of an explicit projection given as arrays of indices (Python's
// numpy arrays): the same checks as `pairs`, naming the element.
void read_pair_arrays(const toml_table_reader& r, projection_spec& spec, explicit_connections& out,
                      const explicit_arrays& arrays, const std::vector<const population_spec*>& sources,
                      const std::vector<const population_spec*>& targets) {
    if (arrays.sources.size() != arrays.targets.size())
        r.fail("targets", "has " + std::to_string(arrays.targets.size()) + " indices but sources has " +
                              std::to_string(arrays.sources.size()) + ": give one target per source");
    const explicit_pair_checker check(spec, sources, targets);
    const source_location at = r.where("pairs");
    out.pairs.resize(arrays.sources.size());
    for (std::size_t k = 0; k < arrays.sources.size(); ++k)
        out.pairs[k] = check.gids(arrays.sources[k], arrays.targets[k], at,
                                  "connection " + std::to_string(k) + ": ");
    check.no_repeats(out.pairs, at);
}

// Numbers written in `unit` (e.g. "mV") converted to the canonical unit of
// `d` as a model file's "<number> <unit>" strings are (number * factor + offset).
std::vector<double> values_in_unit(const toml_table_reader& r, std::string_view key,
                                   std::span<const double> values, const std::string& unit, dimension d) {
    double zero = 0, one = 0;
    try {
        zero = parse_quantity("0 " + unit, d, r.where(key));
        one = parse_quantity("1 " + unit, d, r.where(key));
    } catch (const user_error&) {
        r.fail(key, "the unit '" + unit + "' is not a unit of a " + to_string(d) + " (units of a " +
                        to_string(d) + ": " + accepted_units(d) + ")");
    }
    const double factor = one - zero;
    std::vector<double> out(values.size());
    for (std::size_t k = 0; k < values.size(); ++k) {
        if (!std::isfinite(values[k]))
            r.fail(key, "element " + std::to_string(k) + " is " + format_number(values[k]) + ": numbers must be finite");
        out[k] = values[k] * factor + zero;
    }
    return out;
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
}

// extra_weights = [w2, ...]: NET_RECEIVE's further arguments (NetCon
// weight[1..]) of every connection, plain numbers as the .mod file takes
// them; the synapse's NET_RECEIVE must take that many.
void read_extra_weights(const toml_table_reader& r, projection_spec& spec,
                        const std::vector<const population_spec*>& targets, const model_reading_context& context) {
    const toml_value* v = r.find("extra_weights");
    if (!v) return;
    if (targets.front()->kind != cell_kind::cable && targets.front()->kind != cell_kind::artificial)
        r.fail("extra_weights", "only applies to cable-cell and artificial-cell targets (a NET_RECEIVE taking "
                                "several arguments)");
    if (!v->is_array() || v->as_array().empty())
        r.fail("extra_weights", "expected a non-empty array of numbers (NET_RECEIVE's arguments after the "
                                "weight), got " + describe_toml_type(*v));
    for (const auto& x : v->as_array()) {
        const double w = r.number_of(x, "extra_weights");
        if (!std::isfinite(w)) r.fail("extra_weights", "must be finite numbers");
        spec.extra_weights.push_back(w);
    }
    const cable::mechanism_catalogue& catalogue = cable::catalogue_of(context.model().mechanisms);
    for (const auto* p : targets) {
        const bool artificial = p->kind == cell_kind::artificial;
        const std::string& name = artificial ? p->artificial.mechanism : p->cable.synapses[spec.synapse].mechanism;
        const cable::mechanism_type& type = catalogue.type(name);
        const auto& args = type.event_arguments;
        if (args.size() < spec.extra_weights.size() + 1) {
            std::string list;
            for (const auto& a : args) list += (list.empty() ? "" : ", ") + a;
            r.fail("extra_weights",
                   "gives " + std::to_string(spec.extra_weights.size()) + " extra weight" +
                       (spec.extra_weights.size() == 1 ? "" : "s") + ", but " +
                       (artificial ? std::string("the cells") : "synapse " + std::to_string(spec.synapse)) +
                       " of population '" + p->name + (artificial ? "' are " : "' is ") + name +
                       (args.size() <= 1 ? ", which has no NET_RECEIVE arguments beyond the weight"
                                     : ", whose NET_RECEIVE(" + list + ") takes " +
                                           std::to_string(args.size() - 1) + " after the weight"));
        }
        if (!type.has_net_receive_initial)
            r.fail("extra_weights", (artificial ? std::string("the cells") : "synapse " + std::to_string(spec.synapse)) +
                                        " of population '" + p->name + (artificial ? "' are " : "' is ") + name +
                                        ", whose NET_RECEIVE has no INITIAL block: NEURON sets the arguments "
                                        "after the weight to 0 at initialisation then, and so does Ranvier "
                                        "(set them in an INITIAL block inside NET_RECEIVE)");
    }
}

// Weights onto artificial cells: NET_RECEIVE's first argument, a plain
// number in the unit the .mod file gives it (NEURON's NetCon weight[0]), as
// `weight = 0.5` or, for explicit pairs, `weights = [0.5, -0.25, ...]`.
void read_artificial_weights(const toml_table_reader& r, projection_spec& spec, explicit_connections* connections,
                             const explicit_arrays* arrays, bool per_pair) {
    auto number = [&](const toml_value& x, const char* key) {
        const double w = r.number_of(x, key);
        if (!std::isfinite(w)) r.fail(key, "must be finite numbers");
        return w;
    };
    const char* plain = " (weights onto artificial cells are NET_RECEIVE's plain numbers, as NEURON's NetCon "
                        "weight[0])";
    if (per_pair) {
        if (r.has("weight")) r.fail("weight", "give weight (the same for every pair) or weights (one per pair), not both");
        if (arrays) {
            if (!arrays->weight_unit.empty() && arrays->weight_unit != "1")
                r.fail("weights", "the weights onto artificial cells are plain numbers, not in '" +
                                      arrays->weight_unit + "'" + plain);
            connections->weights.assign(arrays->weights.begin(), arrays->weights.end());
        } else {
            const toml_value* v = r.find("weights");
            if (!v->is_array()) r.fail("weights", std::string("expected an array of numbers") + plain);
            for (const auto& x : v->as_array()) connections->weights.push_back(number(x, "weights"));
        }
        if (connections->weights.size() != connections->pairs.size())
            r.fail("weights", "has " + std::to_string(connections->weights.size()) + " values for " +
                                  std::to_string(connections->pairs.size()) + " pairs: give one weight per pair");
        spec.weight = distribution::constant(0); // unused: every pair has its own
        return;
    }
    const toml_value* v = r.find("weight");
    if (!v) r.fail("weight", std::string("missing: give a number") + plain);
    if (!v->is_floating() && !v->is_integer())
        r.fail("weight", "expected a number, got " + describe_toml_type(*v) + plain);
    spec.weight = distribution::constant(number(*v, "weight"));
}

} // namespace

explicit_pair_checker::explicit_pair_checker(const projection_spec& spec,
                                             const std::vector<const population_spec*>& sources,
                                             const std::vector<const population_spec*>& targets)
    : spec_(spec), sources_(sources), targets_(targets), n_source_(total_size(sources)),
      n_target_(total_size(targets)) {}

std::pair<gid_type, gid_type> explicit_pair_checker::gids(std::int64_t s, std::int64_t t,
                                                          const source_location& at,
                                                          const std::string& which) const {
    if (s < 0 || static_cast<std::uint64_t>(s) >= n_source_)
        throw user_error(at, which + "source index " + std::to_string(s) + " is out of range: the sources (" +
                                 names_of(sources_) + ") have indices 0.." + std::to_string(n_source_ - 1));
    if (t < 0 || static_cast<std::uint64_t>(t) >= n_target_)
        throw user_error(at, which + "target index " + std::to_string(t) + " is out of range: the targets (" +
                                 names_of(targets_) + ") have indices 0.." + std::to_string(n_target_ - 1));
    const gid_type sg = gid_at(sources_, static_cast<std::uint64_t>(s));
    const gid_type tg = gid_at(targets_, static_cast<std::uint64_t>(t));
    if (!spec_.allow_autapses && sg == tg)
        throw user_error(at, which + "pair [" + std::to_string(s) + ", " + std::to_string(t) + "] connects gid " +
                                 std::to_string(sg) + " onto itself, but allow_autapses = false");
    return {sg, tg};
}

void explicit_pair_checker::no_repeats(const std::vector<std::pair<gid_type, gid_type>>& pairs,
                                       const source_location& at) const {
    if (spec_.allow_multapses) return;
    auto sorted = pairs;
    std::sort(sorted.begin(), sorted.end());
    const auto repeated = std::adjacent_find(sorted.begin(), sorted.end());
    if (repeated != sorted.end())
        throw user_error(at, "the pair of gids (" + std::to_string(repeated->first) + ", " +
                                 std::to_string(repeated->second) +
                                 ") is given twice, but allow_multapses = false");
}

static void scale_conductance_weight(distribution& w) {
    constexpr double uS_per_nS = 1e-3;
    if (w.type == distribution::kind::lognormal) {
        w.a += std::log(uS_per_nS); // scales the lognormal's median
    } else {
        w.a *= uS_per_nS;
        if (w.type == distribution::kind::uniform || w.type == distribution::kind::normal) w.b *= uS_per_nS;
    }
    if (w.low) *w.low *= uS_per_nS;
    if (w.high) *w.high *= uS_per_nS;
}

projection_spec read_projection(const toml_table_reader& r, const model_reading_context& context,
                                const explicit_arrays* arrays) {
    r.reject_unknown_keys({"source", "target", "rule", "indegree", "outdegree", "p", "pairs",
                           "allow_autapses", "allow_multapses", "weight", "delay", "synapse", "weights",
                           "delays", "extra_weights"});
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
    case connection_rule::explicit_list: break; // below
    }

    std::shared_ptr<explicit_connections> connections;
    if (spec.rule == connection_rule::explicit_list) {
        connections = std::make_shared<explicit_connections>();
        if (arrays) {
            if (r.has("pairs")) r.fail("pairs", "the pairs are given as arrays: remove the key 'pairs'");
            read_pair_arrays(r, spec, *connections, *arrays, sources, targets);
        } else {
            read_pairs(r, spec, *connections, sources, targets);
        }
    }
    const bool per_pair_weights = arrays ? !arrays->weights.empty() : r.has("weights");
    const bool per_pair_delays = arrays ? !arrays->delays.empty() : r.has("delays");
    for (const char* key : {"weights", "delays"})
        if (spec.rule != connection_rule::explicit_list && r.has(key))
            r.fail(key, "only applies to rule = \"explicit\" (one value per pair), not \"" +
                            std::string(rule.name) + "\"");

    const bool cable = targets.front()->kind == cell_kind::cable; // kinds are never mixed here
    const bool artificial = targets.front()->kind == cell_kind::artificial;
    for (const auto* p : targets)
        if ((p->kind == cell_kind::artificial) != artificial)
            r.fail("target", "mixes population '" + p->name + "' and '" + targets.front()->name +
                                 "': artificial cells take NET_RECEIVE's plain numbers as weights; split it into "
                                 "one table per cell kind");
    if (artificial) {
        read_artificial_weights(r, spec, connections.get(), arrays, per_pair_weights);
    } else if (per_pair_weights) {
        if (r.has("weight")) r.fail("weight", "give weight (the same for every pair) or weights (one per pair), not both");
        connections->weights = context.read_weight(r, targets, [&](dimension d) {
            return arrays ? values_in_unit(r, "weights", arrays->weights, arrays->weight_unit, d)
                          : read_quantity_list(r, "weights", d);
        });
        if (connections->weights.size() != connections->pairs.size())
            r.fail("weights", "has " + std::to_string(connections->weights.size()) + " values for " +
                                  std::to_string(connections->pairs.size()) + " pairs: give one weight per pair");
        if (cable)
            for (double& w : connections->weights) w *= uS_per_nS;
        spec.weight = distribution::constant(0); // unused: every pair has its own
    } else {
        spec.weight = context.read_weight(r, targets, [&](dimension d) { return read_distribution(r, "weight", d); });
        if (cable) scale_conductance_weight(spec.weight);
    }
    read_target_synapse(r, spec, targets);
    read_extra_weights(r, spec, targets, context);
    if (per_pair_delays) {
        if (r.has("delay")) r.fail("delay", "give delay (the same for every pair) or delays (one per pair), not both");
        connections->delays = arrays ? values_in_unit(r, "delays", arrays->delays, arrays->delay_unit, dimension::time)
                                     : read_quantity_list(r, "delays", dimension::time);
        if (connections->delays.size() != connections->pairs.size())
            r.fail("delays", "has " + std::to_string(connections->delays.size()) + " values for " +
                                 std::to_string(connections->pairs.size()) + " pairs: give one delay per pair");
        double shortest = std::numeric_limits<double>::infinity();
        for (std::size_t k = 0; k < connections->delays.size(); ++k) {
            const double d = connections->delays[k];
            if (!(d > 0))
                r.fail("delays", "delays must be > 0 ms, but the delay of pair " + std::to_string(k) + " (gids " +
                                     std::to_string(connections->pairs[k].first) + " -> " +
                                     std::to_string(connections->pairs[k].second) + ") is " + format_number(d) + " ms");
            shortest = std::min(shortest, d);
        }
        // The shortest delay stands for all in the checks against dt
        // (check_run_options); the recipe uses each pair's own.
        spec.delay = distribution::constant(connections->delays.empty() ? 1.0 : shortest);
        spec.delay_where = r.where("delays");
    } else {
        spec.delay = read_distribution(r, "delay", dimension::time);
        context.check_delay(r, "delay", spec.delay);
        spec.delay_where = r.where("delay");
    }
    spec.connections = std::move(connections);
    return spec;
}

} // namespace ranvier
