// Exp2Syn: double-exponential conductance g = B - A (uS), A and B decaying
// with tau1 < tau2 (ms), i = g (v - e) (nA). An event adds weight*factor to
// both, factor normalising the peak of g to weight. NEURON's exp2syn.mod,
// including its clamping of tau1/tau2 into [1e-9, 0.9999] at INITIAL.
#include "support/reference_mechanisms/reference_mechanisms.hpp"

#include <cmath>

namespace ranvier::cable::reference {

mechanism_type exp2syn_type() {
    mechanism_type t{"Exp2Syn",
                     mechanism_kind::point,
                     {{"tau1", "ms", 0.1}, {"tau2", "ms", 10.0}, {"e", "mV", 0.0}},
                     {{"A", "uS", 0.0}, {"B", "uS", 0.0}},
                     {},
                     true,
                     {{"i", "nA", 0.0}, {"g", "uS", 0.0}}};
    t.event_arguments = {"weight"}; // NET_RECEIVE (weight (uS))
    return t;
}
namespace {

class exp2syn_mechanism final : public mechanism {
public:
    exp2syn_mechanism()
        : mechanism(exp2syn_type()) {}

    void initialise(const double*) override {
        const std::size_t n = size();
        factor_.resize(n);
        decay_dt_ = 0; // parameters may have changed: recompute the decay factors
        auto& tau1 = data_.parameters[0];
        const auto& tau2 = data_.parameters[1];
        for (std::size_t k = 0; k < n; ++k) {
            if (tau1[k] / tau2[k] > 0.9999) tau1[k] = 0.9999 * tau2[k];
            if (tau1[k] / tau2[k] < 1e-9) tau1[k] = tau2[k] * 1e-9;
            data_.states[0][k] = 0;
            data_.states[1][k] = 0;
            // Time of the peak of exp(-t/tau2) - exp(-t/tau1), and 1/peak.
            const double tp = (tau1[k] * tau2[k]) / (tau2[k] - tau1[k]) * std::log(tau2[k] / tau1[k]);
            factor_[k] = 1.0 / (-std::exp(-tp / tau1[k]) + std::exp(-tp / tau2[k]));
        }
    }

    void current(const current_context& c, state_view s) const override {
        const std::size_t n = size();
        const std::int32_t* node = data_.node_index.data();
        const double* e = data_.parameters[2].data();
        const double* A = s[0];
        const double* B = s[1];
        for (std::size_t k = 0; k < n; ++k) {
            const std::int32_t j = node[k];
            const double v = c.v[j];
            const double mfact = 100.0 / c.area[j]; // nA -> mA/cm²
            const double g = B[k] - A[k];
            // di/dv = g exactly (NEURON's numerical difference agrees to roundoff).
            c.g[j] += mfact * g;
            const double i = g * (v - e[k]);
            c.i[j] += mfact * i;
        }
    }

    double observe(std::size_t what, std::size_t k, double v, state_view s, double) const override {
        const double g = s[1][k] - s[0][k]; // B - A, as in current()
        return what == 0 ? g * (v - data_.parameters[2][k]) : g;
    }

    void advance_states(const double*, double dt) override {
        const std::size_t n = size();
        if (dt != decay_dt_ || decay1_.size() != n) {
            // exp(-dt/tau) once per dt, not per step (taus are fixed after initialise()).
            const double* tau1 = data_.parameters[0].data();
            const double* tau2 = data_.parameters[1].data();
            decay1_.resize(n);
            decay2_.resize(n);
            for (std::size_t k = 0; k < n; ++k) {
                decay1_[k] = 1.0 - std::exp(dt * (-1.0 / tau1[k]));
                decay2_[k] = 1.0 - std::exp(dt * (-1.0 / tau2[k]));
            }
            decay_dt_ = dt;
        }
        double* A = data_.states[0].data();
        double* B = data_.states[1].data();
        for (std::size_t k = 0; k < n; ++k) {
            A[k] += decay1_[k] * (-A[k]);
            B[k] += decay2_[k] * (-B[k]);
        }
    }

    void receive_event(std::size_t instance, double weight) override {
        data_.states[0][instance] += weight * factor_[instance];
        data_.states[1][instance] += weight * factor_[instance];
    }

    void state_derivatives(const double*, state_view s, state_out ds) const override {
        const double* tau1 = data_.parameters[0].data();
        const double* tau2 = data_.parameters[1].data();
        for (std::size_t k = 0; k < size(); ++k) {
            ds[0][k] = -s[0][k] / tau1[k];
            ds[1][k] = -s[1][k] / tau2[k];
        }
    }
    void state_jacobian_diagonal(const double*, state_view, state_out jac) const override {
        const double* tau1 = data_.parameters[0].data();
        const double* tau2 = data_.parameters[1].data();
        for (std::size_t k = 0; k < size(); ++k) {
            jac[0][k] = -1.0 / tau1[k];
            jac[1][k] = -1.0 / tau2[k];
        }
    }

private:
    std::vector<double> factor_; // 1, peak normalisation per instance (set at initialise)
    std::vector<double> decay1_; // 1, 1 - exp(-dt/tau1) per instance for dt = decay_dt_
    std::vector<double> decay2_; // 1, 1 - exp(-dt/tau2) per instance for dt = decay_dt_
    double decay_dt_ = 0;        // ms, step the decay factors were computed for (0: none)
};

} // namespace

std::unique_ptr<mechanism> make_exp2syn() { return std::make_unique<exp2syn_mechanism>(); }

} // namespace ranvier::cable::reference
