// The Hines solver: O(n) Gaussian elimination of the tree-structured linear
// system of a cable cell (or of several cells laid out one after the other),
// NEURON's `triang`/`bksub`. Node numbering has parent[i] < i, roots have
// parent -1, so one backward sweep (leaves -> roots) eliminates the
// off-diagonals and one forward sweep (roots -> leaves) substitutes back.
#pragma once

#include <cstdint>
#include <span>

namespace ranvier::cable {

// The system, one row per node i:
//   d[i]*x[i] + b[i]*x[parent[i]] + sum over children c of a[c]*x[c] = rhs[i]
// i.e. b[i] couples row i to its parent's unknown and a[i] couples the
// parent's row to node i (a[i], b[i] are unused at roots).
// Solves in place: on return rhs holds x, d is overwritten (elimination).
// No allocation; all spans have the same length.
void hines_solve(std::span<const std::int32_t> parent, std::span<const double> a,
                 std::span<const double> b, std::span<double> d, std::span<double> rhs);

} // namespace ranvier::cable
