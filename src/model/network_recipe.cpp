// The recipe of a network_model: cells, connections, inputs and probes per gid.
//
// Random streams (src/random/counter_rng.hpp), all keyed by the model's seed:
//   V_init of gid g in population i   (initial_state, i, g)
//   fixed_indegree / pairwise_bernoulli sources of target g, projection j
//                                      (connectivity, j, g)
//   fixed_outdegree targets of source g, projection j   (connectivity, j, g)
//   weights and delays onto target g, projection j      (weights, j, g)
//     drawn in connection order, weight then delay per connection.
// Connections onto a gid come projection by projection in file order; within
// a projection, sorted by source gid (explicit pairs: in the order given).
//
// Thread safety: every member function is const and may be called from many
// threads at once. The only shared mutable state is the per-projection table
// of fixed_outdegree connections, built on first use under std::call_once.
//
// Memory: fixed_outdegree draws every source's targets (each source has its
// own stream, so there is no other way to learn who connects onto a target),
// but keeps only the connections onto the gids will_ask_about() named: one
// process of a distributed run holds its share, not the network's table.
#include "model/connection_sampling.hpp"
#include "model/distribution_sampling.hpp"

#include <ranvier/network_model.hpp>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <limits>
#include <optional>
#include <memory>
#include <mutex>

namespace ranvier {
namespace {

// Incoming sources of the targets of one projection that the table holds,
// one row per target (compressed rows: sources of row r are
// sources[offsets[r] .. offsets[r+1])). Targets are numbered by their index in
// the projection's target set; `rows` maps runs of them to rows.
struct incoming_table {
    struct row_run {
        std::uint64_t first, last; // target indices [first, last)
        std::uint64_t row;         // the row of `first`
    };
    std::vector<row_run> rows;
    std::vector<std::uint64_t> offsets;
    std::vector<gid_type> sources;
    // explicit_list with per-pair weights or delays: the pair of each entry.
    std::vector<std::uint64_t> pair_of;

    std::optional<std::uint64_t> row_of(std::uint64_t target_index) const {
        for (const row_run& r : rows)
            if (target_index >= r.first && target_index < r.last) return r.row + (target_index - r.first);
        return std::nullopt;
    }
};

// A table's row of one target.
struct incoming_row {
    const incoming_table& table;
    std::uint64_t row;
    std::uint64_t begin() const { return table.offsets[row]; }
    std::uint64_t end() const { return table.offsets[row + 1]; }
};

struct resolved_projection {
    const projection_spec* spec = nullptr;
    std::uint64_t index = 0; // position in the model: keys its random streams
    gid_ranges sources, targets;
    bool autapses_possible = false; // some cell is both a source and a target
    double mean_source_rate = 0;    // Hz, of expected_firing_rate over the sources
    // explicit_list: built in the constructor, every target; fixed_outdegree:
    // on first use, the targets named by will_ask_about() then.
    mutable std::once_flag built;
    mutable incoming_table incoming;
    // fixed_outdegree asked about a target outside `incoming`: every target.
    mutable std::once_flag built_whole;
    mutable incoming_table whole;
};

struct resolved_input {
    std::vector<std::size_t> populations; // indices of the target populations
    bool targets(std::size_t population) const {
        return std::find(populations.begin(), populations.end(), population) != populations.end();
    }
};

// The mean expected firing rate (Hz) of a population's cells.
double mean_firing_rate(const population_spec& p) {
    if (p.kind != cell_kind::spike_source) return nominal_firing_rate;
    if (p.source_times.empty() || p.size == 0) return expected_rate_of(p.source);
    double sum = 0;
    spike_source_cell one = p.source;
    for (const auto& times : p.source_times) {
        one.times = times;
        sum += expected_rate_of(one);
    }
    return sum / static_cast<double>(p.size);
}

class network_recipe final : public recipe {
public:
    network_recipe(const network_model& model, std::uint64_t seed);

    gid_type num_cells() const override { return num_cells_; }
    cell_kind kind(gid_type gid) const override {
        return model_.populations[population_of(gid)].kind;
    }
    cell_description cell(gid_type gid) const override;
    std::vector<connection> connections_on(gid_type gid) const override;
    std::vector<poisson_input> poisson_inputs_on(gid_type gid) const override;
    std::vector<current_input> current_inputs_on(gid_type gid) const override;
    std::vector<probe> probes_on(gid_type gid) const override;
    double expected_firing_rate(gid_type gid) const override;
    double expected_connection_rate(gid_type gid) const override;
    void will_ask_about(gid_type first, gid_type last) const override {
        asked_first_.store(first);
        asked_last_.store(last);
    }
    std::shared_ptr<const cable::mechanism_catalogue> mechanisms() const override {
        return model_.mechanisms;
    }

private:
    void check_gid(gid_type gid) const {
        if (gid >= num_cells_)
            throw user_error("gid " + std::to_string(gid) + " does not exist: the model has " +
                             std::to_string(num_cells_) + " cells");
    }
    std::size_t population_of(gid_type gid) const;
    std::size_t population_index(const std::string& name, const source_location& where) const;
    gid_ranges ranges_of(const std::vector<std::string>& names, const source_location& where) const;
    resolved_input resolve_input(const std::vector<std::string>& names, const source_location& where) const;
    void check_rule(const resolved_projection& p) const;
    incoming_row incoming(const resolved_projection& p, std::uint64_t target_index) const;
    void build_outdegree_table(const resolved_projection& p, incoming_table& t, gid_type first,
                               gid_type last) const;
    void build_explicit_table(const resolved_projection& p) const;
    void append_sources(const resolved_projection& p, gid_type gid, std::uint64_t target_index,
                        std::vector<connection>& out) const;
    std::uint64_t expected_count(const resolved_projection& p, gid_type gid, std::uint64_t target_index) const;
    double mean_rate_of(const std::vector<std::string>& populations, const source_location& where) const;
    double expected_rate_through(const resolved_projection& p, gid_type gid, std::uint64_t target_index) const;

    network_model model_;
    std::uint64_t seed_; // keys every random stream of the expansion
    gid_type num_cells_ = 0;
    std::vector<std::unique_ptr<resolved_projection>> projections_; // once_flag is not movable
    std::vector<resolved_input> poisson_targets_, current_targets_;
    std::vector<gid_type> recorded_; // sorted gids with a voltage probe
    // [record] probes by gid (stable: file order within a gid).
    std::vector<std::pair<gid_type, const probe*>> probed_;
    // Per population, the mean expected firing rate of its cells (Hz).
    std::vector<double> population_rate_;
    // will_ask_about(): the gids fixed_outdegree tables are built for.
    mutable std::atomic<gid_type> asked_first_{0};
    mutable std::atomic<gid_type> asked_last_{std::numeric_limits<gid_type>::max()};
};

network_recipe::network_recipe(const network_model& model, std::uint64_t seed)
    : model_(model), seed_(seed) {
    std::uint64_t n = 0;
    for (auto& p : model_.populations) {
        p.first_gid = static_cast<gid_type>(n); // contiguous in declaration order
        n += p.size;
    }
    if (n >= std::numeric_limits<gid_type>::max())
        throw user_error(source_location{model_.origin, 0, "population.size"}, "too many cells for 32-bit gids");
    num_cells_ = static_cast<gid_type>(n);
    for (const auto& p : model_.populations) population_rate_.push_back(mean_firing_rate(p));

    for (std::size_t j = 0; j < model_.projections.size(); ++j) {
        const projection_spec& spec = model_.projections[j];
        auto p = std::make_unique<resolved_projection>();
        p->spec = &spec;
        p->index = j;
        p->sources = ranges_of(spec.sources, spec.where);
        p->targets = ranges_of(spec.targets, spec.where);
        for (const auto& s : spec.sources)
            if (std::find(spec.targets.begin(), spec.targets.end(), s) != spec.targets.end())
                p->autapses_possible = true;
        check_rule(*p);
        p->mean_source_rate = mean_rate_of(spec.sources, spec.where);
        if (spec.rule == connection_rule::explicit_list)
            std::call_once(p->built, [&] { build_explicit_table(*p); });
        projections_.push_back(std::move(p));
    }
    for (const auto& in : model_.poisson_inputs) poisson_targets_.push_back(resolve_input(in.targets, in.where));
    for (const auto& in : model_.currents) current_targets_.push_back(resolve_input(in.targets, in.where));

    recorded_ = model_.record.voltage_gids;
    std::sort(recorded_.begin(), recorded_.end());
    recorded_.erase(std::unique(recorded_.begin(), recorded_.end()), recorded_.end());
    for (const probe_spec& ps : model_.record.probes)
        for (const gid_type gid : ps.gids) probed_.push_back({gid, &ps.what});
    std::stable_sort(probed_.begin(), probed_.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    if (!recorded_.empty() && recorded_.back() >= num_cells_)
        throw user_error(source_location{model_.origin, 0, "record.voltage.gids"},
                         "gid " + std::to_string(recorded_.back()) + " does not exist");
}

std::size_t network_recipe::population_index(const std::string& name, const source_location& where) const {
    for (std::size_t i = 0; i < model_.populations.size(); ++i)
        if (model_.populations[i].name == name) return i;
    throw user_error(where, "no population is named '" + name + "'");
}

gid_ranges network_recipe::ranges_of(const std::vector<std::string>& names, const source_location& where) const {
    gid_ranges r;
    for (const auto& name : names) {
        const population_spec& p = model_.populations[population_index(name, where)];
        r.append(p.first_gid, p.size);
    }
    return r;
}

resolved_input network_recipe::resolve_input(const std::vector<std::string>& names,
                                             const source_location& where) const {
    resolved_input r;
    for (const auto& name : names) r.populations.push_back(population_index(name, where));
    return r;
}

// The loader checks all this with exact lines; a model built in C++ gets the
// checks that keep the samplers from failing.
void network_recipe::check_rule(const resolved_projection& p) const {
    const projection_spec& s = *p.spec;
    const bool self_excluded = p.autapses_possible && !s.allow_autapses;
    auto check_degree = [&](std::uint64_t pool, const char* key) {
        const std::uint64_t available = pool - (self_excluded ? 1 : 0);
        if ((s.count > 0 && available == 0) || (!s.allow_multapses && s.count > available))
            throw user_error(s.where, std::string(key) + " " + std::to_string(s.count) +
                                          " cannot be met: only " + std::to_string(available) +
                                          " distinct cells to choose from");
    };
    switch (s.rule) {
    case connection_rule::fixed_indegree: check_degree(p.sources.size(), "indegree"); break;
    case connection_rule::fixed_outdegree: check_degree(p.targets.size(), "outdegree"); break;
    case connection_rule::pairwise_bernoulli:
        if (!(s.probability >= 0 && s.probability <= 1))
            throw user_error(s.where, "p must be in [0, 1]");
        break;
    case connection_rule::one_to_one:
        if (p.sources.size() != p.targets.size())
            throw user_error(s.where, "one_to_one needs as many sources as targets");
        break;
    case connection_rule::all_to_all: break;
    case connection_rule::explicit_list:
        for (const auto& [src, tgt] : s.pairs())
            if (src >= num_cells_ || !p.targets.index_of(tgt))
                throw user_error(s.where, "explicit pair (" + std::to_string(src) + ", " + std::to_string(tgt) +
                                              ") is outside the projection's populations");
        break;
    }
    const bool positive_lognormal = s.delay.type == distribution::kind::lognormal && !s.delay.negative;
    if (!(lowest_value(s.delay) > 0) && !(positive_lognormal && lowest_value(s.delay) >= 0))
        throw user_error(s.where, "delays must be > 0 ms");
}

std::size_t network_recipe::population_of(gid_type gid) const {
    check_gid(gid);
    const auto it = std::upper_bound(model_.populations.begin(), model_.populations.end(), gid,
                                     [](gid_type g, const population_spec& p) { return g < p.first_gid; });
    return static_cast<std::size_t>(it - model_.populations.begin()) - 1;
}

cell_description network_recipe::cell(gid_type gid) const {
    const std::size_t i = population_of(gid);
    const population_spec& p = model_.populations[i];
    if (p.kind == cell_kind::cable) {
        cable_cell c = p.cable;
        const gid_type index = gid - p.first_gid;
        for (const auto& e : p.cable_events)
            if (e.cells.empty() || std::find(e.cells.begin(), e.cells.end(), index) != e.cells.end())
                c.events.push_back(e.event);
        // Stimuli given to chosen cells only (stimulus_cells: sorted indices).
        std::size_t kept = 0;
        for (std::size_t k = 0; k < c.stimuli.size(); ++k) {
            const bool every = k >= p.stimulus_cells.size() || p.stimulus_cells[k].empty();
            if (every || std::binary_search(p.stimulus_cells[k].begin(), p.stimulus_cells[k].end(), index))
                c.stimuli[kept++] = c.stimuli[k];
        }
        c.stimuli.resize(kept);
        return c;
    }
    if (p.kind == cell_kind::artificial) return p.artificial;
    if (p.kind == cell_kind::spike_source) {
        spike_source_cell c = p.source;
        if (!p.source_times.empty()) c.times = p.source_times[gid - p.first_gid];
        return c;
    }
    lif_cell c = p.lif;
    if (is_constant(p.v_init)) {
        c.V_init = p.v_init.a;
    } else {
        counter_rng rng(seed_, stream_purpose::initial_state, i, gid);
        c.V_init = draw(p.v_init, rng);
    }
    return c;
}

// ---- connections -------------------------------------------------------------

void network_recipe::build_explicit_table(const resolved_projection& p) const {
    // Stable counting sort of the pairs by target: keeps the file's order.
    const auto& pairs = p.spec->pairs();
    const bool per_pair = p.spec->connections &&
                          (!p.spec->connections->weights.empty() || !p.spec->connections->delays.empty());
    incoming_table& t = p.incoming;
    t.rows = {{0, p.targets.size(), 0}};
    t.offsets.assign(p.targets.size() + 1, 0);
    for (const auto& pr : pairs) ++t.offsets[*p.targets.index_of(pr.second) + 1];
    for (std::size_t i = 1; i < t.offsets.size(); ++i) t.offsets[i] += t.offsets[i - 1];
    t.sources.resize(pairs.size());
    if (per_pair) t.pair_of.resize(pairs.size());
    std::vector<std::uint64_t> fill(t.offsets.begin(), t.offsets.end() - 1);
    for (std::uint64_t k = 0; k < pairs.size(); ++k) {
        const std::uint64_t at = fill[*p.targets.index_of(pairs[k].second)]++;
        t.sources[at] = pairs[k].first;
        if (per_pair) t.pair_of[at] = k;
    }
}

void network_recipe::build_outdegree_table(const resolved_projection& p, incoming_table& t,
                                           gid_type first, gid_type last) const {
    // Each source draws its targets from its own stream. Two passes over the
    // sources (count, then fill) draw the same numbers twice instead of
    // holding every connection twice in memory. Sources are visited in gid
    // order, so each target's sources come out sorted. Only targets with
    // gids in [first, last) get a row.
    const projection_spec& s = *p.spec;
    const std::uint64_t n_targets = p.targets.size();
    std::uint64_t index = 0, rows = 0;
    for (const auto& [run_first, run_count] : p.targets.runs()) {
        const std::uint64_t lo = std::max<std::uint64_t>(run_first, first);
        const std::uint64_t hi = std::min<std::uint64_t>(std::uint64_t{run_first} + run_count, last);
        if (lo < hi) {
            t.rows.push_back({index + (lo - run_first), index + (hi - run_first), rows});
            rows += hi - lo;
        }
        index += run_count;
    }
    t.offsets.assign(rows + 1, 0);
    if (rows == 0) return;
    // Rows by target index, for the draws: dense over the held index span.
    const std::uint64_t span_first = t.rows.front().first, span_last = t.rows.back().last;
    constexpr std::uint64_t no_row = std::numeric_limits<std::uint64_t>::max();
    std::vector<std::uint64_t> row_of_index(span_last - span_first, no_row);
    for (const auto& r : t.rows)
        for (std::uint64_t x = r.first; x < r.last; ++x) row_of_index[x - span_first] = r.row + (x - r.first);
    auto row = [&](std::uint64_t x) {
        return x >= span_first && x < span_last ? row_of_index[x - span_first] : no_row;
    };
    std::vector<std::uint32_t> chosen; // target indices of one source
    chosen.reserve(s.count);
    auto draw_targets = [&](gid_type source) {
        chosen.clear();
        const auto self = s.allow_autapses ? std::nullopt : p.targets.index_of(source);
        const std::uint64_t pool = n_targets - (self ? 1 : 0);
        counter_rng rng(seed_, stream_purpose::connectivity, p.index, source);
        auto key = [](auto& x) -> auto& { return x; };
        if (s.allow_multapses)
            sample_with_repetition(rng, pool, s.count, chosen, key);
        else
            sample_without_repetition(rng, pool, s.count, chosen, key);
        if (self)
            for (auto& x : chosen) x += (x >= *self) ? 1 : 0; // skip the source itself
    };
    for (std::uint64_t i = 0; i < p.sources.size(); ++i) {
        draw_targets(p.sources.at(i));
        for (const auto x : chosen)
            if (const std::uint64_t r = row(x); r != no_row) ++t.offsets[r + 1];
    }
    for (std::size_t i = 1; i < t.offsets.size(); ++i) t.offsets[i] += t.offsets[i - 1];
    t.sources.resize(t.offsets.back());
    std::vector<std::uint64_t> fill(t.offsets.begin(), t.offsets.end() - 1);
    for (std::uint64_t i = 0; i < p.sources.size(); ++i) {
        const gid_type source = p.sources.at(i);
        draw_targets(source);
        for (const auto x : chosen)
            if (const std::uint64_t r = row(x); r != no_row) t.sources[fill[r]++] = source;
    }
}

incoming_row network_recipe::incoming(const resolved_projection& p, std::uint64_t target_index) const {
    if (p.spec->rule == connection_rule::fixed_outdegree)
        std::call_once(p.built, [&] { build_outdegree_table(p, p.incoming, asked_first_.load(), asked_last_.load()); });
    if (const auto r = p.incoming.row_of(target_index)) return {p.incoming, *r};
    // Asked outside what will_ask_about() announced: correct, at the cost of
    // the whole table.
    std::call_once(p.built_whole, [&] {
        build_outdegree_table(p, p.whole, 0, std::numeric_limits<gid_type>::max());
    });
    const auto r = p.whole.row_of(target_index);
    if (!r) throw internal_error("network_recipe: target index outside its projection");
    return {p.whole, *r};
}

std::uint64_t network_recipe::expected_count(const resolved_projection& p, gid_type,
                                             std::uint64_t target_index) const {
    const projection_spec& s = *p.spec;
    switch (s.rule) {
    case connection_rule::fixed_indegree: return s.count;
    case connection_rule::pairwise_bernoulli: {
        // Mean plus four standard deviations: rarely exceeded, then the vector grows once.
        const double n = static_cast<double>(p.sources.size());
        const double mean = n * s.probability;
        return static_cast<std::uint64_t>(mean + 4 * std::sqrt(mean * (1 - s.probability)) + 1);
    }
    case connection_rule::one_to_one: return 1;
    case connection_rule::all_to_all: return p.sources.size();
    case connection_rule::fixed_outdegree:
    case connection_rule::explicit_list: {
        const incoming_row r = incoming(p, target_index);
        return r.end() - r.begin();
    }
    }
    return 0;
}

void network_recipe::append_sources(const resolved_projection& p, gid_type gid, std::uint64_t target_index,
                                    std::vector<connection>& out) const {
    const projection_spec& s = *p.spec;
    const std::size_t begin = out.size();
    auto source_field = [](auto& c) -> auto& { return c.source; };
    // Sources are drawn as indices into the source set, then mapped to gids;
    // excluding the target itself is done by drawing from one index fewer
    // and stepping over its index, so no draw is ever rejected.
    const auto self = (p.autapses_possible && !s.allow_autapses) ? p.sources.index_of(gid) : std::nullopt;
    const std::uint64_t pool = p.sources.size() - (self ? 1 : 0);

    switch (s.rule) {
    case connection_rule::fixed_indegree: {
        counter_rng rng(seed_, stream_purpose::connectivity, p.index, gid);
        if (s.allow_multapses)
            sample_with_repetition(rng, pool, s.count, out, source_field);
        else
            sample_without_repetition(rng, pool, s.count, out, source_field);
        break;
    }
    case connection_rule::pairwise_bernoulli: {
        counter_rng rng(seed_, stream_purpose::connectivity, p.index, gid);
        sample_bernoulli(rng, pool, s.probability, out, source_field);
        break;
    }
    case connection_rule::one_to_one: {
        const gid_type source = p.sources.at(target_index);
        if (s.allow_autapses || source != gid) out.push_back({source, 0, 0, 0});
        break;
    }
    case connection_rule::all_to_all:
        out.resize(begin + pool);
        for (std::uint64_t i = 0; i < pool; ++i) out[begin + i].source = static_cast<gid_type>(i);
        break;
    case connection_rule::fixed_outdegree:
    case connection_rule::explicit_list: {
        // These tables hold gids already (as does one_to_one above).
        const incoming_row r = incoming(p, target_index);
        for (std::uint64_t k = r.begin(); k < r.end(); ++k) out.push_back({r.table.sources[k], 0, 0, 0});
        break;
    }
    }

    const bool holds_indices = s.rule == connection_rule::fixed_indegree ||
                               s.rule == connection_rule::pairwise_bernoulli ||
                               s.rule == connection_rule::all_to_all;
    if (holds_indices) {
        const bool one_range = p.sources.contiguous();
        const gid_type first = p.sources.first();
        for (std::size_t k = begin; k < out.size(); ++k) {
            std::uint64_t index = out[k].source;
            if (self && index >= *self) ++index;
            out[k].source = one_range ? static_cast<gid_type>(first + index) : p.sources.at(index);
        }
    }

    for (std::size_t k = begin; k < out.size(); ++k) {
        out[k].target_site = s.synapse;
        if (!s.extra_weights.empty()) out[k].extra_weights = s.extra_weights;
    }
    if (s.rule == connection_rule::explicit_list && !p.incoming.pair_of.empty()) {
        // Weights or delays given per pair; the other one, if a
        // distribution, is drawn as for any projection.
        const explicit_connections& c = *s.connections;
        const incoming_row r = incoming(p, target_index);
        counter_rng rng(seed_, stream_purpose::weights, p.index, gid);
        for (std::size_t k = begin; k < out.size(); ++k) {
            const std::uint64_t pair = r.table.pair_of[r.begin() + (k - begin)];
            out[k].weight = !c.weights.empty() ? c.weights[pair] : draw(s.weight, rng);
            out[k].delay = !c.delays.empty() ? c.delays[pair] : draw(s.delay, rng);
        }
    } else if (is_constant(s.weight) && is_constant(s.delay)) {
        for (std::size_t k = begin; k < out.size(); ++k) {
            out[k].weight = s.weight.a;
            out[k].delay = s.delay.a;
        }
    } else {
        counter_rng rng(seed_, stream_purpose::weights, p.index, gid);
        for (std::size_t k = begin; k < out.size(); ++k) {
            out[k].weight = draw(s.weight, rng);
            out[k].delay = draw(s.delay, rng);
        }
    }
}

std::vector<connection> network_recipe::connections_on(gid_type gid) const {
    check_gid(gid);
    std::uint64_t expected = 0;
    for (const auto& p : projections_)
        if (const auto t = p->targets.index_of(gid)) expected += expected_count(*p, gid, *t);
    std::vector<connection> out;
    out.reserve(expected);
    for (const auto& p : projections_)
        if (const auto t = p->targets.index_of(gid)) append_sources(*p, gid, *t, out);
    return out;
}

// ---- expected activity (for the decomposition's cost estimate) ---------------
// Answered from the rules: a fixed_outdegree projection's expectation needs
// no table (each source picks `count` of the targets at random), so asking
// about every gid before will_ask_about() builds nothing.

double network_recipe::mean_rate_of(const std::vector<std::string>& populations,
                                    const source_location& where) const {
    double sum = 0, cells = 0;
    for (const auto& name : populations) {
        const std::size_t i = population_index(name, where);
        const double size = static_cast<double>(model_.populations[i].size);
        sum += population_rate_[i] * size;
        cells += size;
    }
    return cells > 0 ? sum / cells : 0.0;
}

double network_recipe::expected_firing_rate(gid_type gid) const {
    const std::size_t i = population_of(gid);
    // Spikes read from a file differ per cell; every other population's
    // cells share one expected rate.
    if (!model_.populations[i].source_times.empty()) return recipe::expected_firing_rate(gid);
    return population_rate_[i];
}

// The expected rate (Hz) of events projection p brings to target gid.
double network_recipe::expected_rate_through(const resolved_projection& p, gid_type gid,
                                             std::uint64_t target_index) const {
    const projection_spec& s = *p.spec;
    const bool self = p.autapses_possible && !s.allow_autapses && p.sources.index_of(gid);
    const double sources = static_cast<double>(p.sources.size()) - (self ? 1.0 : 0.0);
    switch (s.rule) {
    case connection_rule::fixed_indegree: return static_cast<double>(s.count) * p.mean_source_rate;
    case connection_rule::pairwise_bernoulli: return sources * s.probability * p.mean_source_rate;
    case connection_rule::all_to_all: return sources * p.mean_source_rate;
    case connection_rule::fixed_outdegree: {
        // Each source other than gid picks `count` of the other targets.
        const double targets = static_cast<double>(p.targets.size()) - (self ? 1.0 : 0.0);
        return targets > 0 ? sources * static_cast<double>(s.count) / targets * p.mean_source_rate : 0.0;
    }
    case connection_rule::one_to_one: {
        const gid_type source = p.sources.at(target_index);
        return (s.allow_autapses || source != gid) ? expected_firing_rate(source) : 0.0;
    }
    case connection_rule::explicit_list: {
        // Built in the constructor for every target: exact at no extra cost.
        const incoming_row r = incoming(p, target_index);
        double rate = 0;
        for (std::uint64_t k = r.begin(); k < r.end(); ++k) rate += expected_firing_rate(r.table.sources[k]);
        return rate;
    }
    }
    return 0.0;
}

double network_recipe::expected_connection_rate(gid_type gid) const {
    double rate = 0;
    for (const auto& p : projections_)
        if (const auto t = p->targets.index_of(gid)) rate += expected_rate_through(*p, gid, *t);
    return rate;
}

// ---- inputs and probes -------------------------------------------------------

std::vector<poisson_input> network_recipe::poisson_inputs_on(gid_type gid) const {
    const std::size_t pop = population_of(gid);
    std::vector<poisson_input> out;
    for (std::size_t i = 0; i < model_.poisson_inputs.size(); ++i) {
        if (!poisson_targets_[i].targets(pop)) continue;
        const poisson_spec& s = model_.poisson_inputs[i];
        if (!s.gids.empty() && !std::binary_search(s.gids.begin(), s.gids.end(), gid)) continue;
        // `count` independent trains of one rate merge into one train.
        out.push_back({s.rate * static_cast<double>(s.count), s.weight, s.start, s.stop, 0});
    }
    return out;
}

std::vector<current_input> network_recipe::current_inputs_on(gid_type gid) const {
    const std::size_t pop = population_of(gid);
    std::vector<current_input> out;
    for (std::size_t i = 0; i < model_.currents.size(); ++i)
        if (current_targets_[i].targets(pop) &&
            (model_.currents[i].gids.empty() ||
             std::binary_search(model_.currents[i].gids.begin(), model_.currents[i].gids.end(), gid)))
            out.push_back(model_.currents[i].current);
    return out;
}

std::vector<probe> network_recipe::probes_on(gid_type gid) const {
    check_gid(gid);
    std::vector<probe> out;
    // The voltage probe first (index 0); on a cable cell an empty location
    // means the detector's location. Then [record] probes in file order.
    if (std::binary_search(recorded_.begin(), recorded_.end(), gid))
        out.push_back(probe{"v", model_.record.voltage_interval, ""});
    const auto range = std::equal_range(probed_.begin(), probed_.end(), std::pair<gid_type, const probe*>{gid, nullptr},
                                        [](const auto& a, const auto& b) { return a.first < b.first; });
    for (auto it = range.first; it != range.second; ++it) out.push_back(*it->second);
    return out;
}

} // namespace

std::unique_ptr<recipe> make_recipe(const network_model& model, std::uint64_t seed) {
    return std::make_unique<network_recipe>(model, seed);
}

} // namespace ranvier
