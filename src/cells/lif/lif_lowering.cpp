#include "cells/lif/lif_lowering.hpp"

#include <ranvier/errors.hpp>

#include <cmath>
#include <string>
#include <variant>

namespace ranvier::lif {

namespace {
std::string cell_name(gid_type gid) { return "cell " + std::to_string(gid); }
} // namespace

lif_synapse group_synapse_kind(const recipe& model, std::span<const gid_type> gids) {
    if (gids.empty()) return lif_synapse::delta;
    const auto description = model.cell(gids.front());
    const auto* cell = std::get_if<lif_cell>(&description);
    if (!cell) throw internal_error("LIF group built on cell " + std::to_string(gids.front()) +
                                    ", which is not a LIF cell");
    return cell->synapse;
}

lif_cell group_cell(const recipe& model, gid_type gid, lif_synapse kind, const char* group) {
    const auto description = model.cell(gid);
    const auto* cell = std::get_if<lif_cell>(&description);
    if (!cell || cell->synapse != kind)
        throw internal_error(std::string(group) + ": gid " + std::to_string(gid) +
                             " is not a LIF cell of the group's synapse kind");
    validate(*cell, cell_name(gid));
    return *cell;
}

std::vector<poisson_source> poisson_sources(const recipe& model, gid_type gid) {
    std::vector<poisson_source> out;
    const auto inputs = model.poisson_inputs_on(gid);
    for (std::size_t k = 0; k < inputs.size(); ++k) {
        const poisson_input& in = inputs[k];
        const std::string where = cell_name(gid) + ", Poisson input " + std::to_string(k);
        if (!(in.rate >= 0) || !std::isfinite(in.rate))
            throw user_error(where + ": rate must be a finite number >= 0 Hz");
        if (!std::isfinite(in.weight)) throw user_error(where + ": weight must be a finite number");
        if (in.target_site != 0) throw user_error(where + ": a point neuron has only site 0");
        if (in.rate == 0 || in.weight == 0) continue;
        out.push_back({static_cast<std::uint32_t>(k), in.rate, in.weight, in.start, in.stop});
    }
    return out;
}

std::vector<current_step> current_steps(const recipe& model, gid_type gid) {
    std::vector<current_step> out;
    for (const current_input& in : model.current_inputs_on(gid)) {
        if (in.time.size() != in.amplitude.size())
            throw user_error(cell_name(gid) + ": current input needs as many times as amplitudes");
        double previous = 0.0;
        for (std::size_t k = 0; k < in.time.size(); ++k) {
            if (k > 0 && !(in.time[k] > in.time[k - 1]))
                throw user_error(cell_name(gid) + ": current input times must be strictly increasing");
            out.push_back({in.time[k], in.amplitude[k] - previous});
            previous = in.amplitude[k];
        }
    }
    return out;
}

std::string probe_name(gid_type gid, std::uint32_t index, const std::string& variable) {
    return cell_name(gid) + ": probe " + std::to_string(index) + " ('" + variable + "')";
}

std::vector<voltage_probe> voltage_probes(const recipe& model, gid_type gid) {
    std::vector<voltage_probe> out;
    const auto probes = model.probes_on(gid);
    const bool currents = std::get<lif_cell>(model.cell(gid)).synapse != lif_synapse::delta;
    const std::string valid = currents ? "'v', 'I_syn_ex' and 'I_syn_in' (pA)"
                                       : "'v' (with delta synapses inputs jump v: no synaptic current)";
    for (std::uint32_t k = 0; k < probes.size(); ++k) {
        const std::string& name = probes[k].variable;
        lif_variable variable = lif_variable::v;
        if (name == "I_syn_ex" && currents) variable = lif_variable::I_syn_ex;
        else if (name == "I_syn_in" && currents) variable = lif_variable::I_syn_in;
        else if (name != "v")
            throw user_error(cell_name(gid) + ": a LIF neuron has no '" + name + "' to probe; it has " + valid);
        if (!(probes[k].interval > 0) || !std::isfinite(probes[k].interval))
            throw user_error(probe_name(gid, k, name) + ": interval must be a positive number of ms, got " +
                             std::to_string(probes[k].interval));
        out.push_back({k, probes[k].interval, variable});
    }
    return out;
}

} // namespace ranvier::lif
