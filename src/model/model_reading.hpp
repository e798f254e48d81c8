// Pieces of the model file reader shared by its files: reading a quantity or
// a distribution, looking populations up by name, and the readers of each
// kind of table. The entry points are in model_loader.cpp.
#pragma once

#include "model/toml_reader.hpp"

#include <ranvier/model_builder.hpp>
#include <ranvier/network_model.hpp>
#include <ranvier/units.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace ranvier {

// What the table readers need to know about the network read so far: every
// [[population]] is read before anything else. (Nothing here depends on how
// the network will be run: see check_run_options.)
class model_reading_context {
public:
    explicit model_reading_context(const network_model& model) : model_(model) {}

    const network_model& model() const { return model_; }

    // The populations named under `key` (a name or a list of names), in the
    // order given; unknown names are an error listing the existing ones.
    std::vector<const population_spec*> resolve_populations(const toml_table_reader& r,
                                                           std::string_view key) const;
    // The unit of weights onto `targets`: voltage for delta synapses, current
    // for exp/alpha, conductance for cable cells; a mix is an error naming `key` of `r`.
    dimension weight_dimension(const toml_table_reader& r, std::string_view key,
                               const std::vector<const population_spec*>& targets) const;
    // Runs read(dimension) for a weight onto `targets`; a unit error gets a
    // note saying which synapse kind decides the unit.
    template <class Read>
    auto read_weight(const toml_table_reader& r, const std::vector<const population_spec*>& targets,
                     Read read) const {
        const dimension d = weight_dimension(r, "target", targets);
        try {
            return read(d);
        } catch (const user_error& e) {
            if (std::string(e.what()).find("expected a") == std::string::npos) throw;
            if (d == dimension::conductance)
                rethrow_with_hint(e, "(weights onto cable cells, as in population '" + targets.front()->name +
                                         "', are synaptic conductances such as \"0.01 uS\")");
            rethrow_with_hint(e, "(weights onto " + to_string(targets.front()->lif.synapse) +
                                     " synapses, as in population '" + targets.front()->name + "', are " +
                                     (d == dimension::voltage ? "voltages" : "currents") + ")");
        }
    }
    // The population gid `gid` belongs to (which must exist).
    const population_spec& population_of(gid_type gid) const;
    // Every delay must be > 0 (at least dt in the fixed-step modes: check_run_options).
    void check_delay(const toml_table_reader& r, std::string_view key, const distribution& delay) const;

private:
    const network_model& model_;
};

// A constant written as a quantity ("0.1 mV") or a distribution table
// ({ distribution = "uniform", low = "0 mV", high = "20 mV" }, ...).
distribution read_distribution(const toml_table_reader& r, std::string_view key, dimension d);

// An array of quantities, e.g. times = ["0 ms", "100 ms"]; not empty.
std::vector<double> read_quantity_list(const toml_table_reader& r, std::string_view key, dimension d);

// `key` = [i, ...]: indices into the concatenated `populations`, as sorted
// distinct gids (empty if the key is absent: every cell).
std::vector<gid_type> read_cells(const toml_table_reader& r, std::string_view key,
                                 const std::vector<const population_spec*>& populations);

// A [[population]]; its gids start at `first_gid`. `mechanisms`: what its
// cable cells may name (network_model::mechanisms). `spikes`: a spike_source
// population's times given as arrays by a program (model_builder) instead of
// the table's `times` or `spikes`.
population_spec read_population(const toml_table_reader& r, gid_type first_gid,
                                const cable::mechanism_catalogue& mechanisms,
                                const spike_time_arrays* spikes = nullptr);
// The spike-source part of a population (cell = "poisson_source" or
// "spike_source"); `p` has name, size, first gid and where.
population_spec read_source_population(const toml_table_reader& r, population_spec p,
                                       const spike_time_arrays* spikes = nullptr);
// Spike sources take no connections or inputs: an error naming `key` of `r`
// if any of `targets` is a spike-source population.
void reject_source_targets(const toml_table_reader& r, std::string_view key,
                           const std::vector<const population_spec*>& targets);
// The mechanism named under "mechanism" of `r` and every other key (except
// "mechanism" and `reserved`) as one of its parameters, checked against the
// catalogue's declaration and converted to the declared unit.
std::pair<std::string, mechanism_parameters>
read_mechanism(const toml_table_reader& r, const std::vector<std::string>& reserved,
               const cable::mechanism_catalogue& catalogue);
// The artificial-cell part of a population (cell = "artificial"); `p` has
// name, size, first gid and where.
population_spec read_artificial_population(const toml_table_reader& r, population_spec p,
                                           const cable::mechanism_catalogue& mechanisms);
// The cable part of a population (cell = "cable"); `p` has name, size and where.
population_spec read_cable_population(const toml_table_reader& r, population_spec p,
                                      const cable::mechanism_catalogue& mechanisms);
// `arrays`: the pairs (and per-pair weights, delays) of an explicit projection
// built by a program (model_builder) instead of the table's `pairs`.
projection_spec read_projection(const toml_table_reader& r, const model_reading_context& context,
                                const explicit_arrays* arrays = nullptr);

// Explicit pairs of indices into the concatenated source and target
// populations, turned into gids with the checks every explicit pair gets.
class explicit_pair_checker {
public:
    explicit_pair_checker(const projection_spec& spec, const std::vector<const population_spec*>& sources,
                          const std::vector<const population_spec*>& targets);
    // `which` prefixes the message ("connection 7: ").
    std::pair<gid_type, gid_type> gids(std::int64_t source, std::int64_t target, const source_location& at,
                                       const std::string& which) const;
    // Without multapses, no pair may be given twice.
    void no_repeats(const std::vector<std::pair<gid_type, gid_type>>& pairs, const source_location& at) const;

private:
    const projection_spec& spec_;
    const std::vector<const population_spec*>& sources_;
    const std::vector<const population_spec*>& targets_;
    std::uint64_t n_source_, n_target_;
};
poisson_spec read_poisson(const toml_table_reader& r, const model_reading_context& context);
current_spec read_current(const toml_table_reader& r, const model_reading_context& context);
record_spec read_record(const toml_table_reader& r, const model_reading_context& context);

// Adds a population read by read_population to `model`: its gids follow the
// earlier populations'; names must be unique and the gids must fit.
void append_population(network_model& model, population_spec p, const std::string& origin);
// The TOML document of model-file text (UTF-8 checked; a syntax error is a
// user_error naming `origin` and the line).
toml_value parse_toml_document(const std::string& text, const std::string& origin);
// Reads [simulation] into t_stop and the options of `file` (atol_scale names
// states of file.network.mechanisms).
void read_simulation(const toml_table_reader& r, model_file& file);
// mechanisms = ["dir", ...] (`key` of `r`; paths relative to the directory of
// `base`, a file): sets model.mechanism_dirs and model.mechanisms, building
// the catalogues that are not built yet (docs/nmodl.md).
void read_mechanisms(const toml_table_reader& r, std::string_view key, const std::string& base,
                     network_model& model);

} // namespace ranvier
