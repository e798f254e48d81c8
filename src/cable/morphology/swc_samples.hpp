// Internal: the samples of an SWC file after parsing and tree checks, in the
// order NEURON's Import3d works on them (parents before children, by id).
#pragma once

#include <ranvier/morphology.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace ranvier::swc {

struct sample {
    long long id = 0;
    int type = 0;
    double x = 0, y = 0, z = 0; // µm
    double diam = 0;            // µm (twice the SWC radius)
    long long parent_id = -1;
    int line = 0;      // 1-based line in the file, for messages
    int parent = -1;   // index of the parent in the ordered list, -1 for the root
};

// Parses and checks the text: one tree, unique ids, known parents, no
// cycles, positive radii, valid types. The root comes first and every
// parent precedes its children; among ready samples the smallest id goes
// first, which is plain id order when every parent id < id (as NEURON
// requires). Throws user_error "name:line: ...".
std::vector<sample> read_samples(std::string_view text, const std::string& name);

// Turns ordered samples into sections exactly as NEURON's Import3d does.
morphology import3d_sections(std::vector<sample> samples, const std::string& name);

} // namespace ranvier::swc
