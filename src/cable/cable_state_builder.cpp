// Assembly of a cable_state from cells and placements (see cable_state_builder.hpp).
#include "cable/cable_state_builder.hpp"

#include <ranvier/errors.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace ranvier::cable {
namespace {

// NEURON gives the zero-area nodes at section ends an area of 100 µm² so
// that the coupling coefficients and point-process scaling stay finite.
constexpr double zero_area_substitute_um2 = 100.0;

[[noreturn]] void fail(const std::string& key, const std::string& what) {
    throw user_error(source_location{"", 0, key}, what);
}

} // namespace

cable_state_builder::cable_state_builder(mechanism_catalogue catalogue)
    : catalogue_(std::move(catalogue)) {
    by_rank_.resize(catalogue_.names().size());
}

std::size_t cable_state_builder::add_cell(const cv_tree& tree) {
    const std::size_t n = tree.size();
    if (n == 0) fail("cv_tree", "a cell needs at least one node");
    if (tree.area.size() != n || tree.r_parent.size() != n || tree.cm.size() != n)
        fail("cv_tree", "parent, area, r_parent and cm must have one entry per node");
    auto& nodes = state_.nodes_;
    const auto offset = static_cast<std::int32_t>(nodes.size());
    for (std::size_t k = 0; k < n; ++k) {
        const std::int32_t p = tree.parent[k];
        const std::string key = "cv_tree.node[" + std::to_string(k) + "]";
        if (k == 0 ? p != -1 : (p < 0 || p >= static_cast<std::int32_t>(k)))
            fail(key, "parent must be -1 at node 0 and in [0, i) elsewhere, got " + std::to_string(p));
        if (tree.area[k] < 0) fail(key, "area must be >= 0 µm²");
        if (k > 0 && !(tree.r_parent[k] > 0)) fail(key, "r_parent must be > 0 MΩ");
        const bool has_area = tree.area[k] > 0;
        nodes.parent.push_back(p < 0 ? -1 : p + offset);
        nodes.area.push_back(has_area ? tree.area[k] : zero_area_substitute_um2);
        nodes.cm.push_back(has_area ? tree.cm[k] : 0.0);
        nodes.diam.push_back(tree.diam.size() == n ? tree.diam[k] : std::numeric_limits<double>::quiet_NaN());
        has_membrane_.push_back(has_area ? 1 : 0);
    }
    // Coupling: current into node i from its parent is (v_p - v_i)/r (nA);
    // as densities, 100/(r area) mA/cm² per mV (r MΩ, area µm²).
    for (std::size_t k = 0; k < n; ++k) {
        const std::int32_t p = nodes.parent[offset + k];
        const double r = tree.r_parent[k];
        nodes.a.push_back(p < 0 ? 0.0 : -1e2 / (r * nodes.area[static_cast<std::size_t>(p)]));
        nodes.b.push_back(p < 0 ? 0.0 : -1e2 / (r * nodes.area[offset + k]));
    }
    state_.cell_offset_.push_back(offset);
    cell_size_.push_back(n);
    return cell_size_.size() - 1;
}

mechanism& cable_state_builder::mechanism_named(const std::string& name) {
    const int rank = catalogue_.rank(name);
    if (rank < 0) (void)catalogue_.make(name); // throws the user_error listing names
    auto& slot = by_rank_[static_cast<std::size_t>(rank)];
    if (!slot) slot = catalogue_.make(name);
    return *slot;
}

std::int32_t cable_state_builder::group_node(std::size_t cell, std::int32_t node,
                                             const std::string& what) const {
    if (cell >= cell_size_.size())
        fail(what, "no cell " + std::to_string(cell) + " (the group has " +
                       std::to_string(cell_size_.size()) + ")");
    if (node < 0 || static_cast<std::size_t>(node) >= cell_size_[cell])
        fail(what, "node " + std::to_string(node) + " outside the cell's " +
                       std::to_string(cell_size_[cell]) + " nodes");
    return state_.cell_offset_[cell] + node;
}

void cable_state_builder::set_parameters(mechanism& m, std::size_t instance,
                                         const parameter_values& values) {
    for (const auto& [name, value] : values) {
        const int k = m.type().parameter_index(name);
        if (k < 0) {
            std::string known;
            for (const auto& p : m.type().parameters) known += (known.empty() ? "" : ", ") + p.name;
            fail(m.type().name + "." + name, "unknown parameter; " + m.type().name + " has: " + known);
        }
        if (!std::isfinite(value)) fail(m.type().name + "." + name, "must be finite");
        m.data().parameters[static_cast<std::size_t>(k)][instance] = value;
    }
}

void cable_state_builder::paint(std::size_t cell, const std::string& name,
                                std::span<const std::int32_t> nodes, const parameter_values& values) {
    mechanism& m = mechanism_named(name);
    if (m.type().kind != mechanism_kind::density)
        fail(name, "is a point process: use place(), not paint()");
    std::vector<std::int32_t> chosen(nodes.begin(), nodes.end());
    if (chosen.empty()) {
        if (cell >= cell_size_.size()) group_node(cell, 0, name); // throws
        for (std::size_t k = 0; k < cell_size_[cell]; ++k)
            if (has_membrane_[static_cast<std::size_t>(state_.cell_offset_[cell]) + k])
                chosen.push_back(static_cast<std::int32_t>(k));
    }
    const int rank = catalogue_.rank(name);
    for (const std::int32_t local : chosen) {
        const std::int32_t node = group_node(cell, local, name);
        if (!has_membrane_[static_cast<std::size_t>(node)])
            fail(name, "node " + std::to_string(local) +
                           " has zero area: density mechanisms live on nodes with membrane");
        auto [it, fresh] = painted_.try_emplace({rank, node}, 0);
        if (fresh) it->second = m.add_instance(node);
        set_parameters(m, it->second, values);
    }
}

std::int32_t cable_state_builder::place(std::size_t cell, const std::string& name, std::int32_t node,
                                        const parameter_values& values) {
    mechanism& m = mechanism_named(name);
    if (m.type().kind != mechanism_kind::point)
        fail(name, "is a density mechanism: use paint(), not place()");
    if (m.type().artificial_cell)
        fail(name, "is an ARTIFICIAL_CELL, a cell of its own (artificial_cell), not placed on a cable cell");
    const std::size_t instance = m.add_instance(group_node(cell, node, name));
    set_parameters(m, instance, values);
    targets_.emplace_back(catalogue_.rank(name), static_cast<std::int32_t>(instance));
    return static_cast<std::int32_t>(targets_.size() - 1);
}

std::int32_t cable_state_builder::add_detector(std::size_t cell, std::int32_t node,
                                               double threshold_mV) {
    auto& det = state_.detectors_;
    det.node.push_back(group_node(cell, node, "detector"));
    det.threshold.push_back(threshold_mV);
    det.above.push_back(0);
    return static_cast<std::int32_t>(det.size() - 1);
}

void cable_state_builder::set_global(const std::string& mech, const std::string& name, double value) {
    auto probe = catalogue_.make(mech); // throws for unknown mechanisms
    if (probe->type().global_index(name) < 0)
        fail(mech + "." + name, "no such global of " + mech);
    globals_[mech][name] = value;
}

void cable_state_builder::set_ion(std::size_t cell, const std::string& ion,
                                  std::span<const std::int32_t> nodes, double e, double ci,
                                  double co) {
    ion_setting st{ion, {}, e, ci, co};
    for (const std::int32_t local : nodes) st.nodes.push_back(group_node(cell, local, "ion " + ion));
    for (const double c : {ci, co})
        if (!std::isnan(c) && !(c > 0 && std::isfinite(c)))
            fail("ion " + ion, "concentrations must be > 0 mM");
    if (!std::isnan(e) && !std::isfinite(e)) fail("ion " + ion, "e must be finite");
    ion_settings_.push_back(std::move(st));
}

namespace {

struct builtin_ion {
    const char* name;
    int valence;
    double ci, co, e; // mM, mM, mV (NEURON 8.2's defaults)
};
// NEURON's eca default is its stored 132.4579341637009 mV, not the Nernst
// value of the default concentrations.
constexpr builtin_ion builtin_ions[] = {
    {"na", 1, 10.0, 140.0, 50.0},
    {"k", 1, 54.4, 2.5, -77.0},
    {"ca", 2, 5e-5, 2.0, 132.4579341637009},
};

} // namespace

void cable_state_builder::build_ions() {
    auto& st = state_;
    const std::size_t n = st.nodes_.size();
    auto species = [&](const std::string& name) -> ion_species* {
        for (auto& ion : st.ions_)
            if (ion->name == name) return ion.get();
        return nullptr;
    };
    for (auto& m : st.mechanisms_) {
        std::vector<ion_species*> bound;
        for (const ion_use& u : m->type().ions) {
            ion_species* ion = species(u.ion);
            if (!ion) {
                auto fresh = std::make_unique<ion_species>();
                fresh->name = u.ion;
                fresh->valence = 0;
                for (const builtin_ion& b : builtin_ions)
                    if (u.ion == b.name) {
                        fresh->valence = b.valence;
                        fresh->ci_default = b.ci;
                        fresh->co_default = b.co;
                        fresh->e_default = b.e;
                    }
                if (fresh->valence == 0 && u.valence == 0)
                    fail(m->type().name, "USEION " + u.ion +
                                             ": the valence of an ion other than na, k, ca must be "
                                             "declared (USEION " + u.ion + " ... VALENCE z)");
                fresh->e.assign(n, fresh->e_default);
                fresh->ci.assign(n, fresh->ci_default);
                fresh->co.assign(n, fresh->co_default);
                fresh->i.assign(n, 0.0);
                fresh->didv.assign(n, 0.0);
                ion = fresh.get();
                st.ions_.push_back(std::move(fresh));
            }
            if (u.valence != 0) {
                if (ion->valence != 0 && ion->valence != u.valence)
                    fail(m->type().name, "USEION " + u.ion + " VALENCE " + std::to_string(u.valence) +
                                             ": the ion's valence is " + std::to_string(ion->valence));
                ion->valence = u.valence;
            }
            if (u.writes_concentration())
                for (const std::int32_t node : m->data().node_index) ion->nernst_nodes.push_back(node);
            for (const std::int32_t node : m->data().node_index) ion->nodes.push_back(node);
            bound.push_back(ion);
        }
        m->bind_ions(std::move(bound));
        m->bind_diameters(st.nodes_.diam.data());
    }
    for (auto& ion : st.ions_) {
        std::sort(ion->nodes.begin(), ion->nodes.end());
        ion->nodes.erase(std::unique(ion->nodes.begin(), ion->nodes.end()), ion->nodes.end());
        std::sort(ion->nernst_nodes.begin(), ion->nernst_nodes.end());
        ion->nernst_nodes.erase(std::unique(ion->nernst_nodes.begin(), ion->nernst_nodes.end()),
                                ion->nernst_nodes.end());
    }
    for (const ion_setting& s : ion_settings_) {
        ion_species* ion = species(s.ion);
        if (!ion) continue;
        for (const std::int32_t node : s.nodes) {
            const auto k = static_cast<std::size_t>(node);
            if (!std::isnan(s.e)) ion->e[k] = s.e;
            if (!std::isnan(s.ci)) ion->ci[k] = s.ci;
            if (!std::isnan(s.co)) ion->co[k] = s.co;
        }
    }
    for (auto& ion : st.ions_) {
        ion->e_init = ion->e;
        ion->ci_init = ion->ci;
        ion->co_init = ion->co;
    }
    st.concentration_writers_.clear();
    for (std::size_t k = 0; k < st.mechanisms_.size(); ++k)
        if (st.mechanisms_[k]->writes_concentration()) st.concentration_writers_.push_back(k);
    st.celsius_ = celsius_;
}

cable_state cable_state_builder::build(double v_init) {
    if (state_.nodes_.size() == 0) fail("cells", "a cable group needs at least one cell");
    // Mechanisms in catalogue order; a type's globals apply to the group.
    // Mechanisms writing an ion concentration first (NEURON's
    // nrn_writes_conc), catalogue order within both classes.
    std::vector<int> slot_of_rank(by_rank_.size(), -1);
    for (const bool writers : {true, false})
        for (std::size_t r = 0; r < by_rank_.size(); ++r) {
            if (!by_rank_[r] || by_rank_[r]->size() == 0) continue;
            auto& m = *by_rank_[r];
            if (m.writes_concentration() != writers) continue;
            if (auto it = globals_.find(m.type().name); it != globals_.end())
                for (const auto& [name, value] : it->second)
                    m.data().globals[static_cast<std::size_t>(m.type().global_index(name))] = value;
            slot_of_rank[r] = static_cast<int>(state_.mechanisms_.size());
            state_.mechanisms_.push_back(std::move(by_rank_[r]));
        }
    build_ions();
    for (const auto& [rank, instance] : targets_)
        state_.targets_.push_back({slot_of_rank[static_cast<std::size_t>(rank)], instance});

    auto& nodes = state_.nodes_;
    const std::size_t n = nodes.size();
    nodes.v.assign(n, v_init);
    // The axial part of the diagonal never changes: computed once here, not per step.
    nodes.d_axial.assign(n, 0.0);
    for (std::size_t k = 0; k < n; ++k) {
        const std::int32_t p = nodes.parent[k];
        if (p < 0) continue;
        nodes.d_axial[k] -= nodes.b[k];
        nodes.d_axial[static_cast<std::size_t>(p)] -= nodes.a[k];
    }
    state_.v_init_ = v_init;
    state_.initialise();

    cable_state out = std::move(state_);
    *this = cable_state_builder(std::move(catalogue_));
    return out;
}

} // namespace ranvier::cable
