// Merging the groups' outputs of an epoch (see cell_group.hpp).
#include "cells/cell_group.hpp"

#include <algorithm>

namespace ranvier {

std::vector<spike> sorted_spikes(std::span<const group_output> outputs) {
    std::vector<spike> all;
    for (const auto& o : outputs) all.insert(all.end(), o.spikes.begin(), o.spikes.end());
    std::sort(all.begin(), all.end(), spike_before);
    return all;
}

std::vector<trace_sample> sorted_samples(std::span<const group_output> outputs) {
    std::vector<trace_sample> all;
    for (const auto& o : outputs) all.insert(all.end(), o.samples.begin(), o.samples.end());
    std::sort(all.begin(), all.end(), sample_before);
    return all;
}

} // namespace ranvier
