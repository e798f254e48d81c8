// Builds a cable_state from lowered cells (cv_trees) and placements:
// density mechanisms painted on nodes, point processes (synapses, clamps)
// placed on nodes, spike detectors. Node indices given here are local to
// their cell (0 .. tree.size()-1); the group renumbers them.
#pragma once

#include "cable/cable_state.hpp"
#include "cable/cv_tree.hpp"
#include "cable/mechanisms/mechanism_catalogue.hpp"

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace ranvier::cable {

// Parameter overrides by name, in the mechanism's declared units.
using parameter_values = std::vector<std::pair<std::string, double>>;

class cable_state_builder {
public:
    explicit cable_state_builder(mechanism_catalogue catalogue = builtin_catalogue());

    // Adds a cell; returns its index in the group. Throws user_error if the
    // tree is inconsistent (parent[i] >= i, mismatched array sizes, r <= 0).
    std::size_t add_cell(const cv_tree& tree);

    // Inserts density mechanism `name` on `nodes` of `cell` (empty: every
    // node with area > 0, as NEURON's insert on all sections). Painting a
    // node again sets the given parameters on the existing instance.
    // Throws user_error for unknown names, a point process, a zero-area node.
    void paint(std::size_t cell, const std::string& name, std::span<const std::int32_t> nodes = {},
               const parameter_values& values = {});

    // Places point process `name` on `node` of `cell`; returns its target
    // index (events are scheduled to it by this index).
    std::int32_t place(std::size_t cell, const std::string& name, std::int32_t node,
                       const parameter_values& values = {});

    // Adds a threshold detector on `node` of `cell`; returns its index.
    std::int32_t add_detector(std::size_t cell, std::int32_t node, double threshold_mV);

    // Sets a GLOBAL of a mechanism type (e.g. "hh", "celsius", 6.3 degC).
    void set_global(const std::string& mechanism, const std::string& name, double value);

    // The mechanisms this builder knows.
    const mechanism_catalogue& catalogue() const { return catalogue_; }

    // The state, initialised at `v_init` (mV, every node; see
    // cable_state::initialise). The builder is left empty.
    cable_state build(double v_init);

private:
    mechanism& mechanism_named(const std::string& name);
    std::int32_t group_node(std::size_t cell, std::int32_t node, const std::string& what) const;
    void set_parameters(mechanism& m, std::size_t instance, const parameter_values& values);

    mechanism_catalogue catalogue_;
    cable_state state_;
    std::vector<std::unique_ptr<mechanism>> by_rank_; // one slot per catalogue entry
    std::map<std::pair<int, std::int32_t>, std::size_t> painted_; // (rank, node) -> instance
    std::vector<std::pair<int, std::int32_t>> targets_;         // (rank, instance)
    std::vector<std::size_t> cell_size_;
    std::vector<std::uint8_t> has_membrane_; // per group node: area > 0
    std::map<std::string, std::map<std::string, double>> globals_;
};

} // namespace ranvier::cable
