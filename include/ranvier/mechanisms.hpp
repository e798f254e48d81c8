// Membrane mechanisms written in NMODL (.mod files, NEURON's language):
// translated to C++ (src/nmodl/translate.py), compiled with the compiler and
// flags Ranvier was built with into one shared library per directory, and
// loaded into a model's catalogue after the built-in mechanisms (pas, hh,
// IClamp, ExpSyn, Exp2Syn). What the translator supports: docs/nmodl.md.
//
// A library is cached in DIR/.ranvier/<key>/catalogue.so, the key a hash of
// the .mod files (names and contents), the translator, the mechanism
// interface, the compiler and its flags and Ranvier's version: it is
// rebuilt exactly when one of them changes.
#pragma once

#include <ranvier/recipe.hpp>

#include <iosfwd>
#include <memory>
#include <string>
#include <vector>

namespace ranvier {

struct mechanism_build {
    std::string library;                 // path of the catalogue library
    bool compiled = false;               // false: found in the cache
    double seconds = 0;                  // wall time of translating and compiling (0 if cached)
    std::vector<std::string> mod_files;  // the directory's .mod files, sorted by name
    std::vector<std::string> mechanisms; // their mechanisms' names, in the same order
};

// Translates and compiles every .mod file of `dir` (`ranvier build-mechanisms`),
// unless the cache holds the library already. `log` (may be null) gets one
// line per file translated and per compilation. Throws user_error for a
// missing directory, a directory without .mod files, a construct the
// translator refuses (file:line: what, and what is supported) and a failed
// compilation (a translator bug: the message names the compiler's log).
mechanism_build build_mechanisms(const std::string& dir, std::ostream* log = nullptr);

// The built-in mechanisms followed by those of each directory, in order
// (built first when the cache does not hold them). A name given twice is a
// user_error naming both sources.
std::shared_ptr<const cable::mechanism_catalogue> load_mechanisms(const std::vector<std::string>& dirs,
                                                                  std::ostream* log = nullptr);

// Names of a catalogue's mechanisms in registration order (null: the built-ins).
std::vector<std::string> mechanism_names(const std::shared_ptr<const cable::mechanism_catalogue>& catalogue);

} // namespace ranvier
