// IClamp: current injection amp (nA) for del <= t < del + dur, NEURON's
// IClamp.mod. An electrode current enters the cell, so it counts as a
// negative membrane current. NEURON evaluates it at the step's midpoint
// t + dt/2 (the stepper passes that time), which decides the boundaries.
#include "support/reference_mechanisms/reference_mechanisms.hpp"

namespace ranvier::cable::reference {

mechanism_type iclamp_type() {
    mechanism_type type{"IClamp",
                     mechanism_kind::point,
                     {{"del", "ms", 0.0}, {"dur", "ms", 0.0}, {"amp", "nA", 0.0}},
                     {},
                     {},
                     false,
                     {{"i", "nA", 0.0}}};
    type.electrode_current = true; // ELECTRODE_CURRENT i
    return type;
}
namespace {

class iclamp_mechanism final : public mechanism {
public:
    iclamp_mechanism()
        : mechanism(iclamp_type()) {}

    void initialise(const double*) override {}

    void current(const current_context& c, state_view) const override {
        const std::size_t n = size();
        const std::int32_t* node = data_.node_index.data();
        const double* del = data_.parameters[0].data();
        const double* dur = data_.parameters[1].data();
        const double* amp = data_.parameters[2].data();
        for (std::size_t k = 0; k < n; ++k) {
            const bool on = c.t < del[k] + dur[k] && c.t >= del[k];
            if (!on) continue;
            const std::int32_t j = node[k];
            c.i[j] -= amp[k] * (100.0 / c.area[j]); // nA -> mA/cm² (area µm²)
        }
    }

    void discontinuities(std::vector<double>& times) const override {
        const auto& p = data_.parameters; // on at del, off at del + dur
        for (std::size_t k = 0; k < size(); ++k) {
            times.push_back(p[0][k]);
            times.push_back(p[0][k] + p[1][k]);
        }
    }

    double observe(std::size_t, std::size_t k, double, state_view, double t) const override {
        const auto& p = data_.parameters; // i (nA, depolarising > 0), on in [del, del + dur) as current()
        return t < p[0][k] + p[1][k] && t >= p[0][k] ? p[2][k] : 0.0;
    }
};

} // namespace

std::unique_ptr<mechanism> make_iclamp() { return std::make_unique<iclamp_mechanism>(); }

} // namespace ranvier::cable::reference
