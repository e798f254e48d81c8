// pas: passive leak, i = g (v - e), NEURON's pas.mod.
#include "support/reference_mechanisms/reference_mechanisms.hpp"

namespace ranvier::cable::reference {

mechanism_type pas_type() {
    return mechanism_type{"pas",
                     mechanism_kind::density,
                     {{"g", "S/cm2", 0.001}, {"e", "mV", -70.0}},
                     {},
                     {},
                     false,
                     {{"i", "mA/cm2", 0.0}}};
}
namespace {

class pas_mechanism final : public mechanism {
public:
    pas_mechanism()
        : mechanism(pas_type()) {}

    void initialise(const double*) override {}

    void current(const current_context& c, state_view) const override {
        const std::size_t n = size();
        const std::int32_t* node = data_.node_index.data();
        const double* g = data_.parameters[0].data();
        const double* e = data_.parameters[1].data();
        for (std::size_t k = 0; k < n; ++k) {
            const std::int32_t j = node[k];
            const double v = c.v[j];
            // di/dv = g exactly (NEURON's numerical difference agrees to roundoff).
            c.g[j] += g[k];
            const double i = g[k] * (v - e[k]);
            c.i[j] += i;
        }
    }

    double observe(std::size_t, std::size_t k, double v, state_view, double) const override {
        return data_.parameters[0][k] * (v - data_.parameters[1][k]); // i, as in current()
    }
};

} // namespace

std::unique_ptr<mechanism> make_pas() { return std::make_unique<pas_mechanism>(); }

} // namespace ranvier::cable::reference
