// The largest single heap allocation a piece of code makes, for tests that
// check memory follows the local share of a network rather than the whole
// network. Linking this replaces the global operator new of the test binary
// (only binaries that call these functions pull it in).
#pragma once

#include <cstddef>

namespace ranvier::testing {

// Forgets what was allocated so far.
void reset_largest_allocation();
// The largest single allocation (bytes) since the last reset.
std::size_t largest_allocation();

} // namespace ranvier::testing
