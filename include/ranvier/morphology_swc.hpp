// Reading SWC reconstructions into a morphology, the way NEURON's Import3d
// (Import3d_SWC_read + Import3d_GUI.instantiate) turns them into sections:
// soma conventions, splitting at branch points and type changes, where
// children attach, and the 3-d points each section gets. See
// docs/morphology.md for the exact rules. Every problem in the file is a
// user_error "file:line: what is wrong".
#pragma once

#include <ranvier/morphology.hpp>

#include <string>
#include <string_view>

namespace ranvier {

// Reads the SWC file at path. Throws user_error if it cannot be opened or
// is malformed.
morphology load_swc(const std::string& path);

// Parses SWC text; name is used in error messages in place of a path.
morphology parse_swc(std::string_view text, const std::string& name);

} // namespace ranvier
