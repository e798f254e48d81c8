// The Newton matrix of one cable cell under CVODE, (I - gamma J) z = r,
// solved exactly for NEURON's block approximation of the Jacobian J:
//   - voltage block: the cable's tree matrix, membrane conductance di/dv on
//     the diagonal, solved by one Hines sweep (O(nodes)). Zero-area nodes
//     (algebraic, eliminated from CVODE's vector) keep their current-balance
//     rows in this system, which gives exactly the Schur complement of the
//     eliminated unknowns while keeping the tree structure;
//   - channel-state block: diagonal, d(ds/dt)/ds from the mechanisms.
// The couplings voltage <-> states are left out (as NEURON's CVODE does):
// the Newton iteration then converges linearly instead of quadratically,
// which CVODE's modified Newton tolerates by design.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace ranvier::cable {

class newton_block_solver {
public:
    newton_block_solver() = default;
    // The tree (group node arrays, see cable_nodes): parent, coupling
    // coefficients a/b (mA/cm² per mV) and cm (µF/cm², 0 at zero-area nodes).
    newton_block_solver(std::span<const std::int32_t> parent, std::span<const double> a,
                        std::span<const double> b, std::span<const double> cm);

    // Jacobian pieces at the current Newton linearisation point:
    // di/dv per node (S/cm² = mA/cm² per mV) and d(ds/dt)/ds per state (1/ms).
    // Asking for them for writing drops the cached factorisation.
    std::span<double> conductance() {
        factored_gamma_ = -1;
        return g_;
    }
    std::span<double> state_jacobian() {
        factored_gamma_ = -1;
        return jac_s_;
    }
    void resize_states(std::size_t n) { jac_s_.assign(n, 0.0); }

    // z = (I - gamma J)^-1 r for gamma in ms. r_v/z_v hold one entry per
    // node with area (in the order of `membrane_nodes`), r_s/z_s one per state.
    // The elimination is factored once per (Jacobian, gamma): CVODE's Newton
    // iterations within a step reuse it, paying only two sweeps of
    // multiply-adds.
    void solve(double gamma, std::span<const std::int32_t> membrane_nodes, const double* r_v,
               const double* r_s, double* z_v, double* z_s);

private:
    std::span<const std::int32_t> parent_;
    std::span<const double> a_, b_, cm_;
    std::vector<double> axial_diag_; // mA/cm² per mV, sum of the couplings of each row
    std::vector<double> g_;          // S/cm², di/dv per node
    std::vector<double> jac_s_;      // 1/ms, per state
    std::vector<double> rhs_;        // work array of the Hines solve
    // Factorisation for gamma = factored_gamma_ (-1: none): per node the
    // multiplier folding it into its parent's row, and 1/pivot.
    void factor(double gamma);
    double factored_gamma_ = -1;
    std::vector<double> d_, fold_, inv_pivot_, inv_gamma_diag_; // inv_gamma_diag_: 1e-3 cm/gamma
};

} // namespace ranvier::cable
