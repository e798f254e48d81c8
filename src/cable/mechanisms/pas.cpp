// pas: passive leak, i = g (v - e), NEURON's pas.mod.
#include "cable/mechanisms/builtin_mechanisms.hpp"

namespace ranvier::cable {
namespace {

class pas_mechanism final : public mechanism {
public:
    pas_mechanism()
        : mechanism({"pas",
                     mechanism_kind::density,
                     {{"g", "S/cm2", 0.001}, {"e", "mV", -70.0}},
                     {},
                     {},
                     false}) {}

    void initialise(const double*) override {}

    void current(const current_context& c, state_view) const override {
        const std::size_t n = size();
        const std::int32_t* node = data_.node_index.data();
        const double* g = data_.parameters[0].data();
        const double* e = data_.parameters[1].data();
        for (std::size_t k = 0; k < n; ++k) {
            const std::int32_t j = node[k];
            const double v = c.v[j];
            // NEURON's numerical di/dv (exact up to rounding for a linear current).
            const double i_plus = g[k] * (v + 0.001 - e[k]);
            const double i = g[k] * (v - e[k]);
            c.g[j] += (i_plus - i) / 0.001;
            c.i[j] += i;
        }
    }
};

} // namespace

std::unique_ptr<mechanism> make_pas() { return std::make_unique<pas_mechanism>(); }

} // namespace ranvier::cable
