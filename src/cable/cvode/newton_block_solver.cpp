// Block solve of the CVODE Newton system of a cable cell (see newton_block_solver.hpp).
#include "cable/cvode/newton_block_solver.hpp"

#include <algorithm>

namespace ranvier::cable {

newton_block_solver::newton_block_solver(std::span<const std::int32_t> parent,
                                         std::span<const double> a, std::span<const double> b,
                                         std::span<const double> cm)
    : parent_(parent), a_(a), b_(b), cm_(cm) {
    const std::size_t n = parent.size();
    axial_diag_.assign(n, 0.0);
    for (std::size_t k = 0; k < n; ++k) {
        const std::int32_t p = parent[k];
        if (p < 0) continue;
        axial_diag_[k] -= b[k];
        axial_diag_[static_cast<std::size_t>(p)] -= a[k];
    }
    g_.assign(n, 0.0);
    d_.assign(n, 0.0);
    rhs_.assign(n, 0.0);
    fold_.assign(n, 0.0);
    inv_pivot_.assign(n, 0.0);
    inv_gamma_diag_.assign(n, 0.0);
}

void newton_block_solver::factor(double gamma) {
    // Row k of the voltage block multiplied by 1e-3 cm/gamma (so that it reads
    // like the fixed-step matrix with dt -> gamma): cm/gamma on the diagonal,
    // plus di/dv, plus the axial couplings; zero-area rows have cm = 0 and a
    // zero right-hand side (their balance holds exactly at every RHS call).
    // Hines elimination from the leaves (parent[k] < k): once k's children
    // are folded in, its pivot is final; fold k into its parent.
    const std::size_t n = parent_.size();
    const double inv_gamma = 1e-3 / gamma; // 1/ms, with 1e-3 turning µF/cm² · mV/ms into mA/cm²
    for (std::size_t k = 0; k < n; ++k) {
        inv_gamma_diag_[k] = cm_[k] * inv_gamma;
        d_[k] = inv_gamma_diag_[k] + g_[k] + axial_diag_[k];
    }
    for (std::size_t k = n; k-- > 0;) {
        inv_pivot_[k] = 1.0 / d_[k];
        const std::int32_t p = parent_[k];
        if (p < 0) continue;
        fold_[k] = a_[k] * inv_pivot_[k];
        d_[static_cast<std::size_t>(p)] -= fold_[k] * b_[k];
    }
    factored_gamma_ = gamma;
}

void newton_block_solver::solve(double gamma, std::span<const std::int32_t> membrane_nodes,
                                const double* r_v, const double* r_s, double* z_v, double* z_s) {
    if (gamma != factored_gamma_) factor(gamma);
    const std::size_t n = parent_.size();
    const std::int32_t* parent = parent_.data();
    double* r = rhs_.data();
    std::fill(rhs_.begin(), rhs_.end(), 0.0);
    const std::size_t nv = membrane_nodes.size();
    for (std::size_t j = 0; j < nv; ++j) {
        const auto k = static_cast<std::size_t>(membrane_nodes[j]);
        r[k] = inv_gamma_diag_[k] * r_v[j];
    }
    for (std::size_t k = n; k-- > 0;)
        if (const std::int32_t p = parent[k]; p >= 0) r[p] -= fold_[k] * r[k];
    for (std::size_t k = 0; k < n; ++k) {
        if (const std::int32_t p = parent[k]; p >= 0) r[k] -= b_[k] * r[p];
        r[k] *= inv_pivot_[k];
    }
    for (std::size_t j = 0; j < nv; ++j) z_v[j] = r[static_cast<std::size_t>(membrane_nodes[j])];
    const std::size_t ns = jac_s_.size();
    for (std::size_t k = 0; k < ns; ++k) z_s[k] = r_s[k] / (1.0 - gamma * jac_s_[k]);
}

} // namespace ranvier::cable
