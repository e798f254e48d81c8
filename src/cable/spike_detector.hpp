// Threshold detectors of a cable cell group (NEURON's NetCon with a
// threshold on a voltage): an upward crossing of `threshold` at a node is a
// spike. As NEURON's fixed step does, no interpolation: the spike time is
// the first step end at which v > threshold (NEURON stamps t + 1e-10 at the
// start of the following step; we stamp that same grid time t).
#pragma once

#include <cstdint>
#include <vector>

namespace ranvier::cable {

struct cable_spike {
    std::int32_t detector; // index of the detector in its group
    double time;           // ms
};

struct spike_detectors {
    std::vector<std::int32_t> node;    // group node watched
    std::vector<double> threshold;     // mV
    std::vector<std::uint8_t> above;   // 1 while v > threshold (armed again once v <= threshold)

    std::size_t size() const { return node.size(); }

    // Appends a spike to `out` for every detector whose node crossed its
    // threshold upwards since the last check. `out` must have capacity
    // reserved if the caller needs no allocation.
    void check(const double* v, double t, std::vector<cable_spike>& out) {
        const std::size_t n = node.size();
        for (std::size_t k = 0; k < n; ++k) {
            if (v[node[k]] > threshold[k]) {
                if (!above[k]) {
                    above[k] = 1;
                    out.push_back({static_cast<std::int32_t>(k), t});
                }
            } else {
                above[k] = 0;
            }
        }
    }
};

} // namespace ranvier::cable
