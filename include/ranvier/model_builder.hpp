// A model built table by table from a program (the Python module), read by
// the model file's own readers: every table is checked when it is added,
// with the model file's messages, and the model can be written back as a
// model file that reads back identically (to_toml).
//
// The tables are the model file's tables (docs/model-file.md) as values:
// strings with units ("20 ms"), numbers, booleans, lists and tables. Only
// explicit connections take another path: arrays of indices, weights and
// delays (add_explicit_projection), which never become per-connection values.
#pragma once

#include <ranvier/network_model.hpp>

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace ranvier {

struct model_value;
// A table's keys and values, in the order given (written in that order).
using model_table = std::vector<std::pair<std::string, model_value>>;
using model_list = std::vector<model_value>;

// One value of a model-file table: TOML's boolean, integer, float, string,
// array and table.
struct model_value {
    std::variant<bool, std::int64_t, double, std::string, model_list, model_table> value;

    model_value() : value(false) {}
    model_value(bool b) : value(b) {}
    model_value(std::int64_t i) : value(i) {}
    model_value(int i) : value(static_cast<std::int64_t>(i)) {}
    model_value(double d) : value(d) {}
    model_value(std::string s) : value(std::move(s)) {}
    model_value(const char* s) : value(std::string(s)) {}
    model_value(model_list l) : value(std::move(l)) {}
    model_value(model_table t) : value(std::move(t)) {}
};

// Explicit connections given as arrays: indices into the concatenated source
// and target populations (as `pairs` in a model file), and optionally one
// weight and one delay per connection written in `weight_unit` and
// `delay_unit` ("mV", "nS", "ms"; the dimension the targets call for).
struct explicit_arrays {
    std::span<const std::int64_t> sources, targets;
    std::span<const double> weights; // empty: the table's `weight` for every pair
    std::span<const double> delays;  // empty: the table's `delay` for every pair
    std::string weight_unit, delay_unit;
};

// Spike times of a spike_source population given as arrays: spike k is at
// times[k] (in `unit`, e.g. "ms") on the cell cells[k] (an index within the
// population). Any order; each cell's times keep the order given.
struct spike_time_arrays {
    std::span<const std::int64_t> cells;
    std::span<const double> times;
    std::string unit = "ms";
};

class model_builder {
public:
    // `origin` names the model in messages (e.g. "<python>"); each table's
    // errors are located at `where` given to the add_* call instead, such as
    // "add_population('E')", followed by the key: "'population.tau_m': ...".
    explicit model_builder(std::string origin = "<python>");
    ~model_builder();
    model_builder(const model_builder&);
    model_builder& operator=(const model_builder&);

    // mechanisms = [...]: directories of .mod files (relative to the working
    // directory) whose mechanisms the cable populations may use; built on
    // first use (include/ranvier/mechanisms.hpp). Give them before the first
    // population and before [simulation] if its atol_scale names them.
    void set_mechanisms(const std::vector<std::string>& dirs, const std::string& where);
    // [simulation]: replaces the previous one (t_stop and the options).
    void set_simulation(const model_table& table, const std::string& where);
    // A [[population]]; its gids follow the earlier populations'.
    void add_population(const model_table& table, const std::string& where);
    // A [[projection]] of any rule.
    void add_projection(const model_table& table, const std::string& where);
    // A [[projection]] with rule = "explicit" whose pairs (and per-pair
    // weights and delays) come from arrays; `table` holds the other keys
    // (source, target, weight and delay unless arrays give them, synapse,
    // allow_autapses, allow_multapses). Checked as the model file's pairs.
    void add_explicit_projection(const model_table& table, const explicit_arrays& arrays,
                                 const std::string& where);
    // A [[population]] with cell = "spike_source" whose per-cell spike times
    // come from arrays; `table` holds name and size (no times or spikes).
    // to_toml writes them inline: spikes = { cells = [...], times = [...], unit = "ms" }.
    void add_spike_source(const model_table& table, const spike_time_arrays& spikes, const std::string& where);
    void add_poisson(const model_table& table, const std::string& where);
    void add_current(const model_table& table, const std::string& where);
    // [record]: replaces the previous one.
    void set_record(const model_table& table, const std::string& where);

    // The model so far (checked with check_run_options by to_model_file).
    const model_file& model() const { return model_; }
    model_file to_model_file() const;
    // The model as model-file text; parse_model_file(to_toml()) gives the
    // same network, options and t_stop.
    std::string to_toml() const;

private:
    struct written; // the tables as given, for to_toml
    model_file model_;
    std::unique_ptr<written> written_;
};

// A model read from a model file (load_model_file, parse_model_file) written
// back as model-file text that parse_model_file reads as the same network:
// its tables as read, [simulation] from the model's current t_stop and
// options (which a program may have changed), and the paths of SWC and
// spike files made absolute (resolved against the model file's folder, as
// the reader resolves them), so the text reads back from any folder.
// Throws user_error for a model that was not read from text.
std::string model_file_to_toml(const model_file& model);

} // namespace ranvier
