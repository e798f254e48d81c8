// Hines elimination over a forest stored with parent[i] < i (see hines_solver.hpp).
#include "cable/hines_solver.hpp"

#include <cstddef>

namespace ranvier::cable {

void hines_solve(std::span<const std::int32_t> parent, std::span<const double> a,
                 std::span<const double> b, std::span<double> d, std::span<double> rhs) {
    const std::int32_t* p = parent.data();
    const double* pa = a.data();
    const double* pb = b.data();
    double* pd = d.data();
    double* pr = rhs.data();
    const std::ptrdiff_t n = static_cast<std::ptrdiff_t>(parent.size());

    // Leaves -> roots: a child's row is final once all of its own children
    // (higher indices) are folded in; fold it into its parent's row.
    for (std::ptrdiff_t i = n - 1; i >= 0; --i) {
        const std::int32_t pi = p[i];
        if (pi < 0) continue;
        const double f = pa[i] / pd[i];
        pd[pi] -= f * pb[i];
        pr[pi] -= f * pr[i];
    }
    // Roots -> leaves: a parent's unknown is known before its children's.
    for (std::ptrdiff_t i = 0; i < n; ++i) {
        const std::int32_t pi = p[i];
        if (pi >= 0) pr[i] -= pb[i] * pr[pi];
        pr[i] /= pd[i];
    }
}

} // namespace ranvier::cable
