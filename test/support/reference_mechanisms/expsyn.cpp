// ExpSyn: conductance g (uS) decaying with tau (ms), i = g (v - e) (nA);
// an event adds its weight (uS) to g. NEURON's expsyn.mod.
#include "support/reference_mechanisms/reference_mechanisms.hpp"

#include <cmath>

namespace ranvier::cable::reference {

mechanism_type expsyn_type() {
    mechanism_type t{"ExpSyn",
                     mechanism_kind::point,
                     {{"tau", "ms", 0.1}, {"e", "mV", 0.0}},
                     {{"g", "uS", 0.0}},
                     {},
                     true,
                     {{"i", "nA", 0.0}}};
    t.event_arguments = {"weight"}; // NET_RECEIVE (weight (uS))
    return t;
}
namespace {

class expsyn_mechanism final : public mechanism {
public:
    expsyn_mechanism()
        : mechanism(expsyn_type()) {}

    void initialise(const double*) override {
        for (double& g : data_.states[0]) g = 0;
        decay_dt_ = 0; // parameters may have changed: recompute the decay factors
    }

    void current(const current_context& c, state_view s) const override {
        const std::size_t n = size();
        const std::int32_t* node = data_.node_index.data();
        const double* e = data_.parameters[1].data();
        const double* g = s[0];
        for (std::size_t k = 0; k < n; ++k) {
            const std::int32_t j = node[k];
            const double v = c.v[j];
            const double mfact = 100.0 / c.area[j]; // nA -> mA/cm²
            // di/dv = g exactly (NEURON's numerical difference agrees to roundoff).
            c.g[j] += mfact * g[k];
            const double i = g[k] * (v - e[k]);
            c.i[j] += mfact * i;
        }
    }

    double observe(std::size_t, std::size_t k, double v, state_view s, double) const override {
        return s[0][k] * (v - data_.parameters[1][k]); // i = g (v - e), nA
    }

    void advance_states(const double*, double dt) override {
        const std::size_t n = size();
        if (dt != decay_dt_ || decay_.size() != n) {
            // exp(-dt/tau) once per dt, not per step (tau is fixed after initialise()).
            const double* tau = data_.parameters[0].data();
            decay_.resize(n);
            for (std::size_t k = 0; k < n; ++k) decay_[k] = 1.0 - std::exp(dt * (-1.0 / tau[k]));
            decay_dt_ = dt;
        }
        double* g = data_.states[0].data();
        // cnexp of g' = -g/tau: exact decay over dt.
        for (std::size_t k = 0; k < n; ++k) g[k] += decay_[k] * (-g[k]);
    }

    void receive_event(std::size_t instance, double weight) override {
        data_.states[0][instance] += weight;
    }

    void state_derivatives(const double*, state_view s, state_out ds) const override {
        const double* tau = data_.parameters[0].data();
        for (std::size_t k = 0; k < size(); ++k) ds[0][k] = -s[0][k] / tau[k];
    }
    void state_jacobian_diagonal(const double*, state_view, state_out jac) const override {
        const double* tau = data_.parameters[0].data();
        for (std::size_t k = 0; k < size(); ++k) jac[0][k] = -1.0 / tau[k];
    }

private:
    std::vector<double> decay_; // 1, 1 - exp(-dt/tau) per instance for dt = decay_dt_
    double decay_dt_ = 0;       // ms, step the decay factors were computed for (0: none)
};

} // namespace

std::unique_ptr<mechanism> make_expsyn() { return std::make_unique<expsyn_mechanism>(); }

} // namespace ranvier::cable::reference
