// Reading one [[population]] table: size, cell kind and LIF parameters.
#include "model/model_reading.hpp"

#include <ranvier/lif_cell.hpp>

#include <limits>

namespace ranvier {
namespace {

lif_synapse read_synapse(const toml_table_reader& r) {
    const std::string name = r.get_string("synapse", "delta");
    if (name == "delta") return lif_synapse::delta;
    if (name == "exp") return lif_synapse::exp;
    if (name == "alpha") return lif_synapse::alpha;
    const std::string suggestion = closest_word(name, {"delta", "exp", "alpha"});
    r.fail("synapse", "unknown synapse kind '" + name + "'" +
                          (suggestion.empty() ? "" : "; did you mean '" + suggestion + "'?") +
                          " (valid: delta, exp, alpha)");
}

void require_positive(const toml_table_reader& r, std::string_view key, double value) {
    if (!(value > 0)) r.fail(key, "must be > 0");
}

} // namespace

population_spec read_population(const toml_table_reader& r, gid_type first_gid,
                                const cable::mechanism_catalogue& mechanisms, const spike_time_arrays* spikes) {
    const std::string kind = r.get_string("cell", "lif");
    if (spikes && kind != "spike_source")
        r.fail("cell", "spike times given as arrays need cell = \"spike_source\", got '" + kind + "'");
    if (kind == "cable" || kind == "poisson_source" || kind == "spike_source" || kind == "artificial") {
        population_spec p;
        p.where = r.where("");
        p.name = r.get_string("name");
        if (p.name.empty()) r.fail("name", "must not be empty");
        p.where.key = "population '" + p.name + "'";
        p.size = static_cast<gid_type>(r.get_integer("size", 1, std::numeric_limits<gid_type>::max() - 1));
        p.first_gid = first_gid;
        if (kind == "artificial") return read_artificial_population(r, std::move(p), mechanisms);
        return kind == "cable" ? read_cable_population(r, std::move(p), mechanisms)
                               : read_source_population(r, std::move(p), spikes);
    }
    if (kind != "lif") {
        const std::string suggestion = closest_word(kind, {"lif", "cable", "poisson_source", "spike_source", "artificial"});
        r.fail("cell", "unknown cell kind '" + kind + "'" +
                           (suggestion.empty() ? "" : "; did you mean '" + suggestion + "'?") +
                           " (valid: lif, cable, poisson_source, spike_source, artificial)");
    }
    r.reject_unknown_keys({"name", "size", "cell", "synapse", "tau_m", "C_m", "E_L", "V_th", "V_reset",
                           "t_ref", "I_e", "tau_syn_ex", "tau_syn_in", "V_init"});
    population_spec p;
    p.where = r.where("");
    p.name = r.get_string("name");
    if (p.name.empty()) r.fail("name", "must not be empty");
    p.where.key = "population '" + p.name + "'";
    p.size = static_cast<gid_type>(
        r.get_integer("size", 1, std::numeric_limits<gid_type>::max() - 1));

    lif_cell& c = p.lif;
    c.synapse = read_synapse(r);
    c.tau_m = r.get_quantity("tau_m", dimension::time, c.tau_m);
    c.C_m = r.get_quantity("C_m", dimension::capacitance, c.C_m);
    c.E_L = r.get_quantity("E_L", dimension::voltage, c.E_L);
    c.V_th = r.get_quantity("V_th", dimension::voltage, c.V_th);
    c.V_reset = r.get_quantity("V_reset", dimension::voltage, c.V_reset);
    c.t_ref = r.get_quantity("t_ref", dimension::time, c.t_ref);
    c.I_e = r.get_quantity("I_e", dimension::current, c.I_e);
    c.tau_syn_ex = r.get_quantity("tau_syn_ex", dimension::time, c.tau_syn_ex);
    c.tau_syn_in = r.get_quantity("tau_syn_in", dimension::time, c.tau_syn_in);

    require_positive(r, "tau_m", c.tau_m);
    require_positive(r, "C_m", c.C_m);
    require_positive(r, "tau_syn_ex", c.tau_syn_ex);
    require_positive(r, "tau_syn_in", c.tau_syn_in);
    if (c.t_ref < 0) r.fail("t_ref", "must be >= 0");
    if (!(c.V_reset < c.V_th))
        r.fail(r.has("V_reset") ? "V_reset" : "V_th",
               "V_reset (" + format_number(c.V_reset) + " mV) must be below V_th (" +
                   format_number(c.V_th) + " mV)");
    // Synaptic time constants only act with current synapses: giving them
    // with delta synapses usually means `synapse = "exp"` was forgotten.
    if (c.synapse == lif_synapse::delta)
        for (const char* key : {"tau_syn_ex", "tau_syn_in"})
            if (r.has(key))
                r.fail(key, "has no effect with synapse = \"delta\": remove it, or set synapse = "
                            "\"exp\" or \"alpha\"");

    // The initial potential defaults to the resting potential.
    p.v_init = r.has("V_init") ? read_distribution(r, "V_init", dimension::voltage)
                               : distribution::constant(c.E_L);
    c.V_init = p.v_init.a;
    // A second line of defence, with the cells' own rules.
    validate(c, user_error::format(p.where, ""));
    return p;
}

} // namespace ranvier
