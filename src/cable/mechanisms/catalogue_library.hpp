// The interface between Ranvier and a catalogue library (catalogue.so built
// by `ranvier build-mechanisms` from .mod files, src/nmodl/catalogue_build.cpp).
// The library exports one C function, catalogue_entry_point, returning its
// mechanisms; each entry's functions declare and make one mechanism type
// against mechanism.hpp. Libraries are compiled with the compiler and flags
// Ranvier was built with, and their cache key includes mechanism.hpp, so the
// C++ types crossing the boundary (mechanism_type, mechanism) have the same
// layout on both sides. A loaded library is never unloaded.
#pragma once

#include "cable/mechanisms/mechanism.hpp"

#include <cstddef>
#include <memory>

namespace ranvier::cable {

struct library_mechanism {
    const char* source;                      // the .mod file it was translated from
    mechanism_type (*type)();                // its declaration
    std::unique_ptr<mechanism> (*make)();    // a fresh object, no instances
};

// extern "C" const library_mechanism* ranvier_catalogue_v1(std::size_t* count);
using catalogue_entry_function = const library_mechanism* (*)(std::size_t* count);
inline constexpr const char* catalogue_entry_point = "ranvier_catalogue_v1";

} // namespace ranvier::cable
