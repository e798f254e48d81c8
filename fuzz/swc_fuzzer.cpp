// libFuzzer target: the SWC reader and the discretisation. Each input is an
// SWC file: it is parsed (parse_swc), and if that succeeds, discretised with
// nseg = 1, nseg = 3 and the d_lambda rule, and every section's x = 0, 0.5, 1
// located on the tree; the tree is also handed to the cable group builder.
// A user_error is the right answer to a bad file; anything else is a finding.
// See model_loader_fuzzer.cpp for how it is built and replayed.
#include "cable/cable_state_builder.hpp"
#include "cable/discretization.hpp"

#include <ranvier/errors.hpp>
#include <ranvier/morphology_swc.hpp>

#include <cstddef>
#include <cstdint>
#include <string>

namespace {

using namespace ranvier;

void discretise(const morphology& m, const cable::discretization_policy& policy) {
    cable::cv_tree tree;
    try {
        tree = cable::discretize(m, policy);
    } catch (const user_error&) {
        return; // absurd geometry: refused with a message
    }
    for (std::size_t s = 0; s < m.size(); ++s)
        for (const double x : {0.0, 0.5, 1.0}) (void)cable::node_at(tree, static_cast<int>(s), x);
    try {
        cable::cable_state_builder builder;
        builder.add_cell(tree);
    } catch (const user_error&) {
        // e.g. an axial resistance that underflows to 0 for absurd diameters
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    morphology m;
    try {
        m = parse_swc(text, "fuzz.swc");
    } catch (const user_error&) {
        return 0;
    }
    cable::discretization_policy policy;
    discretise(m, policy);
    policy.nseg = 3;
    discretise(m, policy);
    policy.rule = cable::nseg_rule::d_lambda;
    policy.d_lambda = 0.1;
    discretise(m, policy);
    return 0;
}
