// A network described by populations and connection rules (what a model file
// holds), and the recipe that expands it per gid. Every value is in Ranvier's
// canonical units (ms, mV, pA, pF, Hz), except the cable parts, which follow
// include/ranvier/cable_cell.hpp (mechanism parameters in their declared
// units, weights onto cable cells in uS); model files are converted on load.
#pragma once

#include <ranvier/errors.hpp>
#include <ranvier/recipe.hpp>
#include <ranvier/simulation_options.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace ranvier {

// A scalar drawn independently per item (per cell, per connection).
struct distribution {
    enum class kind { constant, uniform, normal, lognormal };
    kind type = kind::constant;
    double a = 0; // constant: value; uniform: low; normal: mean; lognormal: mu of log
    double b = 0; // uniform: high; normal: std; lognormal: sigma of log
    // Optional bounds: draws outside [low, high] are redrawn (normal, lognormal).
    std::optional<double> low, high;
    // lognormal only: the draw is negated, for negative values such as
    // inhibitory weights (mu and sigma then describe the magnitude).
    bool negative = false;

    static distribution constant(double v) { return {kind::constant, v, 0, {}, {}}; }
};

// An external event onto cable cells of a population (model file: events).
struct cable_event_spec {
    cable_scheduled_event event;
    std::vector<gid_type> cells; // indices within the population; empty: every cell
};

struct population_spec {
    std::string name;
    gid_type size = 0;
    gid_type first_gid = 0; // assigned in declaration order
    cell_kind kind = cell_kind::lif;
    lif_cell lif;           // kind lif; V_init is overridden by v_init below
    cable_cell cable;       // kind cable: every cell of the population is this one,
                            // plus the events of cable_events that select it
    std::vector<cable_event_spec> cable_events;
    // kind cable: the cells (indices within the population, sorted, distinct)
    // that get cable.stimuli[k]; an empty list or a missing entry: every cell.
    std::vector<std::vector<gid_type>> stimulus_cells;
    spike_source_cell source;  // kind spike_source: every cell's rate, start, stop, times
    // kind spike_source with a file of spikes: the times of each cell (by
    // index in the population), replacing source.times; empty otherwise.
    std::vector<std::vector<double>> source_times;
    artificial_cell artificial; // kind artificial: every cell's mechanism and parameters
    distribution v_init = distribution::constant(-70.0); // mV
    source_location where;
};

// The connections of an explicit projection, shared by the copies of a model
// (10^7 of them take 240 MB): pairs of gids and, if given, one weight and one
// delay per pair in the projection's units.
struct explicit_connections {
    std::vector<std::pair<gid_type, gid_type>> pairs; // (source gid, target gid), in the order given
    std::vector<double> weights; // one per pair, or empty: the projection's weight
    std::vector<double> delays;  // one per pair (ms), or empty: the projection's delay
};

enum class connection_rule {
    fixed_indegree,   // each target draws `count` sources
    fixed_outdegree,  // each source draws `count` targets
    pairwise_bernoulli, // each (source, target) pair with probability p
    one_to_one,       // i-th source onto i-th target (equal sizes)
    all_to_all,
    explicit_list     // the pairs given
};

struct projection_spec {
    std::vector<std::string> sources; // population names (concatenated in order)
    std::vector<std::string> targets; // population names (concatenated in order)
    connection_rule rule = connection_rule::all_to_all;
    std::uint64_t count = 0;    // fixed_indegree / fixed_outdegree
    double probability = 0;     // pairwise_bernoulli
    bool allow_autapses = true; // a cell onto itself
    bool allow_multapses = true; // repeated pairs (fixed in/out-degree)
    std::shared_ptr<const explicit_connections> connections; // explicit_list (null: none)
    site_index synapse = 0;     // target site: a cable cell's synapse index (0 for LIF)
    distribution weight = distribution::constant(0); // mV or pA by LIF synapse kind; uS onto cable cells
    distribution delay = distribution::constant(1);  // ms
    // NET_RECEIVE's further arguments of every connection (connection::extra_weights).
    std::vector<double> extra_weights;
    source_location where;
    source_location delay_where; // of its delay (checked against dt: check_run_options)

    // explicit_list: the pairs (empty if there are none).
    const std::vector<std::pair<gid_type, gid_type>>& pairs() const {
        static const std::vector<std::pair<gid_type, gid_type>> none;
        return connections ? connections->pairs : none;
    }
};

struct poisson_spec {
    std::vector<std::string> targets;
    double rate = 0;     // Hz, per independent source
    std::uint64_t count = 1; // independent sources per target (merged: rate*count)
    double weight = 0;   // mV or pA
    double start = 0, stop = time_infinity; // ms
    // The chosen cells (model file: `cells`, indices into the concatenated
    // targets), as sorted distinct gids; empty: every cell of the targets.
    std::vector<gid_type> gids;
    source_location where;
};

struct current_spec {
    std::vector<std::string> targets;
    current_input current; // pA
    std::vector<gid_type> gids; // as poisson_spec::gids
    source_location where;
};

// A probe of [record] probes: `variable` at `location` of every cell in `gids`.
struct probe_spec {
    std::vector<gid_type> gids;
    probe what; // variable, interval (ms), location ("" = the detector's on cable cells)
    source_location interval_where;
};

struct record_spec {
    bool spikes = true;
    // With spikes: the populations whose spikes are kept (model file: spikes =
    // ["E"]); empty: every population.
    std::vector<std::string> spike_populations;
    std::vector<gid_type> voltage_gids;
    double voltage_interval = 0.1; // ms
    source_location voltage_interval_where;
    std::vector<probe_spec> probes; // after the voltage probe, in file order
};

// The network: what it is made of, not how it is run.
struct network_model {
    std::string origin;       // file path, or "builtin:brunel"
    // mechanisms = ["mod/", ...]: the directories of .mod files (absolute
    // paths), and the catalogue they give with the built-ins (null: only
    // the built-ins), which the recipe hands to the engine.
    std::vector<std::string> mechanism_dirs;
    std::shared_ptr<const cable::mechanism_catalogue> mechanisms;
    std::vector<population_spec> populations;
    std::vector<projection_spec> projections;
    std::vector<poisson_spec> poisson_inputs;
    std::vector<current_spec> currents;
    record_spec record;

    gid_type num_cells() const;
};

// Which spikes [record] keeps (every cell's, none, or those of chosen
// populations), for the outputs: the engine counts every spike regardless.
class spike_record_filter {
public:
    explicit spike_record_filter(const network_model& network) : all_(network.record.spikes) {
        if (!network.record.spikes || network.record.spike_populations.empty()) return;
        all_ = false;
        for (const population_spec& p : network.populations)
            for (const std::string& name : network.record.spike_populations)
                if (p.name == name) ranges_.emplace_back(p.first_gid, p.first_gid + p.size);
    }
    bool all() const { return all_; }
    bool keeps(gid_type gid) const {
        if (all_) return true;
        for (const auto& [begin, end] : ranges_)
            if (gid >= begin && gid < end) return true;
        return false;
    }
    // The kept spikes of `in` (in order) into `out` (cleared first).
    void select(std::span<const spike> in, std::vector<spike>& out) const {
        out.clear();
        for (const spike& s : in)
            if (keeps(s.gid)) out.push_back(s);
    }

private:
    bool all_;
    std::vector<std::pair<gid_type, gid_type>> ranges_; // [first gid, end) of each kept population
};

// What a model file holds: the network, and how its [simulation] table asks
// for it to be run (the command line and Python may change that before
// running).
struct model_file {
    network_model network;
    double t_stop = 1000.0; // ms
    simulation_options options;
    // The model-file text it was read from (shared by copies), for
    // model_file_to_toml (include/ranvier/model_builder.hpp); null for a
    // model built by a program or read by load_model_file/parse_model_file
    // (the *_with_text readers keep it).
    std::shared_ptr<const std::string> text;
};

// Parses and validates a TOML model file (reference: docs/model-file.md),
// including check_run_options with the file's own options.
// Throws user_error naming file, line and key for anything wrong.
model_file load_model_file(const std::string& path);
// The same, from text; `origin` is used in error messages.
model_file parse_model_file(const std::string& text, const std::string& origin);
// The same, keeping the text in model_file::text for model_file_to_toml
// (the Python module's load_model and parse_model); the text stays in
// memory as long as the model and its copies.
model_file load_model_file_with_text(const std::string& path);
model_file parse_model_file_with_text(const std::string& text, const std::string& origin);
// The built-in default model: examples/brunel.toml compiled into the binary.
model_file builtin_brunel_model();

// What depends on both the network and how it is run, named by file, line
// and key: in the fixed-step modes every delay must be at least dt and every
// sampling interval a whole number of steps. Call it again after changing dt
// or the mode (the command line and Python do). The simulation checks the
// same per gid for any recipe, without the file's locations.
void check_run_options(const network_model& network, const simulation_options& options);

// The recipe of a network: expands populations and rules per gid.
// Connections depend only on (seed, projection, gid), never on decomposition.
std::unique_ptr<recipe> make_recipe(const network_model& network, std::uint64_t seed);
inline std::unique_ptr<recipe> make_recipe(const model_file& file) {
    return make_recipe(file.network, file.options.seed);
}

} // namespace ranvier
