// A NEURON reference cell (test/validation/reference/neuron: <cell>_geometry.csv,
// NEURON's own node table, and <cell>_cell.json, its description) read from
// disk and added to a cable_state_builder node for node as NEURON has it, so
// that the tests and benchmarks that compare with NEURON exercise the
// numerics only, not the discretisation. Shared by cable_neuron_reference,
// cable_cvode_reference and bench/variable.
#pragma once

#include "cable/cable_state_builder.hpp"

#include <nlohmann/json.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace ranvier::testing {

// One row of <cell>_geometry.csv (header node,parent,section,x,area_um2,ri_Mohm).
struct geometry_row {
    int node = 0;   // NEURON's node index; equals the row's index
    int parent = 0; // parent node, -1 at the root
    std::string section;
    double x = 0;    // position in its section, 0..1
    double area = 0; // µm²
    double ri = 0;   // MΩ to the parent node (inf at the root)
};

// The comma-separated fields of one CSV line.
std::vector<std::string> split_csv_line(const std::string& line);

// The node table; throws std::runtime_error if the file cannot be read or
// its rows are not in node order (row k must be node k: the cv_tree needs it).
std::vector<geometry_row> read_geometry(const std::string& path);

// NEURON's node for section(x): the section's x = 0 / x = 1 node, else the
// centre of segment floor(x * nseg). `sections` is the cell JSON's
// "sections" array (for nseg). Throws std::runtime_error for a section that
// is not in the node table.
int node_for(const std::vector<geometry_row>& rows, const nlohmann::json& sections, const std::string& section,
             double x);

// A cell JSON key without its unit suffix: "gnabar_S_per_cm2" -> "gnabar", "e_mV" -> "e".
std::string strip_unit(const std::string& key);

// A reference cell as read from disk.
struct neuron_reference_cell {
    std::vector<geometry_row> rows; // the node table
    nlohmann::json desc;            // the cell JSON: sections, stimuli, detector, probes, run settings

    // NEURON's node for a JSON location {"section": ..., "x": ...}.
    int node_for(const nlohmann::json& location) const;
    // The nodes of desc["probes"], in their order (the trace files' columns).
    std::vector<int> probe_nodes() const;
};

// Reads <geometry_csv> and <cell_json>; throws std::runtime_error (or
// nlohmann::json's parse_error) if either cannot be read.
neuron_reference_cell read_neuron_reference_cell(const std::string& geometry_csv, const std::string& cell_json);

// Which of the description's own stimuli add_neuron_reference_cell places.
enum class reference_stimuli {
    described, // its IClamps and synapses
    none,      // none: the caller places its own
};

// A synapse of the description as placed, with the events the description gives it.
struct reference_synapse {
    std::int32_t target = -1;        // point-process target (fixed_step_cable_stepper::schedule_event)
    std::string type;                // point-process type, e.g. "ExpSyn"
    std::size_t instance = 0;        // index among the cell's `type` instances (cvode_cell::schedule_event)
    std::vector<double> event_times; // ms
    double weight = 0;               // µS
};

// What add_neuron_reference_cell put into the builder.
struct placed_reference_cell {
    std::size_t cell = 0;                    // index of the cell in the builder
    std::vector<reference_synapse> synapses; // in the description's order; empty with reference_stimuli::none
};

// Adds the cell to `builder`: its cv_tree from the node table (cm per
// section), each section's density mechanisms with the description's
// parameters on its nodes with area, hh's celsius, the description's
// IClamps and synapses (with reference_stimuli::described) and its spike
// detector. Events are not scheduled: that needs the built group.
placed_reference_cell add_neuron_reference_cell(cable::cable_state_builder& builder,
                                                const neuron_reference_cell& cell, reference_stimuli stimuli);

} // namespace ranvier::testing
