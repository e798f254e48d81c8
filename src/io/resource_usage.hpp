// Process resource figures for run statistics.
#pragma once

#include <cstdint>

namespace ranvier::io {

// Peak resident set size of this process so far, in bytes.
std::uint64_t peak_memory_bytes();
// Current resident set size, in bytes (0 if unknown).
std::uint64_t current_memory_bytes();

} // namespace ranvier::io
