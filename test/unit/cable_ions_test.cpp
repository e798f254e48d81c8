// Ion species of a cable_state (docs/ions-plan.md): NEURON 8.2's Nernst
// constants and defaults, e by Nernst only where a concentration is written,
// writers before readers, ion currents accumulated per evaluation, region
// settings. Two small hand-written mechanisms stand for a calcium channel
// (READ eca WRITE ica) and a calcium pool (STATE cai, READ ica WRITE cai).
#include "cable/cable_state_builder.hpp"
#include "cable/cvode/cvode_cell.hpp"
#include "cable/fixed_step_cable_stepper.hpp"

#include <ranvier/errors.hpp>

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <memory>
#include <string>
#include <vector>

namespace {

using namespace ranvier::cable;

// ica = g (v - eca), g 1e-3 S/cm2 (di/dv exact: g).
class ca_channel final : public mechanism {
public:
    static mechanism_type declared() {
        mechanism_type t{"cachan", mechanism_kind::density, {{"g", "S/cm2", 1e-3}}, {}, {}, false, {}};
        t.ions.push_back({"ca", 0, true, false, false, false, true, false, false, -1, -1});
        return t;
    }
    ca_channel() : mechanism(declared()) {}
    void initialise(const double*) override {}
    void current(const current_context& ctx, state_view) const override {
        for (std::size_t k = 0; k < size(); ++k) {
            const auto n = static_cast<std::size_t>(data_.node_index[k]);
            const double g = data_.parameters[0][k];
            const double ica = g * (ctx.v[n] - ions_[0]->e[n]);
            ctx.i[n] += ica;
            ctx.g[n] += g;
            ions_[0]->i[n] += ica;
            ions_[0]->didv[n] += g;
        }
    }
};

// cai' = -ica k - (cai - c0)/tau, INITIAL cai = c0; forward Euler in the
// fixed step (enough here: the test reads what the step used).
constexpr double pool_k = 1.0; // mM/ms per mA/cm2
constexpr double pool_tau = 10.0;
constexpr double pool_c0 = 1e-4;
class ca_pool final : public mechanism {
public:
    static mechanism_type declared() {
        mechanism_type t{"capool", mechanism_kind::density, {}, {{"cai", "mM", 0.0}}, {}, false, {}};
        t.ions.push_back({"ca", 0, false, false, false, true, false, true, false, 0, -1});
        return t;
    }
    ca_pool() : mechanism(declared()) {}
    void initialise(const double*) override {
        for (auto& c : data_.states[0]) c = pool_c0;
    }
    void current(const current_context&, state_view) const override {}
    double rate(std::size_t k, double cai) const {
        const auto n = static_cast<std::size_t>(data_.node_index[k]);
        return -ions_[0]->i[n] * pool_k - (cai - pool_c0) / pool_tau;
    }
    void advance_states(const double*, double dt) override {
        seen_ica.clear();
        for (std::size_t k = 0; k < size(); ++k) {
            seen_ica.push_back(ions_[0]->i[static_cast<std::size_t>(data_.node_index[k])]);
            data_.states[0][k] += dt * rate(k, data_.states[0][k]);
        }
    }
    void state_derivatives(const double*, state_view states, state_out d) const override {
        for (std::size_t k = 0; k < size(); ++k) d[0][k] = rate(k, states[0][k]);
    }
    void state_jacobian_diagonal(const double*, state_view, state_out j) const override {
        for (std::size_t k = 0; k < size(); ++k) j[0][k] = -1 / pool_tau;
    }
    std::vector<double> seen_ica;
};

// Reads cai in its state update (as sk): records what it saw.
class ca_reader final : public mechanism {
public:
    static mechanism_type declared() {
        mechanism_type t{"careader", mechanism_kind::density, {}, {}, {}, false, {}};
        t.ions.push_back({"ca", 0, false, true, false, false, false, false, false, -1, -1});
        return t;
    }
    ca_reader() : mechanism(declared()) {}
    void initialise(const double*) override {
        seen_cai.assign(size(), 0.0);
        for (std::size_t k = 0; k < size(); ++k)
            seen_cai[k] = ions_[0]->ci[static_cast<std::size_t>(data_.node_index[k])];
    }
    void current(const current_context&, state_view) const override {}
    void advance_states(const double*, double) override {
        for (std::size_t k = 0; k < size(); ++k)
            seen_cai[k] = ions_[0]->ci[static_cast<std::size_t>(data_.node_index[k])];
    }
    std::vector<double> seen_cai;
};

// Readers registered before the writer: the state must put the pool first.
mechanism_catalogue test_catalogue() {
    mechanism_catalogue c = builtin_catalogue();
    c.add(ca_reader::declared(), [] { return std::unique_ptr<mechanism>(new ca_reader); });
    c.add(ca_channel::declared(), [] { return std::unique_ptr<mechanism>(new ca_channel); });
    c.add(ca_pool::declared(), [] { return std::unique_ptr<mechanism>(new ca_pool); });
    return c;
}

// Three nodes of membrane (a root and two children in a line).
cv_tree three_nodes() {
    cv_tree t;
    t.parent = {-1, 0, 1};
    t.area = {500, 500, 500};
    t.r_parent = {0, 1, 1};
    t.cm = {1, 1, 1};
    return t;
}

cable_state build(double celsius, bool pool_everywhere = false) {
    cable_state_builder b(test_catalogue());
    const auto cell = b.add_cell(three_nodes());
    b.paint(cell, "careader");
    b.paint(cell, "cachan");
    const std::vector<std::int32_t> middle{1};
    if (pool_everywhere) b.paint(cell, "capool");
    else b.paint(cell, "capool", middle);
    b.set_celsius(celsius);
    const std::vector<std::int32_t> all{0, 1, 2};
    const double nan = std::numeric_limits<double>::quiet_NaN();
    b.set_ion(cell, "ca", all, nan, nan, 3.0); // cao 3 mM everywhere
    b.add_detector(cell, 0, 0.0);
    return b.build(-65);
}

TEST(CableIons, NernstWithNeuron82Constants) {
    // Values printed by NEURON 8.2.2's nernst() (h.celsius = 6.3, then 34).
    EXPECT_NEAR(nernst_mV(5e-5, 2.0, 2, 6.3), 127.58951061761749, 1e-12);
    EXPECT_NEAR(nernst_mV(5e-5, 2.0, 2, 34.0), 140.23660113151266, 1e-12);
    EXPECT_NEAR(nernst_mV(10.0, 140.0, 1, 34.0), 69.8509365318697, 1e-12);
    EXPECT_EQ(faraday_C_per_mol, 96485.33212331001);
    EXPECT_EQ(gas_constant_J_per_K_mol, 8.31446261815324);
}

TEST(CableIons, WritersFirstAndNernstOnlyWhereWritten) {
    cable_state s = build(34.0);
    ASSERT_EQ(s.mechanism_count(), 3u);
    EXPECT_EQ(s.mechanism_at(0).type().name, "capool"); // writer first
    EXPECT_EQ(s.mechanism_at(1).type().name, "careader");
    EXPECT_EQ(s.mechanism_at(2).type().name, "cachan");
    const ion_species* ca = s.find_ion("ca");
    ASSERT_NE(ca, nullptr);
    EXPECT_EQ(ca->valence, 2);
    EXPECT_EQ(ca->nernst_nodes, std::vector<std::int32_t>{1});
    // Node 1: the pool's cai (1e-4) with cao 3 by Nernst; elsewhere NEURON's default eca.
    EXPECT_DOUBLE_EQ(ca->ci[1], pool_c0);
    EXPECT_DOUBLE_EQ(ca->e[1], nernst_mV(pool_c0, 3.0, 2, 34.0));
    EXPECT_EQ(ca->e[0], 132.4579341637009);
    EXPECT_EQ(ca->ci[0], 5e-5);
    EXPECT_EQ(ca->co[0], 3.0);
    // The reader's INITIAL saw the pool's INITIAL value.
    const auto& reader = dynamic_cast<const ca_reader&>(s.mechanism_at(1));
    EXPECT_EQ(reader.seen_cai[1], pool_c0);
    EXPECT_EQ(reader.seen_cai[0], 5e-5);
}

TEST(CableIons, FixedStepPoolReadsTheStepsCurrentAndReaderSeesNewCai) {
    fixed_step_options o;
    o.dt = 0.025;
    fixed_step_cable_stepper stepper(build(34.0), o);
    for (int k = 0; k < 3; ++k) {
        const auto& st = stepper.state();
        const ion_species& ca = *st.find_ion("ca");
        const double e_before = nernst_mV(ca.ci[1], ca.co[1], 2, 34.0);
        const double v_before = st.voltage()[1];
        stepper.step();
        const auto& pool = dynamic_cast<const ca_pool&>(st.mechanism_at(0));
        const auto& reader = dynamic_cast<const ca_reader&>(st.mechanism_at(1));
        // The pool's state update read the total ica of this step's current
        // evaluation (at the step's start v, e by Nernst of the previous cai).
        ASSERT_EQ(pool.seen_ica.size(), 1u);
        EXPECT_DOUBLE_EQ(pool.seen_ica[0], 1e-3 * (v_before - e_before));
        EXPECT_EQ(ca.i[1], pool.seen_ica[0]);
        // The reader, after the pool, saw the new cai.
        EXPECT_EQ(reader.seen_cai[1], pool.data().states[0][0]);
        EXPECT_EQ(ca.ci[1], pool.data().states[0][0]);
        EXPECT_NE(ca.ci[1], pool_c0);
    }
}

TEST(CableIons, CvodeIntegratesTheConcentrationState) {
    // The pool everywhere: CVODE and a fine fixed step agree on cai.
    fixed_step_options o;
    o.dt = 1e-4;
    fixed_step_cable_stepper fine(build(34.0, true), o);
    fine.run_until(2.0);
    cvode_options co;
    co.atol = 1e-10;
    cvode_cell cv(build(34.0, true), 0, co);
    cv.advance_to(2.0);
    const ion_species& a = *fine.state().find_ion("ca");
    const ion_species& b = *cv.state().find_ion("ca");
    for (std::size_t n = 0; n < 3; ++n) {
        EXPECT_NE(a.ci[n], pool_c0);
        EXPECT_NEAR(b.ci[n], a.ci[n], 1e-3 * std::fabs(a.ci[n] - pool_c0)) << n;
        EXPECT_NEAR(b.e[n], nernst_mV(b.ci[n], 3.0, 2, 34.0), 1e-9) << n;
    }
}

// An ion other than na, k, ca needs a valence; two valences for one ion conflict.
class declared_ion final : public mechanism {
public:
    static mechanism_type declared(const char* name, int valence) {
        mechanism_type t{name, mechanism_kind::density, {}, {}, {}, false, {}};
        t.ions.push_back({"xx", valence, true, false, false, false, false, false, false, -1, -1});
        return t;
    }
    explicit declared_ion(mechanism_type t) : mechanism(std::move(t)) {}
    void initialise(const double*) override {}
    void current(const current_context&, state_view) const override {}
};

std::string build_error(int first, int second) {
    static int a, b;
    a = first;
    b = second;
    mechanism_catalogue c = builtin_catalogue();
    c.add(declared_ion::declared("xa", first),
          [] { return std::unique_ptr<mechanism>(new declared_ion(declared_ion::declared("xa", a))); });
    c.add(declared_ion::declared("xb", second),
          [] { return std::unique_ptr<mechanism>(new declared_ion(declared_ion::declared("xb", b))); });
    cable_state_builder builder(c);
    const auto cell = builder.add_cell(three_nodes());
    builder.paint(cell, "xa");
    builder.paint(cell, "xb");
    try {
        cable_state s = builder.build(-65);
        return "built, valence " + std::to_string(s.find_ion("xx")->valence) + ", e " +
               std::to_string(s.find_ion("xx")->e[0]) + ", ci " + std::to_string(s.find_ion("xx")->ci[0]);
    } catch (const ranvier::user_error& e) {
        return e.what();
    }
}

TEST(CableIons, ValenceOfOtherIons) {
    EXPECT_EQ(build_error(-1, 0), "built, valence -1, e 0.000000, ci 1.000000"); // NEURON's new-ion defaults
    EXPECT_NE(build_error(0, 0).find("the valence of an ion other than na, k, ca must be declared"),
              std::string::npos);
    EXPECT_NE(build_error(1, 2).find("USEION xx VALENCE 2: the ion's valence is 1"), std::string::npos)
        << build_error(1, 2);
}

TEST(CableIons, RegionSettingsAreChecked) {
    cable_state_builder b(test_catalogue());
    const auto cell = b.add_cell(three_nodes());
    const std::vector<std::int32_t> all{0, 1, 2};
    const double nan = std::numeric_limits<double>::quiet_NaN();
    EXPECT_THROW(b.set_ion(cell, "ca", all, nan, -1.0, nan), ranvier::user_error);
    EXPECT_THROW(b.set_ion(cell, "ca", all, nan, nan, 0.0), ranvier::user_error);
    EXPECT_THROW(b.set_ion(cell, "ca", all, std::numeric_limits<double>::infinity(), nan, nan),
                 ranvier::user_error);
}

} // namespace
