// hh: the squid-axon Hodgkin–Huxley channels exactly as NEURON's hh.mod
// (sodium m³h, potassium n⁴, leak), ena/ek read from the na and k ions
// (USEION na READ ena WRITE ina, USEION k READ ek WRITE ik: per node, NEURON's
// defaults 50 / -77 mV; ina and ik added into the ions), celsius as a global
// (q10 = 3^((celsius - 6.3)/10)), states advanced by cnexp.

// Lets GCC vectorise the compare-and-select in the rate functions (vtrap);
// nothing in Ranvier reads floating-point exception flags. Results are
// unchanged: only the trapping behaviour of comparisons is concerned.
#pragma GCC optimize("no-trapping-math")

#include "support/reference_mechanisms/reference_mechanisms.hpp"
#include "support/reference_mechanisms/hh_rates.hpp"

#include <cmath>

namespace ranvier::cable::reference {

mechanism_type hh_type() {
    mechanism_type t{"hh",
                     mechanism_kind::density,
                     {{"gnabar", "S/cm2", 0.12},
                      {"gkbar", "S/cm2", 0.036},
                      {"gl", "S/cm2", 0.0003},
                      {"el", "mV", -54.3}},
                     {{"m", "1", 0.0}, {"h", "1", 0.0}, {"n", "1", 0.0}},
                     {{"celsius", "degC", 6.3}},
                     false,
                     {{"ina", "mA/cm2", 0.0}, {"ik", "mA/cm2", 0.0}, {"il", "mA/cm2", 0.0},
                      {"gna", "S/cm2", 0.0}, {"gk", "S/cm2", 0.0}}};
    t.ions.push_back({"na", 0, true, false, false, false, true, false, false, -1, -1});
    t.ions.push_back({"k", 0, true, false, false, false, true, false, false, -1, -1});
    return t;
}
namespace {

enum hh_param { gnabar, gkbar, gl, el };
enum hh_ion { ion_na, ion_k };
enum hh_state { m, h, n };

class hh_mechanism final : public mechanism {
public:
    hh_mechanism()
        : mechanism(hh_type()) {}

    void initialise(const double* v) override {
        q10_ = hh_model::q10_at(data_.globals[0]);
        const std::size_t count = size();
        v_local_.assign(count, 0.0);
        for (std::size_t k = 0; k < count; ++k) {
            const auto r = hh_model::rate_terms_at(v[data_.node_index[k]], q10_);
            data_.states[m][k] = r.minf;
            data_.states[h][k] = r.hinf;
            data_.states[n][k] = r.ninf;
        }
    }

    void current(const current_context& c, state_view s) const override {
        const std::size_t count = size();
        const std::int32_t* node = data_.node_index.data();
        const double* p_gnabar = data_.parameters[gnabar].data();
        const double* p_gkbar = data_.parameters[gkbar].data();
        const double* p_gl = data_.parameters[gl].data();
        const double* p_el = data_.parameters[el].data();
        const double* ena = ions_[ion_na]->e.data(); // mV, per node
        const double* ek = ions_[ion_k]->e.data();
        double* ina_sum = ions_[ion_na]->i.data(); // mA/cm², per node
        double* ik_sum = ions_[ion_k]->i.data();
        double* gna_sum = ions_[ion_na]->didv.data(); // S/cm², per node
        double* gk_sum = ions_[ion_k]->didv.data();
        const double* sm = s[m];
        const double* sh = s[h];
        const double* sn = s[n];
        for (std::size_t q = 0; q < count; ++q) {
            const std::int32_t j = node[q];
            const double v = c.v[j];
            const double gna = p_gnabar[q] * sm[q] * sm[q] * sm[q] * sh[q]; // S/cm²
            const double gk = p_gkbar[q] * sn[q] * sn[q] * sn[q] * sn[q];   // S/cm²
            const double gl_k = p_gl[q];
            // di/dv is exact: the current is linear in v at fixed states
            // (NEURON's numerical difference agrees with it to roundoff).
            c.g[j] += gna + gk + gl_k;
            const double ina = gna * (v - ena[j]);
            const double ik = gk * (v - ek[j]);
            c.i[j] += ina + ik + gl_k * (v - p_el[q]);
            ina_sum[j] += ina;
            ik_sum[j] += ik;
            gna_sum[j] += gna;
            gk_sum[j] += gk;
        }
    }

    void advance_states(const double* v, double dt) override {
        const std::size_t count = size();
        const std::int32_t* node = data_.node_index.data();
        double* sm = data_.states[m].data();
        double* sh = data_.states[h].data();
        double* sn = data_.states[n].data();
        // Gather first: the rate loop then runs over contiguous arrays and vectorises.
        double* vl = v_local_.data();
        for (std::size_t k = 0; k < count; ++k) vl[k] = v[node[k]];
        const double q10 = q10_;
        for (std::size_t k = 0; k < count; ++k) {
            const auto r = hh_model::rate_terms_at(vl[k], q10);
            // cnexp: x += (1 - exp(-dt/tau)) (xinf - x), exact for fixed rates.
            sm[k] += (1.0 - fast_exp(-dt * r.mrate)) * (r.minf - sm[k]);
            sh[k] += (1.0 - fast_exp(-dt * r.hrate)) * (r.hinf - sh[k]);
            sn[k] += (1.0 - fast_exp(-dt * r.nrate)) * (r.ninf - sn[k]);
        }
    }

    void state_derivatives(const double* v, state_view s, state_out ds) const override {
        for (std::size_t k = 0; k < size(); ++k) {
            const auto r = hh_model::rate_terms_at(v[data_.node_index[k]], q10_);
            ds[m][k] = (r.minf - s[m][k]) * r.mrate;
            ds[h][k] = (r.hinf - s[h][k]) * r.hrate;
            ds[n][k] = (r.ninf - s[n][k]) * r.nrate;
        }
    }

    void state_jacobian_diagonal(const double* v, state_view, state_out jac) const override {
        for (std::size_t k = 0; k < size(); ++k) {
            const auto r = hh_model::rate_terms_at(v[data_.node_index[k]], q10_);
            jac[m][k] = -r.mrate;
            jac[h][k] = -r.hrate;
            jac[n][k] = -r.nrate;
        }
    }

    double observe(std::size_t what, std::size_t q, double v, state_view s, double) const override {
        const auto& p = data_.parameters;
        const double gna = p[gnabar][q] * s[m][q] * s[m][q] * s[m][q] * s[h][q]; // as in current()
        const double gk = p[gkbar][q] * s[n][q] * s[n][q] * s[n][q] * s[n][q];
        const auto j = static_cast<std::size_t>(data_.node_index[q]);
        switch (what) {
        case 0: return gna * (v - ions_[ion_na]->e[j]);
        case 1: return gk * (v - ions_[ion_k]->e[j]);
        case 2: return p[gl][q] * (v - p[el][q]);
        case 3: return gna;
        default: return gk;
        }
    }

private:
    double q10_ = 1;              // 1, temperature factor of the rates (set at initialise)
    std::vector<double> v_local_; // mV, scratch: v at each instance's node
};

} // namespace

std::unique_ptr<mechanism> make_hh() { return std::make_unique<hh_mechanism>(); }

} // namespace ranvier::cable::reference
